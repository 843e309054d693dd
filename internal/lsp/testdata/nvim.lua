-- Drives Neovim (0.7 or later) headless against `resilvet lsp`; run by
-- TestNeovim (nvim_test.go):
--   nvim --headless -u NONE -i NONE -n -c 'luafile nvim.lua' -c 'cquit 2'
-- Environment: RESILVET_BIN (the resilvet binary), RESILVET_ROOT (the
-- module), RESILVET_FILE (the Go file to open), RESILVET_CHECK and
-- RESILVET_LINE (the finding to act on: check name, 1-based line),
-- RESILVET_MODE ("fix": apply its quick fix and write the buffer; "edit":
-- edit without saving and follow the diagnostics), RESILVET_OUT (where to
-- write PASS or FAIL and a log).

local env = function(name) return (assert(os.getenv(name), name .. ' is not set')) end
local bin, root, file = env('RESILVET_BIN'), env('RESILVET_ROOT'), env('RESILVET_FILE')
local check, line, mode, out = env('RESILVET_CHECK'), tonumber(env('RESILVET_LINE')) - 1, env('RESILVET_MODE'), env('RESILVET_OUT')
local log = {}
local function say(...) table.insert(log, string.format(...)) end

local function finish(ok, msg)
  local f = assert(io.open(out, 'w'))
  f:write((ok and 'PASS ' or 'FAIL ') .. msg .. '\n' .. table.concat(log, '\n') .. '\n')
  f:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'go'
  local client_id = vim.lsp.start_client({
    name = 'resilvet',
    cmd = { bin, 'lsp' },
    root_dir = root,
    on_exit = function(code) say('resilvet lsp exited with %d', code) end,
  })
  assert(client_id, 'could not start resilvet lsp')
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'could not attach the client')

  local function findings()
    return vim.tbl_filter(function(d) return d.source == 'resilvet' end, vim.diagnostic.get(bufnr))
  end
  -- target returns the finding of the check on line l (0-based; default:
  -- the line given).
  local function target(l)
    for _, d in ipairs(findings()) do
      if d.code == check and d.lnum == (l or line) then return d end
    end
  end
  local function wait(what, cond)
    if not vim.wait(120000, cond, 50) then error('timed out waiting for ' .. what) end
  end

  wait('resilvet diagnostics', function() return #findings() > 0 end)
  local d = target()
  assert(d, string.format('no %s finding on line %d among %s', check, line + 1, vim.inspect(findings())))
  say('diagnostics: %d from resilvet; %s at %d:%d: %s', #findings(), check, d.lnum + 1, d.col + 1, d.message)

  if mode == 'fix' then
    local client = vim.lsp.get_client_by_id(client_id)
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.lnum, character = d.col } },
      context = { diagnostics = {}, only = { 'quickfix' } },
    }
    local resp = client.request_sync('textDocument/codeAction', params, 120000, bufnr)
    assert(resp and not resp.err, 'codeAction failed: ' .. vim.inspect(resp))
    local fix
    for _, a in ipairs(resp.result or {}) do
      say('action: %s [%s]', a.title, a.kind)
      if not fix and a.kind == 'quickfix' and not a.title:match('^Ignore') then fix = a end
    end
    assert(fix and fix.edit, 'no quick fix with an edit')
    vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
    vim.cmd('write')
    say('applied "%s" and wrote the buffer', fix.title)
    -- The server follows the saved buffer: the finding goes away.
    wait('the fixed finding to go', function() return target() == nil end)
    finish(true, 'quick fix applied')
  elseif mode == 'edit' then
    local before = #findings()
    -- Three new lines above the finding, unsaved: it moves down with them.
    vim.api.nvim_buf_set_lines(bufnr, 1, 1, false, { '', '// three', '// new lines' })
    wait('the finding to move down', function() return target() == nil and target(line + 3) ~= nil end)
    say('after inserting 3 lines: %s on line %d', check, target(line + 3).lnum + 1)
    -- Pass ctx on the finding's line, unsaved: the finding goes, the
    -- others stay.
    local text = vim.api.nvim_buf_get_lines(bufnr, line + 3, line + 4, true)[1]
    local fixed = text:gsub('context%.Background%(%)', 'ctx')
    assert(fixed ~= text, 'no context.Background() on line ' .. (line + 4) .. ': ' .. text)
    vim.api.nvim_buf_set_lines(bufnr, line + 3, line + 4, false, { fixed })
    wait('the finding to go', function() return target(line + 3) == nil and #findings() > 0 end)
    say('after replacing its line: %d findings (was %d)', #findings(), before)
    assert(vim.bo[bufnr].modified, 'the buffer was saved')
    finish(true, 'diagnostics followed unsaved edits')
  else
    error('unknown RESILVET_MODE ' .. mode)
  end
end)
if not ok then finish(false, tostring(err)) end
