package retry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

var errTransient = errors.New("transient")

// fast keeps waits negligible: full jitter over 1ns is always 0.
func fast() Policy { return Policy{BaseDelay: time.Nanosecond, MaxDelay: time.Nanosecond} }

func outcomes(p *Policy) *[]Outcome {
	var mu sync.Mutex
	var got []Outcome
	p.OnAttempt = func(a Attempt) { mu.Lock(); got = append(got, a.Outcome); mu.Unlock() }
	return &got
}

func TestDoSucceedsAfterTransientFailures(t *testing.T) {
	p := fast()
	got := outcomes(&p)
	calls := 0
	err := Do(context.Background(), p, func(context.Context) error {
		calls++
		if calls < 3 {
			return errTransient
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err=%v calls=%d, want nil 3", err, calls)
	}
	if want := []Outcome{OutcomeRetry, OutcomeRetry, OutcomeSuccess}; fmt.Sprint(*got) != fmt.Sprint(want) {
		t.Fatalf("outcomes %v, want %v", *got, want)
	}
}

func TestDoGivesUpWithLastError(t *testing.T) {
	p := fast()
	p.MaxAttempts = 4
	got := outcomes(&p)
	calls := 0
	err := Do(context.Background(), p, func(context.Context) error {
		calls++
		return fmt.Errorf("attempt %d: %w", calls, errTransient)
	})
	if calls != 4 || !errors.Is(err, errTransient) || err.Error() != "attempt 4: transient" {
		t.Fatalf("calls=%d err=%v", calls, err)
	}
	if want := []Outcome{OutcomeRetry, OutcomeRetry, OutcomeRetry, OutcomeFailure}; fmt.Sprint(*got) != fmt.Sprint(want) {
		t.Fatalf("outcomes %v, want %v", *got, want)
	}
}

func TestDoDefaultsToThreeAttempts(t *testing.T) {
	calls := 0
	_ = Do(context.Background(), fast(), func(context.Context) error { calls++; return errTransient })
	if calls != DefaultMaxAttempts {
		t.Fatalf("calls=%d, want %d", calls, DefaultMaxAttempts)
	}
}

func TestDoPermanentAndClassifier(t *testing.T) {
	calls := 0
	err := Do(context.Background(), fast(), func(context.Context) error { calls++; return Permanent(errTransient) })
	if calls != 1 || err != errTransient {
		t.Fatalf("permanent: calls=%d err=%#v, want 1 and the unwrapped error", calls, err)
	}
	if Permanent(nil) != nil {
		t.Fatal("Permanent(nil) != nil")
	}
	errBad := errors.New("bad request")
	p := fast()
	p.Retryable = func(err error) bool { return !errors.Is(err, errBad) }
	calls = 0
	err = Do(context.Background(), p, func(context.Context) error { calls++; return errBad })
	if calls != 1 || err != errBad {
		t.Fatalf("classifier: calls=%d err=%v", calls, err)
	}
}

func TestDoContextBoundsEverything(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	err := Do(ctx, fast(), func(context.Context) error { calls++; return nil })
	if calls != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("done ctx: calls=%d err=%v", calls, err)
	}

	// The context's own error is never retried.
	ctx, cancel = context.WithCancel(context.Background())
	calls = 0
	err = Do(ctx, fast(), func(ctx context.Context) error { calls++; cancel(); return ctx.Err() })
	if calls != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel in fn: calls=%d err=%v", calls, err)
	}

	// A long backoff ends when ctx does; the last error stays reachable.
	ctx, cancel = context.WithCancel(context.Background())
	p := Policy{BaseDelay: time.Hour, MaxDelay: time.Hour, Jitter: NoJitter}
	p.OnAttempt = func(a Attempt) {
		if a.Outcome == OutcomeRetry {
			cancel() // cancelled while Do is about to wait an hour
		}
	}
	calls = 0
	err = Do(ctx, p, func(context.Context) error { calls++; return errTransient })
	if calls != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, errTransient) {
		t.Fatalf("cancel in wait: calls=%d err=%v", calls, err)
	}
}

func TestDoAttemptTimeoutIsRetried(t *testing.T) {
	p := fast()
	p.AttemptTimeout = time.Millisecond
	calls := 0
	err := Do(context.Background(), p, func(ctx context.Context) error {
		calls++
		if _, ok := ctx.Deadline(); !ok {
			t.Error("attempt context has no deadline")
		}
		<-ctx.Done()
		return ctx.Err()
	})
	if calls != 3 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("calls=%d err=%v", calls, err)
	}
}

