// Package lsp is resilvet's language server: `resilvet lsp` speaks the
// Language Server Protocol 3.17 over stdin and stdout, beside gopls.
//
// It analyses the package of each open Go file with the editor's unsaved
// contents as they are typed (debounced), publishes the findings as
// diagnostics (and answers pull diagnostics), and offers code actions: each
// finding's suggested fix, source.fixAll.resilvet for every fix of a file
// that fits with the others (the merge rules of resilvet -fix), and a
// //resilvet:ignore directive for the finding.
//
// The first analysis of a package loads it as the command line does (go
// list, dependencies from export data); later ones reuse that load through
// a driver.Cache while the package's imports, file list and module files
// stay the same, and type-check only the package itself.
//
// Settings come through initializationOptions and
// workspace/didChangeConfiguration, with the keys of the golangci-lint
// plugin (see package plugin).
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/internal/driver"
	"github.com/resilvet/resilvet/plugin"
)

// DefaultDebounce is how long the server waits after an edit before it
// analyses: typing a word costs one analysis, not one per key.
const DefaultDebounce = 300 * time.Millisecond

// Options configure a server.
type Options struct {
	// Suite is the set of analyzers settings choose from; nil means the
	// caller must give one (the command passes analyzers.All()).
	Suite []*analysis.Analyzer
	// Debounce is the delay between an edit and its analysis; zero means
	// DefaultDebounce.
	Debounce time.Duration
	// Tests makes the server analyse test files too (the default of the
	// resilvet command).
	Tests bool
}

// Serve runs a server on rwc until the client sends exit or closes the
// stream. It returns nil after a clean shutdown and exit, and an error when
// the client exits without shutdown or the stream fails.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &server{
		opts:      opts,
		ctx:       ctx,
		analyzers: opts.Suite,
		docs:      make(map[string]*document),
		pkgs:      make(map[string]*pkgState),
		exited:    make(chan struct{}),
	}
	conn := jsonrpc2.NewConn(newGuardStream(jsonrpc2.NewStream(rwc)))
	s.conn = conn
	conn.Go(ctx, s.handle)
	select {
	case <-conn.Done():
	case <-s.exited:
	case <-ctx.Done():
	}
	cancel()
	s.stopAll()
	// Closing the stream ends the read loop; a blocking reader such as
	// stdin may not notice, and the process is about to exit, so Serve does
	// not wait for it.
	_ = rwc.Close()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.shutdown {
		if err := conn.Err(); err != nil {
			return err
		}
		return errors.New("the client exited without shutdown")
	}
	return nil
}

type server struct {
	opts Options
	ctx  context.Context // the server's life
	conn jsonrpc2.Conn
	wg   sync.WaitGroup // analyses in flight

	// cfgMu is held for reading by analyses and for writing while settings
	// change the analyzers' flags, which are process-wide.
	cfgMu     sync.RWMutex
	analyzers []*analysis.Analyzer

	// cache keeps each package's load between analyses: an edit that
	// keeps the imports type-checks the package alone.
	cache driver.Cache

	mu          sync.Mutex
	initialized bool
	shutdown    bool
	exitOnce    sync.Once
	exited      chan struct{}
	pull        bool                 // the client pulls diagnostics
	roots       []string             // workspace folders; none means any module
	docs        map[string]*document // open files by file name
	pkgs        map[string]*pkgState // by directory
}

// A document is an open file: the editor's content, never modified in place
// (an edit makes a new slice), so analyses can read a copy safely.
type document struct {
	uri     string
	version int
	text    []byte
	// last is the latest analysis of this version, or nil.
	last *fileResult
}

// A fileResult is what one analysis found in one file.
type fileResult struct {
	version  int
	text     []byte
	res      *driver.Result
	findings []*driver.Finding
	diags    []diagnostic
}

// A pkgState schedules the analyses of one directory's package.
type pkgState struct {
	timer   *time.Timer
	cancel  context.CancelFunc // of the analysis running, if any
	running sync.Mutex         // one analysis of the package at a time
}

