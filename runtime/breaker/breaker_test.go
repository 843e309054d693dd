package breaker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/internal/fakeclock"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

var errBoom = errors.New("boom")

func fail(context.Context) error { return errBoom }
func ok(context.Context) error   { return nil }

func mustState(t *testing.T, b *Breaker, want State) {
	t.Helper()
	if got := b.State(); got != want {
		t.Fatalf("state = %v, want %v", got, want)
	}
}

// tripped returns a breaker that has just opened.
func tripped(t *testing.T, cfg Config) (*Breaker, *fakeclock.Clock) {
	t.Helper()
	clk := fakeclock.New()
	cfg.Clock = clk
	if cfg.FailureThreshold == 0 && cfg.FailureRate == 0 {
		cfg.FailureThreshold = 1
	}
	b := New("dep", cfg)
	for b.State() == Closed {
		_ = b.Do(context.Background(), fail)
	}
	mustState(t, b, Open)
	return b, clk
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Closed: "closed", Open: "open", HalfOpen: "half-open", State(9): "unknown"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(s), s.String(), want)
		}
	}
}

func TestConsecutiveFailuresOpen(t *testing.T) {
	b := New("dep", Config{Clock: fakeclock.New()})
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		if err := b.Do(ctx, fail); err != errBoom {
			t.Fatalf("Do = %v, want errBoom", err)
		}
	}
	_ = b.Do(ctx, ok) // a success resets the run
	for i := 0; i < 4; i++ {
		_ = b.Do(ctx, fail)
	}
	mustState(t, b, Closed)
	_ = b.Do(ctx, fail) // fifth in a row
	mustState(t, b, Open)
	called := false
	err := b.Do(ctx, func(context.Context) error { called = true; return nil })
	if !errors.Is(err, ErrOpen) || called {
		t.Fatalf("open breaker: err = %v, called = %v; want ErrOpen and fn not called", err, called)
	}
}

func TestOpenTimeoutThenProbeCloses(t *testing.T) {
	b, clk := tripped(t, Config{OpenTimeout: 10 * time.Second})
	clk.Advance(9 * time.Second)
	if err := b.Do(context.Background(), ok); !errors.Is(err, ErrOpen) {
		t.Fatalf("before OpenTimeout: err = %v, want ErrOpen", err)
	}
	clk.Advance(time.Second)
	if err := b.Do(context.Background(), ok); err != nil {
		t.Fatalf("probe: err = %v", err)
	}
	mustState(t, b, Closed)
	if clk.Pending() != 0 {
		t.Fatalf("probe timer not stopped")
	}
}

// TestHalfOpenAdmitsExactlyProbes sends hundreds of callers at a breaker
// that has just become probe-able: exactly HalfOpenProbes may run.
func TestHalfOpenAdmitsExactlyProbes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		probes   int
		failOne  bool
		want     State
		callers  int
		admitted int
	}{
		{"all succeed", 3, false, Closed, 300, 3},
		{"one fails", 3, true, Open, 300, 3},
		{"single probe", 0, false, Closed, 300, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			b, clk := tripped(t, Config{OpenTimeout: time.Second, HalfOpenProbes: tc.probes})
			clk.Advance(time.Second)

			var entered atomic.Int32
			inFn := make(chan struct{}, tc.callers)
			release := make(chan struct{})
			start := make(chan struct{})
			results := make(chan error, tc.callers)
			var wg sync.WaitGroup
			for i := 0; i < tc.callers; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results <- b.Do(context.Background(), func(context.Context) error {
						n := entered.Add(1)
						inFn <- struct{}{}
						<-release
						if tc.failOne && n == 1 {
							return errBoom
						}
						return nil
					})
				}()
			}
			close(start)
			// Every caller that is not a probe must be rejected without waiting
			// for the probes, which are all still blocked.
			for i := 0; i < tc.callers-tc.admitted; i++ {
				if err := <-results; !errors.Is(err, ErrOpen) {
					t.Fatalf("non-probe caller: err = %v, want ErrOpen", err)
				}
			}
			for i := 0; i < tc.admitted; i++ {
				<-inFn
			}
			mustState(t, b, HalfOpen)
			if n := entered.Load(); int(n) != tc.admitted {
				t.Fatalf("%d probes ran, want %d", n, tc.admitted)
			}
			close(release)
			wg.Wait()
			mustState(t, b, tc.want)
		})
	}
}

