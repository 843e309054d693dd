package leakcheck

import (
	"strings"
	"testing"
	"time"
)

// fakeT captures what Check reports instead of failing the real test.
type fakeT struct {
	testing.TB
	cleanups []func()
	errs     []string
}

func (f *fakeT) Helper()                           {}
func (f *fakeT) Cleanup(fn func())                 { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) Errorf(format string, args ...any) { f.errs = append(f.errs, format) }

func (f *fakeT) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestCheckFindsLeakAndAcceptsExit(t *testing.T) {
	old := Timeout
	Timeout = 50 * time.Millisecond
	defer func() { Timeout = old }()

	f := &fakeT{TB: t}
	Check(f)
	stop := make(chan struct{})
	go func() { <-stop }()
	f.finish()
	if len(f.errs) != 1 || !strings.Contains(f.errs[0], "leaked") {
		t.Fatalf("leak not reported: %v", f.errs)
	}
	close(stop)

	f = &fakeT{TB: t}
	Check(f)
	done := make(chan struct{})
	go func() { <-done }()
	close(done) // exits soon after: Check must wait for it rather than report
	f.finish()
	if len(f.errs) != 0 {
		t.Fatalf("exiting goroutine reported as leaked: %v", f.errs)
	}
}