// handle dispatches one message. Notifications never return an error:
// for them an error would end the connection.
func (s *server) handle(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			result, err = nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "resilvet: internal error: %v", p)
		}
		if !req.IsCall() {
			result, err = nil, nil
		}
	}()
	method := req.Method()
	params := []byte(req.Params())
	s.mu.Lock()
	initialized, shutdown := s.initialized, s.shutdown
	s.mu.Unlock()
	switch {
	case method == "exit":
		s.exitOnce.Do(func() { close(s.exited) })
		return nil, nil
	case method == "initialize":
		if initialized {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize sent twice")
		}
		return encode(s.initialize(params))
	case !initialized:
		return nil, jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "the server is not initialized")
	case shutdown:
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s after shutdown", method)
	}
	switch method {
	case "initialized", "$/cancelRequest", "$/setTrace":
		return nil, nil
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
		s.stopAll()
		return nil, nil
	case "textDocument/didOpen":
		var p didOpenParams
		if err := decode(params, &p); err == nil {
			s.didOpen(p)
		}
		return nil, nil
	case "textDocument/didChange":
		var p didChangeParams
		if err := decode(params, &p); err == nil {
			s.didChange(p)
		}
		return nil, nil
	case "textDocument/didSave":
		var p didSaveParams
		if err := decode(params, &p); err == nil {
			s.didSave(p)
		}
		return nil, nil
	case "textDocument/didClose":
		var p didCloseParams
		if err := decode(params, &p); err == nil {
			s.didClose(p)
		}
		return nil, nil
	case "workspace/didChangeConfiguration":
		var p didChangeConfigurationParams
		if err := decode(params, &p); err == nil {
			s.configure(ctx, p.Settings)
		}
		return nil, nil
	case "textDocument/diagnostic":
		var p documentDiagnosticParams
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		jsonrpc2.Async(ctx)
		return encode(s.pullDiagnostics(ctx, p))
	case "textDocument/codeAction":
		var p codeActionParams
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		jsonrpc2.Async(ctx)
		return encode(s.codeActions(ctx, p))
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "resilvet does not handle %s", method)
}

// encode marshals a result with encoding/json, so that the types of
// protocol.go mean one thing on the wire.
func encode(v any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "resilvet: %v", err)
	}
	return jsonrpc2.RawMessage(data), nil
}

// decode unmarshals params, answering bad ones with InvalidParams.
func decode(params []byte, v any) error {
	if len(params) == 0 {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "missing params")
	}
	if err := json.Unmarshal(params, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "bad params: %v", err)
	}
	return nil
}

func (s *server) initialize(params []byte) (any, error) {
	var p initializeParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	var roots []string
	for _, f := range p.WorkspaceFolders {
		if dir, err := pathOf(f.URI); err == nil {
			roots = append(roots, dir)
		}
	}
	if len(roots) == 0 {
		if dir, err := pathOf(p.RootURI); err == nil {
			roots = append(roots, dir)
		} else if p.RootPath != "" {
			roots = append(roots, filepath.Clean(p.RootPath))
		}
	}
	s.mu.Lock()
	s.initialized = true
	s.roots = roots
	s.pull = len(p.Capabilities.TextDocument.Diagnostic) > 0 && string(p.Capabilities.TextDocument.Diagnostic) != "null"
	s.mu.Unlock()
	if len(p.InitializationOptions) > 0 {
		s.configure(context.Background(), p.InitializationOptions)
	}
	return initializeResult{
		Capabilities: serverCapabilities{
			TextDocumentSync:   textDocumentSyncOptions{OpenClose: true, Change: 2, Save: saveOptions{IncludeText: false}},
			CodeActionProvider: codeActionOptions{CodeActionKinds: []string{kindQuickFix, kindFixAll}},
			DiagnosticProvider: diagnosticOptions{Identifier: "resilvet", InterFileDependencies: true},
			PositionEncoding:   "utf-16",
		},
		ServerInfo: serverInfo{Name: "resilvet"},
	}, nil
}

