package bulkhead

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilvet/resilvet/runtime/adaptive"
)

// ErrFull is returned when no slot is free (and, with WithMaxWait, none
// became free in time).
var ErrFull = errors.New("bulkhead: full")

// Clock is the time source for max-wait timers. AfterFunc runs f once
// after d and returns a function that cancels it, reporting whether it did.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Option configures a Bulkhead.
type Option func(*Bulkhead)

// WithMaxWait lets a caller wait up to d for a slot (default 0: reject at
// once when full). The caller's ctx still bounds the wait.
func WithMaxWait(d time.Duration) Option { return func(b *Bulkhead) { b.maxWait = d } }

// WithOnReject calls f with the bulkhead's name each time a call is turned
// away because the bulkhead is full: ErrFull, or a wait for a slot ended by
// the caller's ctx. It runs on the caller's goroutine, outside any lock.
func WithOnReject(f func(name string)) Option { return func(b *Bulkhead) { b.onReject = f } }

// WithClock sets the clock used for WithMaxWait timers.
func WithClock(c Clock) Option { return func(b *Bulkhead) { b.clock = c } }

// WithLimiter makes the capacity adaptive: a call is admitted when l grants
// a token, and its outcome (RTT, error) retunes l's limit. max is then
// unused; Max and InFlight report l's limit and in-flight count. l may be
// shared with callers using it directly (l.Do) or with other bulkheads:
// every release of one of l's tokens, by anyone, wakes this bulkhead's
// queued callers.
func WithLimiter(l *adaptive.Limiter) Option { return func(b *Bulkhead) { b.lim = l } }

// Bulkhead caps the calls in flight to one dependency. Its methods are
// safe for concurrent use.
type Bulkhead struct {
	name     string
	max      int64
	maxWait  time.Duration
	onReject func(string)
	clock    Clock
	lim      *adaptive.Limiter

	inFlight atomic.Int64 // static capacity only
	waiting  atomic.Int64 // callers queued; read by release to decide whether to wake

	mu    sync.Mutex // guards queue
	queue []*waiter
}

// waiter is one caller queued for a slot. ready is closed once a slot (and,
// for an adaptive bulkhead, its token) has been handed to it.
type waiter struct {
	ready   chan struct{}
	granted bool // guarded by Bulkhead.mu
	tok     adaptive.Token
}

// New returns a bulkhead named name (passed to hooks; use the dependency's
// name) admitting at most max calls at once. max below 1 is taken as 1.
func New(name string, max int, opts ...Option) *Bulkhead {
	b := &Bulkhead{name: name, max: int64(max), clock: realClock{}}
	if b.max < 1 {
		b.max = 1
	}
	for _, o := range opts {
		o(b)
	}
	if b.lim != nil {
		// A slot freed through the limiter by anyone must reach the queue.
		b.lim.OnRelease(b.limiterReleased)
	}
	return b
}

// limiterReleased runs after every release of one of the limiter's tokens.
func (b *Bulkhead) limiterReleased() {
	// Pairs with the waiter's increment-then-retry, as in release.
	if b.waiting.Load() > 0 {
		b.wake()
	}
}

// Name returns the name given to New.
func (b *Bulkhead) Name() string { return b.name }

// InFlight returns the calls running now.
func (b *Bulkhead) InFlight() int {
	if b.lim != nil {
		return b.lim.InFlight()
	}
	return int(b.inFlight.Load())
}

// Max returns the capacity: fixed, or the adaptive limit's current value.
func (b *Bulkhead) Max() int {
	if b.lim != nil {
		return b.lim.Limit()
	}
	return int(b.max)
}

// tryAcquire takes a slot without waiting.
func (b *Bulkhead) tryAcquire() (adaptive.Token, bool) {
	if b.lim != nil {
		return b.lim.TryAcquire()
	}
	for {
		n := b.inFlight.Load()
		if n >= b.max {
			return adaptive.Token{}, false
		}
		if b.inFlight.CompareAndSwap(n, n+1) {
			return adaptive.Token{}, true
		}
	}
}

// Do runs fn in a slot. It returns ctx.Err() without running fn if ctx is
// already done; ErrFull if no slot is free (after up to the max wait); the
// ctx error if ctx ends the wait; fn's error otherwise. The slot is freed
// exactly once when fn returns or panics; a panic is re-raised.
func (b *Bulkhead) Do(ctx context.Context, fn func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tok, ok := b.tryAcquire()
	if !ok {
		var err error
		if tok, err = b.wait(ctx); err != nil {
			if b.onReject != nil {
				b.onReject(b.name)
			}
			return err
		}
	}
	finished := false
	defer func() {
		if !finished { // fn panicked or called runtime.Goexit
			b.release(ctx, tok, errPanicked, false)
		}
	}()
	err := fn(ctx)
	finished = true
	b.release(ctx, tok, err, false)
	return err
}

var errPanicked = errors.New("bulkhead: fn panicked")

// release frees a slot. unused marks a slot handed to a caller that had
// already given up: it says nothing about the dependency.
func (b *Bulkhead) release(ctx context.Context, tok adaptive.Token, err error, unused bool) {
	switch {
	case b.lim != nil && unused:
		tok.Ignore() // the limiter calls limiterReleased
	case b.lim != nil:
		tok.Finish(ctx, err) // likewise
	default:
		b.inFlight.Add(-1)
		// Pairs with the waiter's increment-then-retry: either the waiter's
		// retry sees this free slot, or this load sees the waiter.
		if b.waiting.Load() > 0 {
			b.wake()
		}
	}
}

// wake hands free slots to queued callers, oldest first.
func (b *Bulkhead) wake() {
	b.mu.Lock()
	for len(b.queue) > 0 {
		tok, ok := b.tryAcquire()
		if !ok {
			break
		}
		w := b.queue[0]
		b.queue[0] = nil
		b.queue = b.queue[1:]
		b.waiting.Add(-1)
		w.tok, w.granted = tok, true
		close(w.ready)
	}
	b.mu.Unlock()
}

// wait queues the caller until a slot is handed over, the max wait passes
// (ErrFull) or ctx ends (ctx.Err()).
func (b *Bulkhead) wait(ctx context.Context) (adaptive.Token, error) {
	if b.maxWait <= 0 {
		return adaptive.Token{}, ErrFull
	}
	w := &waiter{ready: make(chan struct{})}
	b.mu.Lock()
	b.waiting.Add(1)
	if tok, ok := b.tryAcquire(); ok { // a slot freed since the fast path
		b.waiting.Add(-1)
		b.mu.Unlock()
		return tok, nil
	}
	b.queue = append(b.queue, w)
	b.mu.Unlock()

	expired := make(chan struct{})
	stop := b.clock.AfterFunc(b.maxWait, func() { close(expired) })
	defer stop()

	var err error
	select {
	case <-w.ready:
		return w.tok, nil
	case <-expired:
		err = ErrFull
	case <-ctx.Done():
		err = ctx.Err()
	}
	b.mu.Lock()
	if w.granted { // a slot arrived as we gave up: pass it on
		b.mu.Unlock()
		b.release(ctx, w.tok, nil, true)
		return adaptive.Token{}, err
	}
	for i, q := range b.queue {
		if q == w {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			b.waiting.Add(-1)
			break
		}
	}
	b.mu.Unlock()
	return adaptive.Token{}, err
}
