package bulkhead

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/adaptive"
	"github.com/resilvet/resilvet/runtime/internal/fakeclock"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

func ok(context.Context) error { return nil }

// waitQueued yields until n callers are queued in b. The queue length is
// the event we wait for; there is nothing to sleep on.
func waitQueued(t *testing.T, b *Bulkhead, n int64) {
	t.Helper()
	for i := 0; b.waiting.Load() != n; i++ {
		if i > 1_000_000 {
			t.Fatalf("%d callers queued, want %d", b.waiting.Load(), n)
		}
		runtime.Gosched()
	}
}

// hold occupies one slot of b until the returned func is called.
func hold(t *testing.T, b *Bulkhead) (release func()) {
	t.Helper()
	in := make(chan struct{})
	out := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- b.Do(context.Background(), func(context.Context) error {
			close(in)
			<-out
			return nil
		})
	}()
	<-in
	return func() {
		close(out)
		if err := <-done; err != nil {
			t.Errorf("holder: %v", err)
		}
	}
}

func TestRejectsWhenFull(t *testing.T) {
	var rejected []string
	b := New("recommendations", 2, WithOnReject(func(name string) { rejected = append(rejected, name) }))
	r1, r2 := hold(t, b), hold(t, b)
	if b.InFlight() != 2 || b.Max() != 2 || b.Name() != "recommendations" {
		t.Fatalf("InFlight %d Max %d Name %q", b.InFlight(), b.Max(), b.Name())
	}
	called := false
	if err := b.Do(context.Background(), func(context.Context) error { called = true; return nil }); err != ErrFull || called {
		t.Fatalf("full: err %v called %v, want ErrFull without calling", err, called)
	}
	if len(rejected) != 1 || rejected[0] != "recommendations" {
		t.Fatalf("OnReject saw %v", rejected)
	}
	r1()
	if err := b.Do(context.Background(), ok); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	r2()
	if b.InFlight() != 0 {
		t.Fatalf("InFlight %d after all returned", b.InFlight())
	}
}