func TestHalfOpenProbesAllMustSucceed(t *testing.T) {
	b, clk := tripped(t, Config{OpenTimeout: time.Second, HalfOpenProbes: 2})
	clk.Advance(time.Second)
	if err := b.Do(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	mustState(t, b, HalfOpen) // one of two probes done
	if err := b.Do(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	mustState(t, b, Closed)
	// The consecutive count starts afresh after closing.
	_ = b.Do(context.Background(), fail)
	mustState(t, b, Open)
}

// A probe that hangs past ProbeTimeout gives its slot to the next caller,
// so the breaker is never wedged half-open; a late result from a half-open
// period that has ended changes nothing.
func TestHungProbeTimesOut(t *testing.T) {
	leakcheck.Check(t)
	ctx := context.Background()
	b, clk := tripped(t, Config{OpenTimeout: time.Second, ProbeTimeout: 5 * time.Second})
	clk.Advance(time.Second)

	release := make(chan struct{})
	entered := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- b.Do(ctx, func(context.Context) error {
			close(entered)
			<-release
			return nil
		})
	}()
	<-entered
	require.ErrorIs(t, b.Do(ctx, ok), ErrOpen, "the only slot is taken")
	clk.Advance(5 * time.Second)
	require.Equal(t, HalfOpen, b.State())

	require.ErrorIs(t, b.Do(ctx, fail), errBoom, "the hung probe still holds the slot")
	require.Equal(t, Open, b.State())
	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, Open, b.State(), "a success from an ended half-open period counted")

	clk.Advance(time.Second)
	require.NoError(t, b.Do(ctx, ok))
	assert.Equal(t, Closed, b.State())
}

func TestPanicCountsAsFailure(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		b := New("dep", Config{FailureThreshold: 1, Clock: fakeclock.New()})
		if r := catch(func() { _ = b.Do(context.Background(), func(context.Context) error { panic("bad") }) }); r != "bad" {
			t.Fatalf("recovered %v, want the original panic", r)
		}
		mustState(t, b, Open)
	})
	t.Run("probe", func(t *testing.T) {
		b, clk := tripped(t, Config{OpenTimeout: time.Second})
		clk.Advance(time.Second)
		if r := catch(func() { _ = b.Do(context.Background(), func(context.Context) error { panic("bad") }) }); r != "bad" {
			t.Fatalf("recovered %v, want the original panic", r)
		}
		mustState(t, b, Open)
		if clk.Pending() != 1 { // only the new open period's timer
			t.Fatal("probe timer left running after a panic")
		}
		clk.Advance(time.Second) // not stuck: the next period admits a probe
		if err := b.Do(context.Background(), ok); err != nil {
			t.Fatal(err)
		}
		mustState(t, b, Closed)
	})
}

