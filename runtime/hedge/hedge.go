// Package hedge cuts tail latency with hedged requests ("The Tail at Scale",
// Dean & Barroso 2013): when a call has not answered by a delay (ideally
// the dependency's p95 latency), a backup call is fired and the first success
// wins. Losers are cancelled and no goroutine outlives them.
//
// Hedge only operations that are safe to run twice: reads, or writes that
// carry an idempotency key the server deduplicates on.
package hedge

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// DefaultMaxHedges is the number of backups fired per call unless
// WithMaxHedges says otherwise.
const DefaultMaxHedges = 1

// Option configures Do and NewTransport.
type Option func(*config)

type config struct {
	maxHedges int
	est       *Estimator
	allow     func() bool
	onHedge   func()
	onWin     func(int)
	onPanic   func(any, []byte)
	clock     clock
}

// clock is the time source of the hedge delay and the latency samples;
// tests inject a manual one.
type clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// withClock replaces the system clock (tests only).
func withClock(c clock) Option { return func(cf *config) { cf.clock = c } }

func newConfig(opts []Option) config {
	c := config{maxHedges: DefaultMaxHedges, clock: realClock{}}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithMaxHedges sets how many backups a call may fire (default 1; 0
// disables hedging). Each one fires a further delay after the previous.
func WithMaxHedges(n int) Option {
	return func(c *config) { c.maxHedges = max(n, 0) }
}

// WithEstimator derives the delay from observed latency: once e has enough
// samples, its quantile estimate replaces the delay argument, which remains
// the fallback while e warms up. Share one Estimator per dependency.
//
// Do records one sample per call in e: the latency of the call's first
// attempt when it completes, or, when a backup won first, the time the first
// attempt had run by then. That is a lower bound above the hedge delay,
// which is all a quantile needs to know of it: whether it lies above. Only
// recording winners would bias the estimate low — a backup wins precisely
// when the first attempt was slow — and fire hedges about twice as often as
// the quantile asks for. A call that ctx ends before its first attempt
// completes records nothing.
func WithEstimator(e *Estimator) Option {
	return func(c *config) { c.est = e }
}

// WithBreaker gates hedges: a backup fires only if allow returns true at
// that moment. Pass the dependency's circuit breaker, e.g.
//
//	hedge.WithBreaker(func() bool { return b.State() != breaker.Open })
//
// When a dependency is failing as a whole, hedging only adds load.
func WithBreaker(allow func() bool) Option {
	return func(c *config) { c.allow = allow }
}

// WithOnHedge sets a hook called each time a backup fires (e.g. to count
// hedges_total). It runs on the caller's goroutine; keep it fast.
func WithOnHedge(fn func()) Option {
	return func(c *config) { c.onHedge = fn }
}

// WithOnWin sets a hook called with the index of the winning call when a
// call succeeds: 0 for the original, 1.. for backups (a hedge that won).
func WithOnWin(fn func(index int)) Option {
	return func(c *config) { c.onWin = fn }
}

// WithOnLatePanic sets the hook told of a panic in a call that ended after
// Do had returned (a loser, still running when the race was decided), with
// the panic value and the goroutine's stack. Such a panic cannot be
// re-raised in Do's caller, and re-raising it on the call's own goroutine
// would crash the process; it is recovered and reported here instead. It
// runs on that call's goroutine. Without the hook, the panic is logged with
// slog.Default at level Error.
func WithOnLatePanic(fn func(value any, stack []byte)) Option {
	return func(c *config) { c.onPanic = fn }
}

// Do calls fn, then a backup after delay if no result has arrived yet (up to
// WithMaxHedges backups, default 1, each a further delay later). It returns
// the first success, or the last error once every call fired has failed
// (failures do not fire backups early: hedging is not retrying). Every call
// but the winner is cancelled as soon as Do returns, and the winner's context
// is cancelled too: results must not depend on it after return.
//
// Do returns ctx.Err() as soon as ctx is done, even if fn ignores ctx; such
// an fn's goroutine ends when fn returns, its result discarded. A panic in
// fn before Do returns is re-raised in Do's caller; a panic in a call that
// ends after Do returned is recovered and reported (WithOnLatePanic), never
// left to crash the process from a goroutine nobody can recover.
func Do[T any](ctx context.Context, delay time.Duration, fn func(context.Context) (T, error), opts ...Option) (T, error) {
	c := newConfig(opts)
	v, cancel, err := run(ctx, delay, fn, &c, nil)
	if cancel != nil {
		cancel()
	}
	return v, err
}

type result[T any] struct {
	v        T
	err      error
	idx      int
	took     time.Duration
	panicked bool
	panicVal any
	stack    []byte
}

// run is Do's engine. It returns the winner's cancel func uncalled, so the
// HTTP transport can keep the winner's context alive while its body is read;
// discard, if set, releases successful results that lost.
func run[T any](ctx context.Context, delay time.Duration, fn func(context.Context) (T, error), c *config, discard func(T)) (T, context.CancelFunc, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, nil, err
	}
	if c.est != nil {
		if d, ok := c.est.Quantile(); ok {
			delay = d
		}
	}
	total := 1 + c.maxHedges
	// Buffered for every call: a late result never blocks its goroutine.
	ch := make(chan result[T], total)
	cancels := make([]context.CancelFunc, 0, total)
	var mu sync.Mutex
	returned := false

	clk := c.clock
	var primaryStart time.Time // when call 0 started; read by this goroutine only
	launch := func(i int) {
		actx, cancel := context.WithCancel(ctx)
		cancels = append(cancels, cancel)
		start := clk.Now()
		if i == 0 {
			primaryStart = start
		}
		go func() {
			r := result[T]{idx: i}
			defer func() {
				if p := recover(); p != nil {
					r.panicked, r.panicVal, r.stack = true, p, debug.Stack()
				}
				r.took = clk.Now().Sub(start)
				mu.Lock()
				if !returned {
					ch <- r
					mu.Unlock()
					return
				}
				mu.Unlock()
				// The caller has gone: release what this call produced.
				if r.panicked {
					c.latePanic(r.panicVal, r.stack) // nobody left to re-raise it to
					return
				}
				if r.err == nil && discard != nil {
					discard(r.v)
				}
			}()
			r.v, r.err = fn(actx)
		}()
	}

	// finish stops delivery, releases buffered losers and cancels every call
	// but the winner (winner < 0: cancel all), returning the winner's cancel.
	finish := func(winner int) context.CancelFunc {
		mu.Lock()
		returned = true
		mu.Unlock()
		for len(ch) > 0 {
			r := <-ch
			switch {
			case r.panicked: // lost the race, then panicked: as after return
				c.latePanic(r.panicVal, r.stack)
			case r.err == nil && discard != nil:
				discard(r.v)
			}
		}
		var keep context.CancelFunc
		for i, cancel := range cancels {
			if i == winner {
				keep = cancel
				continue
			}
			cancel()
		}
		return keep
	}

	// The hedge timer is armed before the first call starts, so that a
	// manual clock in tests sees it first.
	var fired, tick chan struct{} // tick is fired while more hedges may fire, then nil
	stop := func() bool { return false }
	arm := func() {
		stop = clk.AfterFunc(max(delay, 0), func() {
			select {
			case fired <- struct{}{}:
			default:
			}
		})
	}
	if c.maxHedges > 0 {
		fired = make(chan struct{}, 1)
		tick = fired
		arm()
		defer func() { stop() }()
	}
	launch(0)
	launched, pending := 1, 1
	primaryDone := false
	var lastErr error
	for {
		select {
		case r := <-ch:
			pending--
			if r.panicked {
				finish(-1)
				panic(r.panicVal)
			}
			if r.idx == 0 {
				primaryDone = true
				if c.est != nil {
					c.est.Observe(r.took)
				}
			}
			if r.err == nil {
				if !primaryDone && c.est != nil {
					// A backup won: the first call has run this long at least.
					c.est.Observe(clk.Now().Sub(primaryStart))
				}
				if c.onWin != nil {
					c.onWin(r.idx)
				}
				return r.v, finish(r.idx), nil
			}
			lastErr = r.err
			if pending == 0 {
				finish(-1)
				return zero, nil, lastErr
			}
		case <-tick:
			if c.allow != nil && !c.allow() {
				tick = nil // the breaker is open: no more hedges for this call
				continue
			}
			launch(launched)
			launched++
			pending++
			if c.onHedge != nil {
				c.onHedge()
			}
			if launched < total {
				arm()
			} else {
				tick = nil
			}
		case <-ctx.Done():
			finish(-1)
			return zero, nil, ctx.Err()
		}
	}
}

// latePanic reports a panic nobody is left to re-raise it to.
func (c *config) latePanic(v any, stack []byte) {
	if c.onPanic != nil {
		c.onPanic(v, stack)
		return
	}
	slog.Default().LogAttrs(context.Background(), slog.LevelError, "hedge: a call panicked after the race was decided",
		slog.Any("panic", v), slog.String("stack", string(stack)))
}