func TestDoneContextNotCalled(t *testing.T) {
	b := New("dep", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Do(ctx, func(context.Context) error { t.Fatal("fn called"); return nil }); err != context.Canceled {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestMaxWaitExpires(t *testing.T) {
	leakcheck.Check(t)
	clk := fakeclock.New()
	var rejects atomic.Int32
	b := New("dep", 1, WithMaxWait(time.Second), WithClock(clk), WithOnReject(func(string) { rejects.Add(1) }))
	release := hold(t, b)
	defer release()
	done := make(chan error)
	go func() { done <- b.Do(context.Background(), ok) }()
	waitQueued(t, b, 1)
	clk.Advance(999 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("gave up before the max wait: %v", err)
	default:
	}
	clk.Advance(time.Millisecond)
	if err := <-done; err != ErrFull {
		t.Fatalf("err %v, want ErrFull", err)
	}
	if rejects.Load() != 1 || b.waiting.Load() != 0 {
		t.Fatalf("rejects %d, queued %d", rejects.Load(), b.waiting.Load())
	}
}

func TestContextEndsWait(t *testing.T) {
	leakcheck.Check(t)
	b := New("dep", 1, WithMaxWait(time.Hour), WithClock(fakeclock.New()))
	release := hold(t, b)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- b.Do(ctx, ok) }()
	waitQueued(t, b, 1)
	cancel() // the article's select could never take this branch
	if err := <-done; err != context.Canceled {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(time.Millisecond))
	defer dcancel()
	if err := b.Do(dctx, ok); err != context.DeadlineExceeded {
		t.Fatalf("err %v, want context.DeadlineExceeded", err)
	}
}

func TestWaiterGetsReleasedSlot(t *testing.T) {
	leakcheck.Check(t)
	b := New("dep", 1, WithMaxWait(time.Hour), WithClock(fakeclock.New()))
	release := hold(t, b)
	done := make(chan error)
	ran := false
	go func() { done <- b.Do(context.Background(), func(context.Context) error { ran = true; return nil }) }()
	waitQueued(t, b, 1)
	release()
	if err := <-done; err != nil || !ran {
		t.Fatalf("waiter: err %v ran %v", err, ran)
	}
	if b.InFlight() != 0 {
		t.Fatalf("InFlight %d", b.InFlight())
	}
}

func TestPanicReleasesOnce(t *testing.T) {
	b := New("dep", 2)
	for i := 0; i < 3; i++ {
		func() {
			defer func() {
				if r := recover(); r != "bad" {
					t.Fatalf("recovered %v, want the original panic", r)
				}
			}()
			_ = b.Do(context.Background(), func(context.Context) error { panic("bad") })
		}()
	}
	if b.InFlight() != 0 {
		t.Fatalf("InFlight %d after panics, want 0", b.InFlight())
	}
	r1, r2 := hold(t, b), hold(t, b) // both slots still usable, and no more
	if err := b.Do(context.Background(), ok); err != ErrFull {
		t.Fatalf("third call: %v, want ErrFull", err)
	}
	r1()
	r2()
}

// TestNeverExceedsMax runs many callers, some giving up early, through a
// small bulkhead: the slot count must hold at every instant and return to
// zero, with every goroutine gone.
func TestNeverExceedsMax(t *testing.T) {
	t.Run("static", func(t *testing.T) { neverExceeds(t, New("dep", 4, WithMaxWait(time.Hour))) })
	t.Run("adaptive", func(t *testing.T) {
		lim := adaptive.New(adaptive.NewAIMD(adaptive.AIMDConfig{}), adaptive.WithLimits(2, 1, 4))
		neverExceeds(t, New("dep", 0, WithLimiter(lim), WithMaxWait(time.Hour)))
	})
}

func neverExceeds(t *testing.T, b *Bulkhead) {
	leakcheck.Check(t)
	const max = 4
	var running, peak atomic.Int64
	var admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				ctx, cancel := context.WithCancel(context.Background())
				if i%5 == 0 {
					cancel() // some callers give up while queued or before
				}
				err := b.Do(ctx, func(context.Context) error {
					n := running.Add(1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					runtime.Gosched()
					running.Add(-1)
					return nil
				})
				cancel()
				if err == nil {
					admitted.Add(1)
				} else {
					refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p > max {
		t.Fatalf("%d calls in flight at once, max %d", p, max)
	}
	if b.InFlight() != 0 || b.waiting.Load() != 0 {
		t.Fatalf("InFlight %d queued %d after all returned", b.InFlight(), b.waiting.Load())
	}
	if admitted.Load() < 64*40 { // everyone not cancelled eventually runs
		t.Fatalf("admitted %d refused %d", admitted.Load(), refused.Load())
	}
}

func TestAdaptiveLimit(t *testing.T) {
	lim := adaptive.New(adaptive.NewAIMD(adaptive.AIMDConfig{}), adaptive.WithLimits(4, 1, 8))
	b := New("inventory", 100, WithLimiter(lim), WithMaxWait(time.Hour), WithClock(fakeclock.New()))
	if b.Max() != 4 {
		t.Fatalf("Max %d, want the limiter's 4", b.Max())
	}
	var holders []func()
	for i := 0; i < 4; i++ {
		holders = append(holders, hold(t, b))
	}
	if b.InFlight() != 4 {
		t.Fatalf("InFlight %d", b.InFlight())
	}
	done := make(chan error)
	go func() { done <- b.Do(context.Background(), ok) }()
	waitQueued(t, b, 1)
	holders[0]()
	if err := <-done; err != nil {
		t.Fatalf("queued caller: %v", err)
	}
	for _, h := range holders[1:] {
		h()
	}
	overloaded := errors.New("503")
	_ = b.Do(context.Background(), func(context.Context) error { return overloaded })
	if b.Max() >= 4 {
		t.Fatalf("Max %d after an overload error, want it to shrink", b.Max())
	}
	if b.InFlight() != 0 {
		t.Fatalf("InFlight %d", b.InFlight())
	}
}

func TestDoAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	static := New("dep", 10, WithOnReject(func(string) {}))
	if n := testing.AllocsPerRun(1000, func() { _ = static.Do(ctx, ok) }); n != 0 {
		t.Errorf("Do: %v allocs", n)
	}
	full := New("dep", 1)
	release := hold(t, full)
	defer release()
	if n := testing.AllocsPerRun(1000, func() { _ = full.Do(ctx, ok) }); n != 0 {
		t.Errorf("rejected Do: %v allocs", n)
	}
	adapt := New("dep", 0, WithLimiter(adaptive.New(adaptive.NewVegas(adaptive.VegasConfig{}))))
	if n := testing.AllocsPerRun(1000, func() { _ = adapt.Do(ctx, ok) }); n != 0 {
		t.Errorf("adaptive Do: %v allocs", n)
	}
}

func BenchmarkDo(b *testing.B) {
	bh := New("dep", 1<<20)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = bh.Do(ctx, ok)
	}
}

func BenchmarkDoParallel(b *testing.B) {
	bh := New("dep", 1<<20)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = bh.Do(ctx, ok)
		}
	})
}

// A limiter shared by a bulkhead and direct callers: a slot freed by a
// direct caller (Limiter.Do, or a Token) must wake the bulkhead's queue.
func TestSharedLimiterReleaseWakesWaiters(t *testing.T) {
	leakcheck.Check(t)
	lim := adaptive.New(adaptive.NewAIMD(adaptive.AIMDConfig{}), adaptive.WithLimits(1, 1, 1))
	b := New("inventory", 0, WithLimiter(lim), WithMaxWait(time.Hour), WithClock(fakeclock.New()))

	for _, direct := range []string{"Limiter.Do", "Token.Finish"} {
		t.Run(direct, func(t *testing.T) {
			in, out := make(chan struct{}), make(chan struct{})
			directDone := make(chan error)
			if direct == "Limiter.Do" {
				go func() {
					directDone <- lim.Do(context.Background(), func(context.Context) error {
						close(in)
						<-out
						return nil
					})
				}()
			} else {
				tok, err := lim.Acquire(context.Background())
				require.NoError(t, err)
				close(in)
				go func() { <-out; tok.Finish(context.Background(), nil); directDone <- nil }()
			}
			<-in
			queued := make(chan error)
			go func() { queued <- b.Do(context.Background(), ok) }()
			waitQueued(t, b, 1)
			close(out)
			require.NoError(t, <-directDone)
			select {
			case err := <-queued:
				require.NoError(t, err)
			case <-time.After(30 * time.Second): // a bound on a hang, not a timing
				t.Fatal("the bulkhead waiter was stranded")
			}
			assert.Equal(t, 0, lim.InFlight())
		})
	}
}
