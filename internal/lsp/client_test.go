package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
)

// A testClient speaks to a server in the process over a pipe, framing
// messages itself so that tests can also send what a broken client sends.
type testClient struct {
	t      testing.TB
	conn   net.Conn
	wmu    sync.Mutex
	nextID int
	mu     sync.Mutex
	resps  map[string]chan wireMessage
	notes  chan wireMessage
	served chan error
}

type wireMessage struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func startServer(t testing.TB, opts Options) *testClient {
	t.Helper()
	srv, cli := net.Pipe()
	c := &testClient{t: t, conn: cli, resps: make(map[string]chan wireMessage), notes: make(chan wireMessage, 10000), served: make(chan error, 1)}
	go func() { c.served <- Serve(context.Background(), srv, opts) }()
	go c.readLoop()
	t.Cleanup(func() { _ = cli.Close() })
	return c
}

func (c *testClient) readLoop() {
	r := bufio.NewReader(c.conn)
	for {
		length := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				close(c.notes)
				return
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(r, body); err != nil {
			close(c.notes)
			return
		}
		var m wireMessage
		if err := json.Unmarshal(body, &m); err != nil {
			panic(fmt.Sprintf("server sent bad JSON %q: %v", body, err))
		}
		if m.Method != "" {
			c.notes <- m
			continue
		}
		c.mu.Lock()
		ch := c.resps[string(m.ID)]
		delete(c.resps, string(m.ID))
		c.mu.Unlock()
		if ch == nil { // an answer to a raw frame
			c.notes <- m
			continue
		}
		ch <- m
	}
}

// raw writes one frame with the given body.
func (c *testClient) raw(body string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := fmt.Fprintf(c.conn, "Content-Length: %d\r\n\r\n%s", len(body), body)
	require.NoError(c.t, err)
}

// call sends a request and returns its response.
func (c *testClient) call(method string, params any) wireMessage {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := strconv.Itoa(c.nextID)
	ch := make(chan wireMessage, 1)
	c.resps[id] = ch
	c.mu.Unlock()
	data, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.nextID, "method": method, "params": params})
	require.NoError(c.t, err)
	c.raw(string(data))
	select {
	case m := <-ch:
		return m
	case <-time.After(2 * time.Minute):
		c.t.Fatalf("no answer to %s", method)
		return wireMessage{}
	}
}

// result calls and decodes a successful result into v.
func (c *testClient) result(method string, params, v any) {
	c.t.Helper()
	m := c.call(method, params)
	require.Nil(c.t, m.Error, "%s failed: %+v", method, m.Error)
	require.NoError(c.t, json.Unmarshal(m.Result, v))
}

// sync returns once the server has handled every message sent before:
// the server reads in order, and answers an unknown method at once.
func (c *testClient) sync() {
	c.t.Helper()
	m := c.call("resilvet/sync", nil)
	require.NotNil(c.t, m.Error)
}

func (c *testClient) notify(method string, params any) {
	c.t.Helper()
	data, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
	require.NoError(c.t, err)
	c.raw(string(data))
}

// next returns the next notification (or answer to a raw frame) matching
// keep, failing after a timeout.
func (c *testClient) next(keep func(wireMessage) bool) wireMessage {
	c.t.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case m, ok := <-c.notes:
			require.True(c.t, ok, "the server closed the connection")
			if keep(m) {
				return m
			}
		case <-timeout:
			c.t.Fatal("timed out waiting for a message")
		}
	}
}

// diagnostics waits for the diagnostics published for uri.
func (c *testClient) diagnostics(uri string) publishDiagnosticsParams {
	c.t.Helper()
	var p publishDiagnosticsParams
	c.next(func(m wireMessage) bool {
		if m.Method != "textDocument/publishDiagnostics" {
			return false
		}
		require.NoError(c.t, json.Unmarshal(m.Params, &p))
		return p.URI == uri
	})
	return p
}

func (c *testClient) initialize(root string, options any) {
	c.t.Helper()
	var res initializeResult
	c.result("initialize", map[string]any{
		"processId": nil, "rootUri": uriOf(root), "capabilities": map[string]any{},
		"initializationOptions": options,
	}, &res)
	c.notify("initialized", map[string]any{})
}

// shutdown ends the session cleanly and checks that Serve returned nil.
func (c *testClient) shutdown() {
	c.t.Helper()
	m := c.call("shutdown", nil)
	require.Nil(c.t, m.Error)
	c.notify("exit", nil)
	select {
	case err := <-c.served:
		require.NoError(c.t, err)
	case <-time.After(time.Minute):
		c.t.Fatal("Serve did not return after exit")
	}
}

func (c *testClient) open(name, text string, version int) string {
	uri := uriOf(name)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": textDocumentItem{URI: uri, LanguageID: "go", Version: version, Text: text}})
	return uri
}

func (c *testClient) change(uri, text string, version int) {
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   versionedTextDocumentIdentifier{URI: uri, Version: version},
		"contentChanges": []map[string]any{{"text": text}},
	})
}

func (c *testClient) codeActions(uri string, r lspRange, only ...string) []codeAction {
	c.t.Helper()
	var actions []codeAction
	params := map[string]any{"textDocument": textDocumentIdentifier{URI: uri}, "range": r, "context": map[string]any{"diagnostics": []any{}}}
	if len(only) > 0 {
		params["context"] = map[string]any{"diagnostics": []any{}, "only": only}
	}
	c.result("textDocument/codeAction", params, &actions)
	return actions
}

// writeModule writes a module of the given files into a new directory.
func writeModule(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/m\n\ngo 1.26\n"
	for name, text := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	return dir
}

// applyEdits applies LSP text edits to text, converting UTF-16 positions
// with the standard library alone (not the code under test).
func applyEdits(t testing.TB, text string, edits []textEdit) string {
	t.Helper()
	offset := func(p position) int {
		lines := strings.SplitAfter(text, "\n")
		require.Less(t, p.Line, len(lines)+1)
		off := 0
		for _, l := range lines[:p.Line] {
			off += len(l)
		}
		units := 0
		for i, r := range lines[p.Line] {
			if units >= p.Character {
				return off + i
			}
			units += len(utf16.Encode([]rune{r}))
		}
		return off + len(strings.TrimSuffix(lines[p.Line], "\n"))
	}
	// Apply from the last edit back so offsets stay valid.
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		start, end := offset(e.Range.Start), offset(e.Range.End)
		text = text[:start] + e.NewText + text[end:]
	}
	return text
}

// fake is an analyzer for tests: it reports every occurrence of word in
// the package's files, with a fix replacing it by fix (none if empty).
func fake(name, word, fix string) *analysis.Analyzer {
	return &analysis.Analyzer{
		Name: name,
		Doc:  name + ": a test analyzer",
		URL:  "https://example.com/checks#" + name,
		Run: func(pass *analysis.Pass) (any, error) {
			for _, f := range pass.Files {
				for _, cg := range f.Comments {
					for _, c := range cg.List {
						if i := strings.Index(c.Text, word); i >= 0 {
							pos := c.Pos() + token.Pos(i)
							d := analysis.Diagnostic{Pos: pos, End: pos + token.Pos(len(word)), Message: name + " found " + word}
							if fix != "" {
								d.SuggestedFixes = []analysis.SuggestedFix{{Message: "replace " + word, TextEdits: []analysis.TextEdit{{Pos: pos, End: pos + token.Pos(len(word)), NewText: []byte(fix)}}}}
							}
							pass.Report(d)
						}
					}
				}
			}
			return nil, nil
		},
	}
}
