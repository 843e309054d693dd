// Package leakcheck finds goroutines a test left running.
//
// Call Check(t) first in a test: its check is a t.Cleanup registered before
// any other, so it runs last, after the test's servers and clients are closed.
package leakcheck

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Timeout bounds how long Check's returned function waits for goroutines
// that are already on their way out (a cancelled request unwinding).
var Timeout = 5 * time.Second

// Check records the goroutines running now and, when the test and all its
// later cleanups are done, fails t if goroutines started since are still
// running after Timeout; it lists their stacks.
func Check(t testing.TB) {
	t.Helper()
	base := map[string]bool{}
	for _, g := range goroutines() {
		base[id(g)] = true
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(Timeout)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var leaked []string
			for _, g := range goroutines() {
				if !base[id(g)] && !ignored(g) {
					leaked = append(leaked, g)
				}
			}
			if len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutine(s) leaked:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
				return
			}
			// Polling is the only way to observe a goroutine's exit from outside.
			<-tick.C
		}
	})
}

func goroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if s := strings.TrimSpace(string(g)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// id returns "goroutine N" from a stack dump's first line.
func id(g string) string {
	first, _, _ := strings.Cut(g, "\n")
	if i := strings.Index(first, " ["); i > 0 {
		return first[:i]
	}
	return first
}

// ignored are goroutines the runtime or testing start on their own. Tests
// using Check run sequentially, so any other new goroutine is the test's.
func ignored(g string) bool {
	return strings.Contains(g, "os/signal.signal_recv") || strings.Contains(g, "testing.tRunner(")
}