// configure applies settings: the map of the golangci-lint plugin's
// settings, alone or under a "resilvet" key. Bad settings keep the current
// ones and are shown to the user.
func (s *server) configure(ctx context.Context, raw json.RawMessage) {
	var settings any
	if err := json.Unmarshal(raw, &settings); err != nil || settings == nil {
		return
	}
	if m, ok := settings.(map[string]any); ok {
		if inner, ok := m["resilvet"]; ok {
			settings = inner
		}
	}
	s.cfgMu.Lock()
	as, err := plugin.Configure(s.opts.Suite, settings)
	if err == nil {
		s.analyzers = as
	}
	s.cfgMu.Unlock()
	if err != nil {
		s.notify(ctx, "window/showMessage", showMessageParams{Type: messageError, Message: "resilvet: settings not applied: " + strings.TrimPrefix(err.Error(), "resilvet: ")})
		return
	}
	s.mu.Lock()
	dirs := make(map[string]bool)
	for name := range s.docs {
		dirs[filepath.Dir(name)] = true
	}
	for dir := range dirs {
		s.scheduleLocked(dir, 0)
	}
	s.mu.Unlock()
}

// notify sends a notification; a failure means the connection is closing.
func (s *server) notify(ctx context.Context, method string, params any) {
	data, err := json.Marshal(params)
	if err != nil {
		return
	}
	_ = s.conn.Notify(ctx, method, jsonrpc2.RawMessage(data))
}

// inWorkspace reports whether a file lies in a workspace folder.
func (s *server) inWorkspace(name string) bool {
	if len(s.roots) == 0 {
		return true
	}
	for _, root := range s.roots {
		if rel, err := filepath.Rel(root, name); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func (s *server) didOpen(p didOpenParams) {
	name, err := pathOf(p.TextDocument.URI)
	if err != nil || !strings.HasSuffix(name, ".go") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.inWorkspace(name) {
		return
	}
	s.docs[name] = &document{uri: p.TextDocument.URI, version: p.TextDocument.Version, text: []byte(p.TextDocument.Text)}
	s.scheduleLocked(filepath.Dir(name), 0)
}

func (s *server) didChange(p didChangeParams) {
	name, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	doc := s.docs[name]
	if doc == nil {
		return
	}
	text := doc.text
	for _, c := range p.ContentChanges {
		if c.Range == nil {
			text = []byte(c.Text)
			continue
		}
		start, err1 := offsetOf(text, c.Range.Start)
		end, err2 := offsetOf(text, c.Range.End)
		if err1 != nil || err2 != nil || start > end {
			// The client and the server disagree on the content: drop
			// the document rather than analyse a guess.
			delete(s.docs, name)
			return
		}
		next := make([]byte, 0, len(text)-(end-start)+len(c.Text))
		next = append(next, text[:start]...)
		next = append(next, c.Text...)
		text = append(next, text[end:]...)
	}
	doc.text, doc.version, doc.last = text, p.TextDocument.Version, nil
	s.scheduleLocked(filepath.Dir(name), s.opts.Debounce)
}

func (s *server) didSave(p didSaveParams) {
	name, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs[name] != nil {
		s.scheduleLocked(filepath.Dir(name), 0)
	}
}

func (s *server) didClose(p didCloseParams) {
	name, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return
	}
	s.mu.Lock()
	doc := s.docs[name]
	delete(s.docs, name)
	s.mu.Unlock()
	if doc != nil && !s.pull {
		s.notify(s.ctx, "textDocument/publishDiagnostics", publishDiagnosticsParams{URI: doc.uri, Diagnostics: []diagnostic{}})
	}
}

// stopAll cancels every scheduled and running analysis.
func (s *server) stopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.pkgs {
		if st.timer != nil {
			st.timer.Stop()
		}
		if st.cancel != nil {
			st.cancel()
		}
	}
}
