package lsp

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers"
)

// diagnosticsAt waits for the diagnostics of uri at version.
func (c *testClient) diagnosticsAt(uri string, version int) publishDiagnosticsParams {
	c.t.Helper()
	var p publishDiagnosticsParams
	c.next(func(m wireMessage) bool {
		if m.Method != "textDocument/publishDiagnostics" {
			return false
		}
		require.NoError(c.t, json.Unmarshal(m.Params, &p))
		return p.URI == uri && p.Version != nil && *p.Version == version
	})
	return p
}

// settled returns the goroutine count and live heap once the garbage
// collector has run.
func settled() (int, uint64) {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

// TestNoGrowthOver1000Edits sends 1,000 edits, each cancelling the
// analysis of the one before (the debounce is 1ms so analyses do start),
// and checks that goroutines and the live heap come back to where they were.
func TestNoGrowthOver1000Edits(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 edits with analyses: not in -short")
	}
	dir := writeModule(t, map[string]string{"a.go": utf16Src})
	c := startServer(t, Options{Suite: analyzers.All(), Debounce: time.Millisecond})
	c.initialize(dir, nil)
	uri := c.open(filepath.Join(dir, "a.go"), utf16Src, 1)
	version := 1
	edits := func(n int) {
		for range n {
			version++
			c.change(uri, fmt.Sprintf("%s// edit %d\n", utf16Src, version), version)
		}
		p := c.diagnosticsAt(uri, version)
		require.Len(t, p.Diagnostics, 1)
	}
	edits(100) // warm up: pools, caches, the timer
	g0, h0 := settled()
	edits(1000)
	g1, h1 := settled()
	t.Logf("after 100 edits: %d goroutines, %d KiB live heap; after 1,000 more: %d goroutines, %d KiB live heap",
		g0, h0>>10, g1, h1>>10)
	assert.LessOrEqual(t, g1, g0+2, "goroutines grew over 1,000 edits")
	assert.Less(t, int64(h1)-int64(h0), int64(4<<20), "the live heap grew by more than 4 MiB over 1,000 edits")
	c.shutdown()
}
