package lsp

import (
	"encoding/json"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers"
)

const utf16Src = `package a

import "context"

func do(label string, ctx context.Context) error { return ctx.Err() }

func Call(ctx context.Context) error {
	return do("żółw 🐢 ünï", context.Background())
}
`

// units returns the length of s in UTF-16 code units.
func units(s string) int { return len(utf16.Encode([]rune(s))) }

func TestDiagnosticRangeAndQuickFixCountUTF16(t *testing.T) {
	dir := writeModule(t, map[string]string{"a.go": utf16Src})
	c := startServer(t, Options{Suite: analyzers.All(), Debounce: 10 * time.Millisecond})
	c.initialize(dir, nil)
	uri := c.open(filepath.Join(dir, "a.go"), utf16Src, 1)

	p := c.diagnostics(uri)
	require.Len(t, p.Diagnostics, 1)
	d := p.Diagnostics[0]
	line := "\treturn do(\"żółw 🐢 ünï\", "
	want := lspRange{Start: position{7, units(line)}, End: position{7, units(line + "context.Background()")}}
	assert.Equal(t, want, d.Range, "the range counts UTF-16 units, not bytes or runes")
	assert.NotEqual(t, len(line), units(line), "the line must make bytes and UTF-16 units differ")
	assert.Equal(t, "ctxbackground", d.Code)
	assert.Equal(t, "resilvet", d.Source)
	assert.Equal(t, severityWarning, d.Severity)
	require.NotNil(t, d.CodeDescription)
	assert.Contains(t, d.CodeDescription.Href, "docs/checks.md#ctxbackground")
	require.NotNil(t, p.Version)
	assert.Equal(t, 1, *p.Version)

	actions := c.codeActions(uri, lspRange{Start: d.Range.Start, End: d.Range.Start}, "quickfix")
	require.Len(t, actions, 2, "the fix and the ignore directive")
	fix := actions[0]
	assert.Equal(t, kindQuickFix, fix.Kind)
	require.NotNil(t, fix.Edit)
	require.Len(t, fix.Edit.DocumentChanges, 1)
	got := applyEdits(t, utf16Src, fix.Edit.DocumentChanges[0].Edits)
	assert.Equal(t, strings.Replace(utf16Src, "context.Background())", "ctx)", 1), got)
	require.NotNil(t, fix.Edit.DocumentChanges[0].TextDocument.Version)
	assert.Equal(t, 1, *fix.Edit.DocumentChanges[0].TextDocument.Version)

	// The edit, sent back as the editor applies it, clears the finding.
	c.change(uri, got, 2)
	p = c.diagnostics(uri)
	assert.Equal(t, 2, *p.Version)
	assert.Empty(t, p.Diagnostics)
	c.shutdown()
}

func TestIncrementalChangesCountUTF16(t *testing.T) {
	dir := writeModule(t, map[string]string{"a.go": utf16Src})
	c := startServer(t, Options{Suite: analyzers.All(), Debounce: 10 * time.Millisecond})
	c.initialize(dir, nil)
	uri := c.open(filepath.Join(dir, "a.go"), utf16Src, 1)
	require.Len(t, c.diagnostics(uri).Diagnostics, 1)

	// Replace "context.Background()" on line 7, addressed in UTF-16 units.
	line := "\treturn do(\"żółw 🐢 ünï\", "
	r := lspRange{Start: position{7, units(line)}, End: position{7, units(line + "context.Background()")}}
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   versionedTextDocumentIdentifier{URI: uri, Version: 2},
		"contentChanges": []map[string]any{{"range": r, "text": "ctx"}},
	})
	p := c.diagnostics(uri)
	assert.Equal(t, 2, *p.Version)
	assert.Empty(t, p.Diagnostics, "the server's copy must read ctx where the client wrote it")
	c.shutdown()
}

func TestPositionConversions(t *testing.T) {
	src := []byte("a\n\"żółw 🐢\"x\r\nlast")
	for _, tc := range []struct {
		off int
		pos position
	}{
		{0, position{0, 0}},
		{2, position{1, 0}},
		{strings.Index(string(src), "🐢"), position{1, units("\"żółw ")}},
		{strings.Index(string(src), "x"), position{1, units("\"żółw 🐢\"")}},
		{len(src), position{2, 4}},
	} {
		assert.Equal(t, tc.pos, positionOf(src, tc.off), "positionOf(%d)", tc.off)
		off, err := offsetOf(src, tc.pos)
		require.NoError(t, err)
		assert.Equal(t, tc.off, off, "offsetOf(%v)", tc.pos)
	}
	// Inside the surrogate pair of 🐢: stay before it.
	off, err := offsetOf(src, position{1, units("\"żółw ") + 1})
	require.NoError(t, err)
	assert.Equal(t, strings.Index(string(src), "🐢"), off)
	// Past the end of a line: the end of the line, before \r\n.
	off, err = offsetOf(src, position{1, 99})
	require.NoError(t, err)
	assert.Equal(t, strings.Index(string(src), "\r"), off)
	_, err = offsetOf(src, position{5, 0})
	assert.Error(t, err)
}