func catch(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

func TestDoneContextNotCalled(t *testing.T) {
	b := New("dep", Config{FailureThreshold: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	if err := b.Do(ctx, func(context.Context) error { called = true; return nil }); err != context.Canceled || called {
		t.Fatalf("err = %v, called = %v; want context.Canceled and not called", err, called)
	}
	mustState(t, b, Closed)
}

func TestCallerCancelIsNotFailure(t *testing.T) {
	var outcomes []Outcome
	b := New("dep", Config{FailureThreshold: 1, OnCall: func(_ string, o Outcome) { outcomes = append(outcomes, o) }})
	ctx, cancel := context.WithCancel(context.Background())
	err := b.Do(ctx, func(ctx context.Context) error {
		cancel()
		return ctx.Err()
	})
	if err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	mustState(t, b, Closed)

	// A deadline that expires is the dependency being slow: a failure.
	dctx, dcancel := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer dcancel()
	_ = b.Do(context.Background(), func(context.Context) error { return dctx.Err() })
	mustState(t, b, Open)
	_ = b.Do(context.Background(), ok)
	if want := []Outcome{Ignored, Failure, Rejected}; !equal(outcomes, want) {
		t.Fatalf("outcomes = %v, want %v", outcomes, want)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestProbeCancelledByCallerFreesSlot(t *testing.T) {
	b, clk := tripped(t, Config{OpenTimeout: time.Second})
	clk.Advance(time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	_ = b.Do(ctx, func(ctx context.Context) error { cancel(); return ctx.Err() })
	mustState(t, b, HalfOpen)
	if err := b.Do(context.Background(), ok); err != nil {
		t.Fatalf("slot not given back: %v", err)
	}
	mustState(t, b, Closed)
}

func TestIsFailure(t *testing.T) {
	errNotFound := errors.New("not found")
	b := New("dep", Config{FailureThreshold: 1, IsFailure: func(err error) bool {
		return err != nil && !errors.Is(err, errNotFound)
	}})
	_ = b.Do(context.Background(), func(context.Context) error { return errNotFound })
	mustState(t, b, Closed)
	_ = b.Do(context.Background(), fail)
	mustState(t, b, Open)
}

func TestSlowCall(t *testing.T) {
	clk := fakeclock.New()
	b := New("dep", Config{FailureThreshold: 2, SlowCall: 100 * time.Millisecond, Clock: clk})
	slow := func(context.Context) error { clk.Advance(101 * time.Millisecond); return nil }
	fast := func(context.Context) error { clk.Advance(100 * time.Millisecond); return nil }
	_ = b.Do(context.Background(), slow)
	_ = b.Do(context.Background(), fast)
	_ = b.Do(context.Background(), slow)
	mustState(t, b, Closed)
	_ = b.Do(context.Background(), slow)
	mustState(t, b, Open)
}

func TestFailureRateWindow(t *testing.T) {
	clk := fakeclock.New()
	b := New("dep", Config{FailureRate: 0.5, MinCalls: 10, Window: 10 * time.Second, Clock: clk})
	ctx := context.Background()
	for i := 0; i < 9; i++ { // all failures, but fewer than MinCalls
		_ = b.Do(ctx, fail)
	}
	mustState(t, b, Closed)
	clk.Advance(10 * time.Second) // they slide out of the window
	for i := 0; i < 9; i++ {
		_ = b.Do(ctx, ok)
	}
	// Had the old failures been kept, 10 of 19 calls would have failed.
	for f := 1; f < 9; f++ {
		_ = b.Do(ctx, fail)
		mustState(t, b, Closed) // f of 9+f calls failed: under half
	}
	_ = b.Do(ctx, fail) // 9 of 18
	mustState(t, b, Open)
}

func TestFailureRateBelowThreshold(t *testing.T) {
	clk := fakeclock.New()
	b := New("dep", Config{FailureRate: 0.5, MinCalls: 4, Clock: clk})
	for i := 0; i < 100; i++ { // one in three fails, forever
		if i%3 == 2 {
			_ = b.Do(context.Background(), fail)
		} else {
			_ = b.Do(context.Background(), ok)
		}
		clk.Advance(100 * time.Millisecond)
	}
	mustState(t, b, Closed)
}

func TestOnStateChangeMayCallBack(t *testing.T) {
	clk := fakeclock.New()
	var b *Breaker
	var seen []string
	b = New("inventory", Config{
		FailureThreshold: 1,
		OpenTimeout:      time.Second,
		Clock:            clk,
		OnStateChange: func(name string, from, to State) {
			// State() must not deadlock and must already show the new state.
			seen = append(seen, name+":"+from.String()+">"+to.String()+"="+b.State().String())
		},
	})
	_ = b.Do(context.Background(), fail)
	clk.Advance(time.Second)
	_ = b.Do(context.Background(), ok)
	want := []string{"inventory:closed>open=open", "inventory:open>half-open=half-open", "inventory:half-open>closed=closed"}
	if !equal(seen, want) {
		t.Fatalf("hooks saw %v, want %v", seen, want)
	}
}

func TestOnStateChangeReentrant(t *testing.T) {
	// A hook that itself drives the breaker must neither deadlock nor see
	// changes out of order.
	clk := fakeclock.New()
	var b *Breaker
	var seen []State
	b = New("dep", Config{FailureThreshold: 1, OpenTimeout: time.Second, Clock: clk,
		OnStateChange: func(_ string, _, to State) {
			seen = append(seen, to)
			if to == Open && len(seen) == 1 {
				clk.Advance(time.Second)
				_ = b.Do(context.Background(), fail) // half-open, then open again
			}
		}})
	_ = b.Do(context.Background(), fail)
	if want := []State{Open, HalfOpen, Open}; !equal(seen, want) {
		t.Fatalf("seen %v, want %v", seen, want)
	}
}

func TestSlog(t *testing.T) {
	var buf bytes.Buffer
	b := New("pricing", Config{FailureThreshold: 1, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	_ = b.Do(context.Background(), fail)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if rec["breaker"] != "pricing" || rec["from"] != "closed" || rec["to"] != "open" || rec["level"] != "WARN" {
		t.Fatalf("log record %v", rec)
	}
	if !strings.Contains(rec["msg"].(string), "state change") {
		t.Fatalf("msg %q", rec["msg"])
	}
}

func TestCall(t *testing.T) {
	b := New("dep", Config{})
	v, err := Call(context.Background(), b, func(context.Context) (int, error) { return 42, nil })
	if v != 42 || err != nil {
		t.Fatalf("Call = %v, %v", v, err)
	}
	if b.Name() != "dep" {
		t.Fatalf("Name = %q", b.Name())
	}
}

// TestConcurrentClosedCounting hammers the lock-free closed path: with
// only failures, the breaker must open, and exactly one Closed->Open
// transition is reported however many goroutines cross the threshold.
func TestConcurrentClosedCounting(t *testing.T) {
	for name, cfg := range map[string]Config{
		"consecutive": {FailureThreshold: 50},
		"rate":        {FailureRate: 0.5, MinCalls: 50},
	} {
		t.Run(name, func(t *testing.T) { concurrentClosed(t, cfg) })
	}
}

func concurrentClosed(t *testing.T, cfg Config) {
	var opens atomic.Int32
	cfg.OnStateChange = func(_ string, _, to State) {
		if to == Open {
			opens.Add(1)
		}
	}
	b := New("dep", cfg)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				_ = b.Do(context.Background(), fail)
			}
		}()
	}
	wg.Wait()
	mustState(t, b, Open)
	if n := opens.Load(); n != 1 {
		t.Fatalf("%d open transitions, want 1", n)
	}
}

func TestClosedPathAllocatesNothing(t *testing.T) {
	b := New("dep", Config{})
	rate := New("dep", Config{FailureRate: 0.5, SlowCall: time.Second})
	ctx := context.Background()
	for name, f := range map[string]func(){
		"Do":         func() { _ = b.Do(ctx, ok) },
		"Do/failure": func() { _ = b.Do(ctx, fail); _ = b.Do(ctx, ok) },
		"Do/rate":    func() { _ = rate.Do(ctx, ok) },
		"Call":       func() { _, _ = Call(ctx, b, func(context.Context) (int, error) { return 1, nil }) },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocs per call, want 0", name, n)
		}
	}
	open := New("dep", Config{FailureThreshold: 1})
	_ = open.Do(ctx, fail)
	if n := testing.AllocsPerRun(1000, func() { _ = open.Do(ctx, ok) }); n != 0 {
		t.Errorf("rejection: %v allocs per call, want 0", n)
	}
}

func BenchmarkDoClosed(b *testing.B) {
	br := New("dep", Config{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Do(ctx, ok)
	}
}

func BenchmarkDoClosedParallel(b *testing.B) {
	br := New("dep", Config{})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = br.Do(ctx, ok)
		}
	})
}

func BenchmarkDoClosedRateWindow(b *testing.B) {
	br := New("dep", Config{FailureRate: 0.5})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Do(ctx, ok)
	}
}

func BenchmarkDoOpen(b *testing.B) {
	br := New("dep", Config{FailureThreshold: 1})
	ctx := context.Background()
	_ = br.Do(ctx, fail)
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Do(ctx, ok)
	}
}

