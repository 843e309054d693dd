package adaptive

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestLimiterBoundsInFlight(t *testing.T) {
	l := New(NewAIMD(AIMDConfig{}), WithLimits(3, 1, 10), WithName("inventory"))
	if l.Name() != "inventory" {
		t.Fatalf("Name = %q", l.Name())
	}
	var toks []Token
	for i := 0; i < 3; i++ {
		tok, ok := l.TryAcquire()
		if !ok {
			t.Fatalf("acquire %d refused under limit 3", i)
		}
		toks = append(toks, tok)
	}
	if _, ok := l.TryAcquire(); ok {
		t.Fatal("acquired a 4th token under limit 3")
	}
	if _, err := l.Acquire(context.Background()); !errors.Is(err, ErrLimited) {
		t.Fatalf("Acquire at limit: %v, want ErrLimited", err)
	}
	if l.InFlight() != 3 {
		t.Fatalf("InFlight = %d", l.InFlight())
	}
	for _, tok := range toks {
		tok.Ignore()
	}
	if l.InFlight() != 0 || l.Limit() != 3 {
		t.Fatalf("after Ignore: InFlight %d Limit %d, want 0 and unchanged 3", l.InFlight(), l.Limit())
	}
}

func TestLimitsClamped(t *testing.T) {
	l := New(NewAIMD(AIMDConfig{}), WithLimits(50, 4, 8))
	if l.Limit() != 8 {
		t.Fatalf("initial limit %d, want clamped to 8", l.Limit())
	}
	for i := 0; i < 20; i++ {
		tok, _ := l.TryAcquire()
		tok.Dropped()
	}
	if l.Limit() != 4 {
		t.Fatalf("limit %d after drops, want the floor 4", l.Limit())
	}
}

// feed finishes one call that took rtt with inFlight calls running.
func feed(l *Limiter, clk *simClock, rtt time.Duration, inFlight int, o Outcome) {
	var held []Token
	for i := 1; i < inFlight; i++ {
		if tok, ok := l.TryAcquire(); ok {
			held = append(held, tok)
		}
	}
	tok, ok := l.TryAcquire()
	if !ok {
		tok = Token{l: l, slot: new(tokenSlot), start: l.now(), inFlight: int32(inFlight)}
		l.inFlight.Add(1)
	}
	clk.now = clk.now.Add(rtt)
	switch o {
	case Success:
		tok.Success()
	case Dropped:
		tok.Dropped()
	}
	for _, h := range held {
		h.Ignore()
	}
}

// TestShrinksFastGrowsBack checks each algorithm against the contract:
// a few drops or a few clearly queued RTTs shrink the limit, and healthy
// RTTs with the limit in use grow it again.
func TestShrinksFastGrowsBack(t *testing.T) {
	for name, alg := range map[string]func() Algorithm{
		"aimd":      func() Algorithm { return NewAIMD(AIMDConfig{}) },
		"vegas":     func() Algorithm { return NewVegas(VegasConfig{}) },
		"gradient2": func() Algorithm { return NewGradient2(Gradient2Config{}) },
	} {
		t.Run(name, func(t *testing.T) {
			for _, signal := range []string{"drops", "latency"} {
				clk := &simClock{now: time.Unix(0, 0)}
				l := New(alg(), WithLimits(100, 1, 300), WithClock(clk))
				for i := 0; i < 50; i++ { // learn the healthy RTT
					feed(l, clk, 10*time.Millisecond, 60, Success)
				}
				before := l.Limit()
				for i := 0; i < 5; i++ {
					if signal == "drops" {
						feed(l, clk, 10*time.Millisecond, before, Dropped)
					} else {
						feed(l, clk, 40*time.Millisecond, before, Success)
					}
				}
				after := l.Limit()
				if after >= before {
					t.Errorf("%s: limit %d -> %d after 5 bad samples, want it to shrink", signal, before, after)
				}
				for i := 0; i < 200; i++ {
					feed(l, clk, 10*time.Millisecond, l.Limit(), Success)
				}
				if l.Limit() <= after {
					t.Errorf("%s: limit %d -> %d after healthy samples, want it to grow back", signal, after, l.Limit())
				}
			}
		})
	}
}