const fixAllSrc = `package a

// AAA BBB
// CCC
var X = 1
`

func TestFixAllSkipsConflictingFixes(t *testing.T) {
	// Three checks: aaa and bbb have fixes that overlap (both rewrite
	// "AAA BBB"), ccc's fix stands alone.
	overlap := &analysis.Analyzer{
		Name: "bbb", Doc: "bbb: a test analyzer", URL: "https://example.com/checks#bbb",
		Run: func(pass *analysis.Pass) (any, error) {
			for _, f := range pass.Files {
				for _, cg := range f.Comments {
					c := cg.List[0]
					if i := strings.Index(c.Text, "AAA BBB"); i >= 0 {
						pos := c.Pos() + tokenPos(i)
						pass.Report(analysis.Diagnostic{Pos: pos, End: pos + 7, Message: "bbb found AAA BBB",
							SuggestedFixes: []analysis.SuggestedFix{{Message: "rewrite", TextEdits: []analysis.TextEdit{{Pos: pos, End: pos + 7, NewText: []byte("overlapping")}}}}})
					}
				}
			}
			return nil, nil
		},
	}
	suite := []*analysis.Analyzer{fake("aaa", "AAA", "aaa"), overlap, fake("ccc", "CCC", "ccc")}
	dir := writeModule(t, map[string]string{"a.go": fixAllSrc})
	c := startServer(t, Options{Suite: suite, Debounce: 10 * time.Millisecond})
	c.initialize(dir, nil)
	uri := c.open(filepath.Join(dir, "a.go"), fixAllSrc, 1)
	require.Len(t, c.diagnostics(uri).Diagnostics, 3)

	actions := c.codeActions(uri, lspRange{}, "source.fixAll")
	require.Len(t, actions, 1, "only the fix-all action is asked for")
	require.Equal(t, kindFixAll, actions[0].Kind)
	got := applyEdits(t, fixAllSrc, actions[0].Edit.DocumentChanges[0].Edits)
	// Position order, as resilvet -fix: aaa's fix is taken, bbb's overlaps
	// it and is left out, ccc's is taken.
	assert.Equal(t, "package a\n\n// aaa BBB\n// ccc\nvar X = 1\n", got)

	// "source" covers source.fixAll.resilvet; "quickfix" does not.
	assert.Len(t, c.codeActions(uri, lspRange{}, "source"), 1)
	for _, a := range c.codeActions(uri, lspRange{Start: position{2, 3}, End: position{2, 3}}, "quickfix") {
		assert.Equal(t, kindQuickFix, a.Kind)
	}
	c.shutdown()
}

func tokenPos(i int) token.Pos { return token.Pos(i) }

func TestIgnoreActionSilencesOnceAReasonIsTyped(t *testing.T) {
	dir := writeModule(t, map[string]string{"a.go": utf16Src})
	c := startServer(t, Options{Suite: analyzers.All(), Debounce: 10 * time.Millisecond})
	c.initialize(dir, nil)
	uri := c.open(filepath.Join(dir, "a.go"), utf16Src, 1)
	d := c.diagnostics(uri).Diagnostics[0]

	var ignore *codeAction
	for _, a := range c.codeActions(uri, d.Range) {
		if strings.HasPrefix(a.Title, "Ignore") {
			ignore = &a
		}
	}
	require.NotNil(t, ignore)
	edited := applyEdits(t, utf16Src, ignore.Edit.DocumentChanges[0].Edits)
	assert.Contains(t, edited, "\t//resilvet:ignore ctxbackground \n\treturn do(")

	// Without a reason the directive silences nothing and is itself
	// reported.
	c.change(uri, edited, 2)
	p := c.diagnostics(uri)
	require.Len(t, p.Diagnostics, 2)
	assert.Contains(t, p.Diagnostics[0].Message, "has no reason")

	c.change(uri, strings.Replace(edited, "ctxbackground \n", "ctxbackground the test wants it\n", 1), 3)
	p = c.diagnostics(uri)
	assert.Equal(t, 3, *p.Version)
	assert.Empty(t, p.Diagnostics)
	c.shutdown()
}