// TestLateResultFromEarlierGeneration: a call admitted while closed that
// returns after the breaker opened and closed again must not count against
// the new closed period.
func TestLateResultFromEarlierGeneration(t *testing.T) {
	b := New("dep", Config{FailureThreshold: 1, OpenTimeout: time.Second, Clock: fakeclock.New()})
	clk := b.clock.(*fakeclock.Clock)
	in := make(chan struct{})
	out := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- b.Do(context.Background(), func(context.Context) error {
			close(in)
			<-out
			return errBoom
		})
	}()
	<-in
	_ = b.Do(context.Background(), fail)
	mustState(t, b, Open)
	clk.Advance(time.Second)
	_ = b.Do(context.Background(), ok)
	mustState(t, b, Closed)
	close(out)
	<-done
	mustState(t, b, Closed)
	_ = b.Do(context.Background(), fail) // the new period still counts normally
	mustState(t, b, Open)
}

func TestGenerationWraps(t *testing.T) {
	if g := nextGen(1<<30 - 1); g != 0 {
		t.Fatalf("nextGen(max) = %d, want 0", g)
	}
	w := mkWord(nextGen(1<<30-1), Open)
	if wGen(w) != 0 || wState(w) != Open || wCount(w) != 0 {
		t.Fatalf("word %x decodes to gen %d state %v count %d", w, wGen(w), wState(w), wCount(w))
	}
}