func TestDoClassifiesAndReleases(t *testing.T) {
	var changes [][2]int
	l := New(NewAIMD(AIMDConfig{}), WithLimits(10, 1, 100), WithOnLimitChange(func(o, n int) {
		changes = append(changes, [2]int{o, n})
	}))
	_ = l.Do(context.Background(), func(context.Context) error { return errors.New("overloaded") })
	if l.Limit() != 5 || l.InFlight() != 0 {
		t.Fatalf("after an error: limit %d inflight %d, want 5 and 0", l.Limit(), l.InFlight())
	}
	ctx, cancel := context.WithCancel(context.Background())
	_ = l.Do(ctx, func(ctx context.Context) error { cancel(); return ctx.Err() })
	if l.Limit() != 5 {
		t.Fatalf("caller cancellation changed the limit to %d", l.Limit())
	}
	if err := l.Do(ctx, func(context.Context) error { t.Fatal("fn called with done ctx"); return nil }); err != context.Canceled {
		t.Fatalf("done ctx: %v", err)
	}
	func() {
		defer func() {
			if r := recover(); r != "bad" {
				t.Fatalf("recovered %v", r)
			}
		}()
		_ = l.Do(context.Background(), func(context.Context) error { panic("bad") })
	}()
	if l.InFlight() != 0 || l.Limit() != 2 {
		t.Fatalf("after panic: inflight %d limit %d, want 0 and 2", l.InFlight(), l.Limit())
	}
	if want := [][2]int{{10, 5}, {5, 2}}; len(changes) != 2 || changes[0] != want[0] || changes[1] != want[1] {
		t.Fatalf("OnLimitChange saw %v, want %v", changes, want)
	}
}

func TestConcurrentNeverExceedsLimit(t *testing.T) {
	l := New(NewVegas(VegasConfig{}), WithLimits(8, 2, 16))
	var mu sync.Mutex
	running, peak := 0, 0
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				_ = l.Do(context.Background(), func(context.Context) error {
					mu.Lock()
					running++
					peak = max(peak, running)
					mu.Unlock()
					mu.Lock()
					running--
					mu.Unlock()
					return nil
				})
			}
		}()
	}
	wg.Wait()
	if peak > 16 || l.InFlight() != 0 {
		t.Fatalf("peak %d (max limit 16), inflight %d", peak, l.InFlight())
	}
}

func TestAcquireReleaseAllocatesNothing(t *testing.T) {
	l := New(NewGradient2(Gradient2Config{}), WithOnLimitChange(func(int, int) {}))
	ctx := context.Background()
	if n := testing.AllocsPerRun(1000, func() {
		tok, _ := l.Acquire(ctx)
		tok.Success()
	}); n != 0 {
		t.Errorf("Acquire/Success: %v allocs", n)
	}
	if n := testing.AllocsPerRun(1000, func() { _ = l.Do(ctx, func(context.Context) error { return nil }) }); n != 0 {
		t.Errorf("Do: %v allocs", n)
	}
}

func BenchmarkAcquireRelease(b *testing.B) {
	for name, alg := range map[string]func() Algorithm{
		"aimd":      func() Algorithm { return NewAIMD(AIMDConfig{}) },
		"vegas":     func() Algorithm { return NewVegas(VegasConfig{}) },
		"gradient2": func() Algorithm { return NewGradient2(Gradient2Config{}) },
	} {
		b.Run(name, func(b *testing.B) {
			l := New(alg())
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if tok, ok := l.TryAcquire(); ok {
						tok.Success()
					}
				}
			})
		})
	}
}
