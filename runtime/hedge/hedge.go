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
}

func newConfig(opts []Option) config {
	c := config{maxHedges: DefaultMaxHedges}
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
// the fallback while e warms up. Do records every winner's latency in e.
// Share one Estimator per dependency.
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

// Do calls fn, then a backup after delay if no result has arrived yet (up to
// WithMaxHedges backups, default 1, each a further delay later). It returns
// the first success, or the last error once every call fired has failed
// (failures do not fire backups early: hedging is not retrying). Every call
// but the winner is cancelled as soon as Do returns, and the winner's context
// is cancelled too: results must not depend on it after return.
//
// Do returns ctx.Err() as soon as ctx is done, even if fn ignores ctx; such
// an fn's goroutine ends when fn returns, its result discarded. A panic in
// fn is re-raised in Do's caller.
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

	launch := func(i int) {
		actx, cancel := context.WithCancel(ctx)
		cancels = append(cancels, cancel)
		go func() {
			r := result[T]{idx: i}
			start := time.Now()
			defer func() {
				if p := recover(); p != nil {
					r.panicked, r.panicVal = true, p
				}
				r.took = time.Since(start)
				mu.Lock()
				if !returned {
					ch <- r
					mu.Unlock()
					return
				}
				mu.Unlock()
				// The caller has gone: release what this call produced.
				if r.panicked {
					panic(r.panicVal) // nobody left to re-raise it to
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
			if r.err == nil && !r.panicked && discard != nil {
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

	launch(0)
	launched, pending := 1, 1
	var timer *time.Timer
	var tick <-chan time.Time
	if c.maxHedges > 0 {
		timer = time.NewTimer(max(delay, 0))
		defer timer.Stop()
		tick = timer.C
	}
	var lastErr error
	for {
		select {
		case r := <-ch:
			pending--
			if r.panicked {
				finish(-1)
				panic(r.panicVal)
			}
			if r.err == nil {
				if c.est != nil {
					c.est.Observe(r.took)
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
				timer.Reset(max(delay, 0)) // it fired and was received: safe to re-arm
			} else {
				tick = nil
			}
		case <-ctx.Done():
			finish(-1)
			return zero, nil, ctx.Err()
		}
	}
}