func TestPullDiagnostics(t *testing.T) {
	dir := writeModule(t, map[string]string{"a.go": utf16Src})
	c := startServer(t, Options{Suite: analyzers.All(), Debounce: 10 * time.Millisecond})
	var res initializeResult
	c.result("initialize", map[string]any{"rootUri": uriOf(dir), "capabilities": map[string]any{
		"textDocument": map[string]any{"diagnostic": map[string]any{}},
	}}, &res)
	assert.Equal(t, "resilvet", res.Capabilities.DiagnosticProvider.Identifier)
	uri := c.open(filepath.Join(dir, "a.go"), utf16Src, 1)

	var report fullDocumentDiagnosticReport
	c.result("textDocument/diagnostic", documentDiagnosticParams{TextDocument: textDocumentIdentifier{URI: uri}}, &report)
	assert.Equal(t, "full", report.Kind)
	require.Len(t, report.Items, 1)
	assert.Equal(t, "ctxbackground", report.Items[0].Code)

	// A file not open (here: outside the workspace) has an empty report.
	c.result("textDocument/diagnostic", documentDiagnosticParams{TextDocument: textDocumentIdentifier{URI: "file:///elsewhere/x.go"}}, &report)
	assert.Empty(t, report.Items)

	// A pulling client is not pushed to.
	c.shutdown()
	for m := range c.notes {
		assert.NotEqual(t, "textDocument/publishDiagnostics", m.Method)
	}
}

func TestSettings(t *testing.T) {
	dir := writeModule(t, map[string]string{"a.go": utf16Src})
	c := startServer(t, Options{Suite: analyzers.All(), Debounce: 10 * time.Millisecond})
	c.initialize(dir, map[string]any{"ctxbackground": false})
	uri := c.open(filepath.Join(dir, "a.go"), utf16Src, 1)
	assert.Empty(t, c.diagnostics(uri).Diagnostics, "ctxbackground is disabled by initializationOptions")

	// Bad settings are shown and change nothing.
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"resilvet": map[string]any{"nosuchcheck": true}}})
	m := c.next(func(m wireMessage) bool { return m.Method == "window/showMessage" })
	var shown showMessageParams
	require.NoError(t, json.Unmarshal(m.Params, &shown))
	assert.Equal(t, messageError, shown.Type)
	assert.Contains(t, shown.Message, `unknown check "nosuchcheck"`)
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"missingtimeout": map[string]any{"enabled": "yes"}}})
	m = c.next(func(m wireMessage) bool { return m.Method == "window/showMessage" })
	require.NoError(t, json.Unmarshal(m.Params, &shown))
	assert.Contains(t, shown.Message, "must be true or false")

	// Good settings re-analyse the open files.
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"resilvet": map[string]any{"ctxbackground": true}}})
	p := c.diagnostics(uri)
	require.Len(t, p.Diagnostics, 1)
	assert.Equal(t, "ctxbackground", p.Diagnostics[0].Code)
	c.shutdown()
}

// slow is an analyzer that tells when it starts and waits to be released,
// reporting each "BAD" comment.
func slow(started chan<- string, release <-chan struct{}) *analysis.Analyzer {
	inner := fake("slow", "BAD", "")
	return &analysis.Analyzer{
		Name: "slow", Doc: "slow: a test analyzer",
		Run: func(pass *analysis.Pass) (any, error) {
			started <- pass.Pkg.Path()
			<-release
			return inner.Run(pass)
		},
	}
}

func TestNewerEditCancelsAndStaleResultsAreNotPublished(t *testing.T) {
	const v1 = "package a\n\n// BAD\nvar X = 1\n"
	const v2 = "package a\n\n// BAD\n// BAD\nvar X = 1\n"
	dir := writeModule(t, map[string]string{"a.go": v1})
	started := make(chan string, 100)
	release := make(chan struct{})
	c := startServer(t, Options{Suite: []*analysis.Analyzer{slow(started, release)}, Debounce: 10 * time.Millisecond})
	c.initialize(dir, nil)
	uri := c.open(filepath.Join(dir, "a.go"), v1, 1)
	<-started // version 1 is being analysed
	c.change(uri, v2, 2)
	c.sync()
	close(release) // let every analysis finish
	p := c.diagnostics(uri)
	require.NotNil(t, p.Version)
	assert.Equal(t, 2, *p.Version, "the analysis of version 1 was made stale by version 2 and must not be published")
	assert.Len(t, p.Diagnostics, 2)
	c.shutdown()
	for m := range c.notes {
		assert.NotEqual(t, "textDocument/publishDiagnostics", m.Method, "a second publication: %s", m.Params)
	}
}

