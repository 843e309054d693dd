package hedge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

func TestFirstSuccessWinsAndLoserIsCancelled(t *testing.T) {
	leakcheck.Check(t)
	loserCancelled := make(chan struct{})
	var calls, hedges, winner atomic.Int32
	winner.Store(-1)
	v, err := Do(context.Background(), time.Millisecond, func(ctx context.Context) (string, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done() // the primary hangs until it is cancelled
			close(loserCancelled)
			return "", ctx.Err()
		}
		return "backup", nil
	}, WithOnHedge(func() { hedges.Add(1) }), WithOnWin(func(i int) { winner.Store(int32(i)) }))
	if err != nil || v != "backup" {
		t.Fatalf("got %q, %v", v, err)
	}
	<-loserCancelled // would hang (and time out) if the loser were not cancelled
	if hedges.Load() != 1 || winner.Load() != 1 {
		t.Fatalf("hedges %d winner %d, want 1 and 1", hedges.Load(), winner.Load())
	}
}

func TestFastPrimaryFiresNoHedge(t *testing.T) {
	leakcheck.Check(t)
	var calls, hedges atomic.Int32
	v, err := Do(context.Background(), time.Hour, func(ctx context.Context) (int, error) {
		calls.Add(1)
		return 42, nil
	}, WithOnHedge(func() { hedges.Add(1) }))
	if v != 42 || err != nil || calls.Load() != 1 || hedges.Load() != 0 {
		t.Fatalf("v=%d err=%v calls=%d hedges=%d", v, err, calls.Load(), hedges.Load())
	}
}

func TestAllFailReturnsLastError(t *testing.T) {
	leakcheck.Check(t)
	var calls atomic.Int32
	started := make(chan struct{})
	_, err := Do(context.Background(), 0, func(ctx context.Context) (int, error) {
		n := calls.Add(1)
		if n == 1 {
			<-started // the primary fails only after the backup has started
			return 0, errors.New("first")
		}
		close(started)
		return 0, errors.New("second")
	})
	// Either may fail last; both must have run, and one of their errors returned.
	if calls.Load() != 2 || err == nil || (err.Error() != "first" && err.Error() != "second") {
		t.Fatalf("calls=%d err=%v", calls.Load(), err)
	}

	// A failure does not fire a backup early: hedging is not retrying.
	calls.Store(0)
	_, err = Do(context.Background(), time.Hour, func(ctx context.Context) (int, error) {
		calls.Add(1)
		return 0, errors.New("boom")
	})
	if calls.Load() != 1 || err == nil || err.Error() != "boom" {
		t.Fatalf("calls=%d err=%v", calls.Load(), err)
	}
}

func TestMaxHedgesAndContext(t *testing.T) {
	leakcheck.Check(t)
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int32
	all := make(chan struct{})
	var hedges atomic.Int32
	go func() { <-all; cancel() }()
	_, err := Do(ctx, 0, func(ctx context.Context) (int, error) {
		if started.Add(1) == 4 {
			close(all)
		}
		<-ctx.Done()
		return 0, ctx.Err()
	}, WithMaxHedges(3), WithOnHedge(func() { hedges.Add(1) }))
	if !errors.Is(err, context.Canceled) || started.Load() != 4 || hedges.Load() != 3 {
		t.Fatalf("err=%v started=%d hedges=%d", err, started.Load(), hedges.Load())
	}
}

func TestReturnsPromptlyWhenFnIgnoresContext(t *testing.T) {
	leakcheck.Check(t) // the stubborn goroutines must still end once fn returns
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 2)
	go func() {
		<-started
		<-started // both calls are stuck: now cancel
		cancel()
	}()
	_, err := Do(ctx, 0, func(context.Context) (int, error) {
		started <- struct{}{}
		<-release // ignores ctx entirely
		return 1, nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err=%v", err)
	}
	close(release)

	// Already done: nothing runs at all.
	var calls atomic.Int32
	if _, err := Do(ctx, 0, func(context.Context) (int, error) { calls.Add(1); return 0, nil }); !errors.Is(err, context.Canceled) || calls.Load() != 0 {
		t.Fatalf("done ctx: err=%v calls=%d", err, calls.Load())
	}
}

func TestBreakerGateStopsHedges(t *testing.T) {
	leakcheck.Check(t)
	asked := make(chan struct{})
	var calls, hedges atomic.Int32
	v, err := Do(context.Background(), 0, func(ctx context.Context) (string, error) {
		calls.Add(1)
		<-asked // the primary answers only after the gate refused the hedge
		return "primary", nil
	}, WithBreaker(func() bool { close(asked); return false }), WithOnHedge(func() { hedges.Add(1) }))
	if v != "primary" || err != nil || calls.Load() != 1 || hedges.Load() != 0 {
		t.Fatalf("v=%q err=%v calls=%d hedges=%d", v, err, calls.Load(), hedges.Load())
	}
}

