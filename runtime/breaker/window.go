package breaker

import (
	"sync"
	"sync/atomic"
	"time"
)

const buckets = 10

// window counts calls and failures over a sliding period split into
// buckets, lock free except when a bucket is recycled (once per bucket
// length). A result that races a recycle may land in the new bucket; the
// error is one call per race, which is fine for a ratio.
type window struct {
	width int64 // bucket length in nanoseconds
	mu    sync.Mutex
	b     [buckets]bucket
}

type bucket struct {
	epoch atomic.Int64 // index of the bucket-length period this bucket counts
	calls atomic.Int64
	fails atomic.Int64
}

type tally struct{ calls, fails int64 }

func newWindow(d time.Duration) *window {
	w := &window{width: int64(d) / buckets}
	if w.width <= 0 {
		w.width = 1
	}
	w.reset()
	return w
}

// reset forgets every call.
func (w *window) reset() {
	w.mu.Lock()
	for i := range w.b {
		w.b[i].calls.Store(0)
		w.b[i].fails.Store(0)
		w.b[i].epoch.Store(-1)
	}
	w.mu.Unlock()
}

// add counts one call at time now and, for a failure, returns the totals
// over the window (the only moment the ratio can cross the threshold).
func (w *window) add(now int64, failed bool) tally {
	e := now / w.width
	b := &w.b[e%buckets]
	if b.epoch.Load() < e {
		w.mu.Lock()
		if b.epoch.Load() < e {
			b.calls.Store(0)
			b.fails.Store(0)
			b.epoch.Store(e)
		}
		w.mu.Unlock()
	}
	b.calls.Add(1)
	if !failed {
		return tally{}
	}
	b.fails.Add(1)
	var t tally
	for i := range w.b {
		if be := w.b[i].epoch.Load(); be > e-buckets && be <= e {
			t.calls += w.b[i].calls.Load()
			t.fails += w.b[i].fails.Load()
		}
	}
	return t
}

func (t tally) trips(rate float64, minCalls int64) bool {
	return t.calls >= minCalls && float64(t.fails) >= rate*float64(t.calls)
}