func TestBackoff(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, Jitter: NoJitter}
	want := []time.Duration{100, 100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if got := Backoff(p, i); got != w*time.Millisecond {
			t.Errorf("Backoff(%d) = %v, want %v", i, got, w*time.Millisecond)
		}
	}
	if got := Backoff(p, 1<<30); got != time.Second {
		t.Errorf("huge attempt: %v, want the cap", got)
	}
	if got := Backoff(Policy{Jitter: NoJitter}, 1); got != DefaultBaseDelay {
		t.Errorf("zero policy: %v", got)
	}
	if got := Backoff(Policy{BaseDelay: 30 * time.Second, Jitter: NoJitter}, 3); got != 30*time.Second {
		t.Errorf("base above the default cap: %v, want the base itself", got)
	}
	for i := 0; i < 1000; i++ {
		if d := Backoff(Policy{BaseDelay: time.Second, MaxDelay: time.Second}, 1); d < 0 || d >= time.Second {
			t.Fatalf("full jitter out of [0,1s): %v", d)
		}
		if d := Backoff(Policy{BaseDelay: time.Second, MaxDelay: time.Second, Jitter: EqualJitter}, 1); d < time.Second/2 || d >= time.Second {
			t.Fatalf("equal jitter out of [0.5s,1s): %v", d)
		}
	}
	// Full jitter really spreads: 1000 draws over 1s are not all in one decile.
	var deciles [10]int
	for i := 0; i < 1000; i++ {
		deciles[Backoff(Policy{BaseDelay: time.Second, MaxDelay: time.Second}, 1)/(100*time.Millisecond)]++
	}
	for i, n := range deciles {
		if n == 0 {
			t.Fatalf("decile %d empty: %v", i, deciles)
		}
	}
}

func TestWait(t *testing.T) {
	if err := Wait(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if err := Wait(context.Background(), time.Microsecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Wait(ctx, time.Hour) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err=%v", err)
	}
	if err := Wait(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("done ctx, zero wait: %v", err)
	}
}

func TestNewKey(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		k := NewKey()
		if len(k) != 32 {
			t.Fatalf("key %q: want 32 hex chars", k)
		}
		for _, c := range k {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				t.Fatalf("key %q is not hex", k)
			}
		}
		if seen[k] {
			t.Fatalf("duplicate key %q", k)
		}
		seen[k] = true
	}
}

// Under 100% failure a budget turns retries off: attempts per call tend to 1.
func TestBudgetStopsRetryStorm(t *testing.T) {
	const calls = 200
	run := func(b *Budget) int {
		p := fast()
		p.Budget = b
		attempts := 0
		for i := 0; i < calls; i++ {
			_ = Do(context.Background(), p, func(context.Context) error { attempts++; return errTransient })
		}
		return attempts
	}
	without := run(nil)
	with := run(NewBudget(10, 0.1))
	t.Logf("100%% failure, %d calls, 3 attempts max: %d attempts without budget (%.2f/call), %d with (%.2f/call)",
		calls, without, float64(without)/calls, with, float64(with)/calls)
	if without != 3*calls {
		t.Fatalf("without budget: %d attempts", without)
	}
	if r := float64(with) / calls; r > 1.05 {
		t.Fatalf("with budget: %.2f attempts per call, want <= 1.05", r)
	}
}

func TestBudgetRefillsOnSuccess(t *testing.T) {
	b := NewBudget(10, 0.5)
	for i := 0; i < 20; i++ {
		b.failure()
	}
	if b.allow() || b.Tokens() != 0 {
		t.Fatalf("drained budget allows retries (tokens %v)", b.Tokens())
	}
	for i := 0; i < 10; i++ { // +5 tokens: exactly half, still throttled
		b.success()
	}
	if b.allow() {
		t.Fatalf("half-full budget allows retries (tokens %v)", b.Tokens())
	}
	b.success()
	if !b.allow() {
		t.Fatalf("refilled budget refuses retries (tokens %v)", b.Tokens())
	}
	for i := 0; i < 100; i++ {
		b.success()
	}
	if b.Tokens() != 10 {
		t.Fatalf("tokens %v exceed the cap", b.Tokens())
	}
	var nilBudget *Budget
	if !nilBudget.allow() {
		t.Fatal("nil budget refuses")
	}
}

func TestBudgetConcurrent(t *testing.T) {
	b := NewBudget(100, 1)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				b.failure()
				b.success()
				_ = b.allow()
			}
		}()
	}
	wg.Wait()
	if tk := b.Tokens(); tk < 0 || tk > 100 {
		t.Fatalf("tokens %v out of range", tk)
	}
}

func TestDoSuccessDoesNotAllocate(t *testing.T) {
	p := Policy{Budget: NewBudget(0, 0), OnAttempt: func(Attempt) {}}
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	if n := testing.AllocsPerRun(100, func() { _ = Do(ctx, p, fn) }); n != 0 {
		t.Fatalf("Do success path: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Backoff(p, 3) }); n != 0 {
		t.Fatalf("Backoff: %v allocs, want 0", n)
	}
}

func BenchmarkDoSuccess(b *testing.B) {
	p := Policy{Budget: NewBudget(0, 0)}
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		_ = Do(ctx, p, fn)
	}
}

func BenchmarkBudget(b *testing.B) {
	bu := NewBudget(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		bu.failure()
		bu.success()
		_ = bu.allow()
	}
}