// After the generation wraps, a half-open period can have generation 0,
// which must not read as "every probe slot taken" (the zero value of the
// marker, and what a cancelled probe used to reset it to): the breaker would
// reject every further probe and never leave half-open.
func TestHalfOpenAtGenerationZero(t *testing.T) {
	clk := fakeclock.New()
	b := New("dep", Config{FailureThreshold: 1, OpenTimeout: time.Second, HalfOpenProbes: 2, Clock: clk})
	b.word.Store(mkWord(1<<30-2, Closed)) // trip, then probe, lands on generation 0
	ctx := context.Background()
	_ = b.Do(ctx, func(context.Context) error { return errBoom })
	clk.Advance(time.Second)

	var second error
	err := b.Do(ctx, func(context.Context) error {
		if g := wGen(b.word.Load()); g != 0 || b.State() != HalfOpen {
			t.Fatalf("probing in generation %d, state %v; want 0, half-open", g, b.State())
		}
		second = b.Do(ctx, func(context.Context) error { return nil }) // the second probe slot
		return nil
	})
	if err != nil || second != nil {
		t.Fatalf("probes in generation 0: %v, %v; want both admitted", err, second)
	}
	if b.State() != Closed {
		t.Fatalf("state %v after both probes succeeded, want closed", b.State())
	}

	// A probe cancelled by its caller frees its slot without wedging either.
	b.word.Store(mkWord(1<<30-2, Closed))
	b.full.Store(noGen)
	_ = b.Do(ctx, func(context.Context) error { return errBoom })
	clk.Advance(time.Second)
	cctx, cancel := context.WithCancel(ctx)
	_ = b.Do(cctx, func(context.Context) error { cancel(); return context.Canceled })
	for range 2 {
		if err := b.Do(ctx, func(context.Context) error { return nil }); err != nil {
			t.Fatalf("probe after a cancelled one: %v", err)
		}
	}
	if b.State() != Closed {
		t.Fatalf("state %v, want closed", b.State())
	}
}
