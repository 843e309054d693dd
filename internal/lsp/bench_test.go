package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers"
)

// BenchmarkDidOpenToDiagnostics measures the time from didOpen (or an
// edit) to the published diagnostics, on examples/antipatterns and on a
// generated package of 50 files:
//
//   - cold: a new server and a package the Go build cache has not seen
//     (a fresh copy in a new directory); the standard library's export
//     data is cached, as on any machine that has built Go code;
//   - warm: the same server reopening the file;
//   - edit: the same server after an edit (the debounce, 300ms by
//     default, is set to 1ms here so that only the analysis is timed).
//
// Besides the wall time, cpu-ms/op reports the CPU time of the process and
// of the go commands it ran (untimed setup included), which a loaded machine
// does not inflate.
//
// Run: go test -run '^$' -bench DidOpenToDiagnostics ./internal/lsp
func BenchmarkDidOpenToDiagnostics(b *testing.B) {
	for _, pkg := range []struct {
		name  string
		files func(b *testing.B) map[string]string
		open  string
	}{
		{"antipatterns", antipatterns, "ctxbackground.go"},
		{"generated50", generated50, "file00.go"},
	} {
		b.Run(pkg.name+"/cold", func(b *testing.B) {
			defer cpuPerOp(b)()
			for range b.N {
				b.StopTimer()
				dir := writeModule(b, pkg.files(b))
				c := startServer(b, Options{Suite: analyzers.All(), Debounce: time.Millisecond, Tests: true})
				c.initialize(dir, nil)
				name := filepath.Join(dir, pkg.open)
				text := readFile(b, name)
				b.StartTimer()
				uri := c.open(name, text, 1)
				require.NotEmpty(b, c.diagnostics(uri).Diagnostics)
				b.StopTimer()
				c.shutdown()
			}
		})
		b.Run(pkg.name+"/warm", func(b *testing.B) {
			dir := writeModule(b, pkg.files(b))
			c := startServer(b, Options{Suite: analyzers.All(), Debounce: time.Millisecond, Tests: true})
			c.initialize(dir, nil)
			name := filepath.Join(dir, pkg.open)
			text := readFile(b, name)
			uri := c.open(name, text, 1)
			c.diagnostics(uri)
			b.ResetTimer()
			defer cpuPerOp(b)()
			for i := range b.N {
				b.StopTimer()
				c.notify("textDocument/didClose", map[string]any{"textDocument": textDocumentIdentifier{URI: uri}})
				c.next(func(m wireMessage) bool { // the close clears them
					return m.Method == "textDocument/publishDiagnostics" && !strings.Contains(string(m.Params), `"version"`)
				})
				b.StartTimer()
				c.open(name, text, i+2)
				require.NotEmpty(b, c.diagnosticsAt(uri, i+2).Diagnostics)
			}
			b.StopTimer()
			c.shutdown()
		})
		b.Run(pkg.name+"/edit", func(b *testing.B) {
			dir := writeModule(b, pkg.files(b))
			c := startServer(b, Options{Suite: analyzers.All(), Debounce: time.Millisecond, Tests: true})
			c.initialize(dir, nil)
			name := filepath.Join(dir, pkg.open)
			text := readFile(b, name)
			uri := c.open(name, text, 1)
			c.diagnostics(uri)
			b.ResetTimer()
			defer cpuPerOp(b)()
			for i := range b.N {
				c.change(uri, fmt.Sprintf("%s// edit %d\n", text, i), i+2)
				require.NotEmpty(b, c.diagnosticsAt(uri, i+2).Diagnostics)
			}
			b.StopTimer()
			c.shutdown()
		})
	}
}

// cpuPerOp starts measuring CPU time; the function it returns reports it
// per operation.
func cpuPerOp(b *testing.B) func() {
	cpu := func() time.Duration {
		var self, children syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
		total := time.Duration(0)
		for _, ru := range []syscall.Rusage{self, children} {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		return total
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64((cpu()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

func readFile(b *testing.B, name string) string {
	data, err := os.ReadFile(name)
	require.NoError(b, err)
	return string(data)
}

// antipatterns returns the files of examples/antipatterns.
func antipatterns(b *testing.B) map[string]string {
	dir := filepath.Join("..", "..", "examples", "antipatterns")
	entries, err := os.ReadDir(dir)
	require.NoError(b, err)
	files := make(map[string]string)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") {
			files[e.Name()] = readFile(b, filepath.Join(dir, e.Name()))
		}
	}
	return files
}

// generated50 returns a package of 50 files of service code, each with a
// context.Background() finding and code the checks look at and accept.
func generated50(*testing.B) map[string]string {
	files := make(map[string]string)
	for i := range 50 {
		files[fmt.Sprintf("file%02d.go", i)] = fmt.Sprintf(`package gen

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Service%[1]d calls one dependency.
type Service%[1]d struct {
	client *http.Client
	mu     sync.RWMutex
	cache  map[string]string
}

// NewService%[1]d returns a service with a bounded client.
func NewService%[1]d() *Service%[1]d {
	return &Service%[1]d{client: &http.Client{Timeout: 5 * time.Second}, cache: map[string]string{}}
}

// Fetch drops the caller's deadline: the finding of this file.
func (s *Service%[1]d) Fetch(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req)
}

// Get reads the cache, and fills it under the write lock after re-checking.
func (s *Service%[1]d) Get(key string) string {
	s.mu.RLock()
	v, ok := s.cache[key]
	s.mu.RUnlock()
	if ok {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.cache[key]; ok {
		return v
	}
	s.cache[key] = key
	return key
}

// Wait waits for a second or until ctx is done.
func (s *Service%[1]d) Wait(ctx context.Context) error {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var errNotFound%[1]d = errors.New("not found")

// Lookup returns errNotFound%[1]d for an empty key.
func Lookup%[1]d(key string) error {
	if key == "" {
		return errNotFound%[1]d
	}
	return nil
}
`, i)
	}
	return files
}