func TestBadInputGetsErrorsNotACrash(t *testing.T) {
	dir := writeModule(t, map[string]string{"a.go": utf16Src, "broken/b.go": "package broken\n\nfunc {\n"})
	c := startServer(t, Options{Suite: analyzers.All(), Debounce: 10 * time.Millisecond})
	errorCode := func(m wireMessage) int {
		require.NotNil(t, m.Error, "want an error, got %s", m.Result)
		return m.Error.Code
	}

	assert.Equal(t, -32002, errorCode(c.call("textDocument/codeAction", map[string]any{})), "before initialize")
	c.raw(`{"jsonrpc":"2.0","id":77,"method":`)
	m := c.next(func(m wireMessage) bool { return string(m.ID) == "null" })
	assert.Equal(t, -32700, errorCode(m), "malformed JSON")
	c.raw(`[{"jsonrpc":"2.0","id":78,"method":"shutdown"}]`)
	m = c.next(func(m wireMessage) bool { return m.Error != nil })
	assert.Equal(t, -32600, errorCode(m), "a batch")
	c.raw(`{"jsonrpc":"2.0","id":79}`)
	m = c.next(func(m wireMessage) bool { return m.Error != nil })
	assert.Equal(t, -32600, errorCode(m), "neither request nor response")
	assert.Equal(t, "79", string(m.ID))
	c.raw(`"just a string"`)
	m = c.next(func(m wireMessage) bool { return m.Error != nil })
	assert.Equal(t, -32600, errorCode(m))

	c.initialize(dir, nil)
	assert.Equal(t, -32601, errorCode(c.call("textDocument/hover", map[string]any{})), "unknown method")
	c.notify("workspace/unknownNotification", map[string]any{"x": 1})
	c.notify("textDocument/didOpen", "not an object")
	assert.Equal(t, -32602, errorCode(c.call("textDocument/codeAction", "not an object")), "bad params")
	assert.Equal(t, -32602, errorCode(c.call("textDocument/codeAction", nil)), "missing params")
	assert.Equal(t, -32600, errorCode(c.call("initialize", map[string]any{})), "initialize twice")

	// Files the server cannot use: empty answers.
	outside := filepath.Join(t.TempDir(), "x.go")
	require.NoError(t, os.WriteFile(outside, []byte(utf16Src), 0o644))
	outURI := c.open(outside, utf16Src, 1)
	assert.Empty(t, c.codeActions(outURI, lspRange{}))
	assert.Empty(t, c.codeActions("untitled:Untitled-1", lspRange{}))
	assert.Empty(t, c.codeActions("file:///no/such/file.go", lspRange{}))
	brokenURI := c.open(filepath.Join(dir, "broken", "b.go"), "package broken\n\nfunc {\n", 1)
	p := c.diagnostics(brokenURI)
	assert.Empty(t, p.Diagnostics, "a file that does not parse has no findings (gopls reports the syntax error)")
	assert.Empty(t, c.codeActions(brokenURI, lspRange{}))
	// An edit addressed past the end drops the document instead of guessing.
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   versionedTextDocumentIdentifier{URI: brokenURI, Version: 2},
		"contentChanges": []map[string]any{{"range": lspRange{Start: position{40, 0}, End: position{41, 0}}, "text": "x"}},
	})

	// The connection still works.
	uri := c.open(filepath.Join(dir, "a.go"), utf16Src, 1)
	assert.Len(t, c.diagnostics(uri).Diagnostics, 1)
	c.shutdown()
}

func TestExitWithoutShutdownIsAnError(t *testing.T) {
	c := startServer(t, Options{Suite: analyzers.All()})
	c.initialize(t.TempDir(), nil)
	c.notify("exit", nil)
	select {
	case err := <-c.served:
		assert.Error(t, err)
	case <-time.After(time.Minute):
		t.Fatal("Serve did not return after exit")
	}
}

func TestQuickFixEditsTheUnsavedBuffer(t *testing.T) {
	onDisk := strings.Replace(utf16Src, "package a\n", "package a\n\n// A comment only the saved file has,\n// so that byte offsets differ.\n", 1)
	dir := writeModule(t, map[string]string{"a.go": onDisk})
	c := startServer(t, Options{Suite: analyzers.All(), Debounce: 10 * time.Millisecond})
	c.initialize(dir, nil)
	uri := c.open(filepath.Join(dir, "a.go"), utf16Src, 1)
	d := c.diagnostics(uri).Diagnostics[0]
	for _, only := range []string{"quickfix", "source.fixAll.resilvet"} {
		actions := c.codeActions(uri, d.Range, only)
		require.NotEmpty(t, actions, only)
		got := applyEdits(t, utf16Src, actions[0].Edit.DocumentChanges[0].Edits)
		assert.Equal(t, strings.Replace(utf16Src, "context.Background())", "ctx)", 1), got, only)
	}
	c.shutdown()
}
