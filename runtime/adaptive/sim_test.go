package adaptive

import (
	"container/heap"
	"testing"
	"time"
)

type simClock struct{ now time.Time }

func (c *simClock) Now() time.Time { return c.now }

type call struct {
	at  time.Time
	tok Token
}

type calls []call

func (h calls) Len() int           { return len(h) }
func (h calls) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h calls) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *calls) Push(x any)        { *h = append(*h, x.(call)) }
func (h *calls) Pop() any          { old := *h; c := old[len(old)-1]; *h = old[:len(old)-1]; return c }

// server is a synthetic dependency: up to capacity calls run in base
// time; beyond it calls queue, so latency grows with concurrency
// (base × inFlight/capacity) while throughput stays flat.
type server struct {
	capacity int
	base     time.Duration
}

func (s server) latency(inFlight int) time.Duration {
	if inFlight <= s.capacity {
		return s.base
	}
	return s.base * time.Duration(inFlight) / time.Duration(s.capacity)
}

// sim drives a limiter with unbounded demand against srv. It is
// deterministic: time is the simulated clock.
type sim struct {
	l   *Limiter
	clk *simClock
	srv server
	h   calls
}

// run completes n calls, returning the limit after each one.
func (s *sim) run(n int) []int {
	limits := make([]int, 0, n)
	for len(limits) < n {
		for {
			tok, ok := s.l.TryAcquire()
			if !ok {
				break
			}
			heap.Push(&s.h, call{at: s.clk.now.Add(s.srv.latency(s.l.InFlight())), tok: tok})
		}
		c := heap.Pop(&s.h).(call)
		s.clk.now = c.at
		c.tok.Success()
		limits = append(limits, s.l.Limit())
	}
	return limits
}

func mean(xs []int) float64 {
	s := 0
	for _, x := range xs {
		s += x
	}
	return float64(s) / float64(len(xs))
}

func TestSimulationConverges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		alg    func() Algorithm
		lo, hi float64 // accepted mean limit, as a multiple of capacity
	}{
		// AIMD saws between capacity and Tolerance (2) × capacity.
		{"aimd", func() Algorithm { return NewAIMD(AIMDConfig{}) }, 0.9, 2.0},
		// Vegas keeps 3-6 calls queued by design: a large share of a small
		// capacity.
		{"vegas", func() Algorithm { return NewVegas(VegasConfig{}) }, 0.9, 1.7},
		// Gradient2 accepts RTTs up to Tolerance (1.5) × its long-term
		// average, plus sqrt(limit) of headroom.
		{"gradient2", func() Algorithm { return NewGradient2(Gradient2Config{}) }, 0.9, 2.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &simClock{now: time.Unix(0, 0)}
			l := New(tc.alg(), WithLimits(5, 1, 1000), WithClock(clk))
			sm := &sim{l: l, clk: clk, srv: server{capacity: 50, base: 10 * time.Millisecond}}
			limits := sm.run(20000)
			steady := mean(limits[10000:])
			if late := mean(limits[15000:]); late > 1.1*mean(limits[10000:15000]) {
				t.Errorf("limit still drifting up: mean %.1f then %.1f", mean(limits[10000:15000]), late)
			}
			t.Logf("%s: capacity %d, mean limit %.1f (first samples %v)", tc.name, sm.srv.capacity, steady, limits[:10])
			if steady < tc.lo*float64(sm.srv.capacity) || steady > tc.hi*float64(sm.srv.capacity) {
				t.Errorf("mean limit %.1f, want within [%.0f, %.0f]", steady, tc.lo*float64(sm.srv.capacity), tc.hi*float64(sm.srv.capacity))
			}

			// The dependency loses most of its capacity (a replica dies):
			// the limit must follow within a few hundred samples.
			sm.srv.capacity = 10
			after := sm.run(10000)
			steady = mean(after[5000:])
			t.Logf("%s: capacity %d, mean limit %.1f, limits after the drop %v", tc.name, sm.srv.capacity, steady, after[:20])
			if steady < tc.lo*float64(sm.srv.capacity) || steady > tc.hi*float64(sm.srv.capacity) {
				t.Errorf("after capacity drop: mean limit %.1f, want within [%.0f, %.0f]", steady, tc.lo*float64(sm.srv.capacity), tc.hi*float64(sm.srv.capacity))
			}
		})
	}
}