func TestPanicIsReraisedInCaller(t *testing.T) {
	leakcheck.Check(t)
	defer func() {
		if p := recover(); p != "kaboom" {
			t.Fatalf("recovered %v, want kaboom", p)
		}
	}()
	_, _ = Do(context.Background(), time.Hour, func(context.Context) (int, error) { panic("kaboom") })
	t.Fatal("Do returned after fn panicked")
}

func TestWinnerContextCancelledOnReturn(t *testing.T) {
	var got context.Context
	_, _ = Do(context.Background(), time.Hour, func(ctx context.Context) (int, error) { got = ctx; return 1, nil })
	if got.Err() == nil {
		t.Fatal("Do leaves the winner's context running")
	}
}

func TestEstimatorDrivesDelay(t *testing.T) {
	leakcheck.Check(t)
	e := NewEstimator(0.95)
	for i := 0; i < DefaultWarmup; i++ {
		e.Observe(time.Nanosecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hedged := make(chan struct{})
	var calls atomic.Int32
	// The fallback delay is an hour: only the estimate (1ns) lets the hedge fire.
	v, err := Do(ctx, time.Hour, func(ctx context.Context) (int, error) {
		if calls.Add(1) == 2 {
			close(hedged)
			return 2, nil
		}
		select {
		case <-hedged:
		case <-ctx.Done():
		}
		return 0, errors.New("primary lost")
	}, WithEstimator(e))
	if v != 2 || err != nil {
		t.Fatalf("v=%d err=%v: the estimate was not used", v, err)
	}
	if e.Count() != DefaultWarmup+1 {
		t.Fatalf("winner latency not observed: %d samples", e.Count())
	}
}

func TestEstimatorAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		draw func() float64
		p95  float64
	}{
		{"uniform-0-100ms", func() float64 { return r.Float64() * 100e6 }, 95e6},
		{"exponential-mean-10ms", func() float64 { return r.ExpFloat64() * 10e6 }, -math.Log(0.05) * 10e6},
		{"bimodal-90%-1ms-10%-50ms", func() float64 {
			if r.Float64() < 0.9 {
				return 1e6 + r.Float64()*1e5
			}
			return 50e6 + r.Float64()*1e6
		}, 50.5e6},
	} {
		e := NewEstimator(0.95)
		if _, ok := e.Quantile(); ok {
			t.Fatal("estimate before warm-up")
		}
		for i := 0; i < 100000; i++ {
			e.Observe(time.Duration(tc.draw()))
		}
		got, ok := e.Quantile()
		relErr := math.Abs(float64(got)-tc.p95) / tc.p95
		t.Logf("%s: p95 estimate %v, true %v (error %.2f%%)", tc.name, got, time.Duration(tc.p95), 100*relErr)
		if !ok || relErr > 0.03 {
			t.Errorf("%s: estimate %v, want %v within 3%%", tc.name, got, time.Duration(tc.p95))
		}
	}
}

func TestEstimatorObserveDoesNotAllocate(t *testing.T) {
	e := NewEstimator(0.95)
	if n := testing.AllocsPerRun(1000, func() { e.Observe(time.Millisecond) }); n != 0 {
		t.Fatalf("Observe: %v allocs", n)
	}
}

func ExampleDo() {
	// Read a price from two replicas: the backup fires if the first has not
	// answered within 10ms; the slow replica is cancelled.
	replicas := []time.Duration{time.Hour, 0} // the first replica is stuck
	var next atomic.Int32
	price, err := Do(context.Background(), 10*time.Millisecond, func(ctx context.Context) (string, error) {
		lag := replicas[next.Add(1)-1]
		select {
		case <-time.After(lag):
			return "9.99", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	})
	fmt.Println(price, err)
	// Output: 9.99 <nil>
}

func BenchmarkEstimatorObserve(b *testing.B) {
	e := NewEstimator(0.95)
	b.ReportAllocs()
	d := time.Duration(0)
	for b.Loop() {
		d = (d + 7919) % (100 * time.Millisecond)
		e.Observe(d)
	}
}

// The overhead Do adds to a call that answers before the hedge delay.
func BenchmarkDoFastPrimary(b *testing.B) {
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		_, _ = Do(ctx, time.Hour, fn)
	}
}
