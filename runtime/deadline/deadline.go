// Package deadline budgets time across a call chain. A request arrives
// with a deadline (say 500 ms); every downstream call must fit in what is
// left of it, keep back a margin for the work after the call, and not be
// started at all when too little is left for it to succeed — a call that
// cannot finish in time only adds load to a dependency that may already be
// struggling.
//
// Every context here is derived from the caller's: a budget can only shrink
// down a call chain, never grow (the mistake the article "Building Resilient
// Distributed Systems with Go" shows,
// context.WithTimeout(context.Background(), 2*time.Second), resets it). The
// article's budget "500 ms total, first call 200 ms, the rest for the
// second" is:
//
//	ctx, cancel := context.WithTimeout(r.Context(), 500*time.Millisecond)
//	defer cancel()
//	pctx, pcancel, err := deadline.WithTimeout(ctx, 200*time.Millisecond)  // at most 200 ms
//	...
//	rctx, rcancel, err := deadline.WithTimeout(ctx, 0, deadline.WithMargin(20*time.Millisecond)) // what is left, less 20 ms
//
// The article's own version of this, productCtx, _ := context.WithTimeout(ctx,
// 200*time.Millisecond), throws the cancel func away: the timer and the
// child context live on until the parent ends (go vet's lostcancel). It
// also gives the second call every last millisecond, leaving nothing to
// write the response or serve a fallback when that call times out, which
// is what WithMargin is for.
package deadline

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrBudgetExhausted is returned when too little of the caller's deadline is
// left to make a call worth starting.
var ErrBudgetExhausted = errors.New("deadline: budget exhausted")

// now is the clock; tests replace it.
var now = time.Now

// Remaining returns the time left before ctx's deadline (zero or negative
// once passed), and false when ctx has no deadline.
func Remaining(ctx context.Context) (time.Duration, bool) {
	d, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	return d.Sub(now()), true
}

// Option adjusts how a per-call timeout is cut from the caller's budget.
type Option func(*policy)

type policy struct {
	margin   time.Duration
	minimum  time.Duration
	fraction float64
}

// WithMargin keeps d of the remaining budget back for the caller's own work
// after the call (decoding, a fallback, writing the response).
func WithMargin(d time.Duration) Option { return func(p *policy) { p.margin = d } }

// WithMinimum refuses to start a call with less than d available: below
// it, the call would most likely time out anyway.
func WithMinimum(d time.Duration) Option { return func(p *policy) { p.minimum = d } }

// WithFraction caps the call at f (0 < f ≤ 1) of the remaining budget, so
// the first of several sequential calls cannot use up the time of the
// others.
func WithFraction(f float64) Option { return func(p *policy) { p.fraction = f } }

// Timeout returns the timeout for one call: want, capped by what is left of
// ctx's deadline after the margin (and fraction). want ≤ 0 means "whatever
// is left". It returns ctx.Err() when ctx is done and an error wrapping
// ErrBudgetExhausted when the result would be below the minimum or not
// positive. Without a deadline on ctx it returns want (0: no timeout).
func Timeout(ctx context.Context, want time.Duration, opts ...Option) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var p policy
	for _, o := range opts {
		o(&p)
	}
	left, ok := Remaining(ctx)
	if !ok {
		return max(want, 0), nil
	}
	avail := left - p.margin
	if p.fraction > 0 && p.fraction < 1 {
		avail = min(avail, time.Duration(float64(left)*p.fraction))
	}
	d := avail
	if want > 0 && want < avail {
		d = want
	}
	if d <= 0 || d < p.minimum {
		return 0, fmt.Errorf("%w: %v left, margin %v, need at least %v", ErrBudgetExhausted,
			left.Round(time.Millisecond), p.margin, max(p.minimum, time.Nanosecond))
	}
	return d, nil
}

// WithTimeout derives the context for one call from ctx, with the timeout
// Timeout computes. On error it returns ctx itself and a no-op cancel, so
// `defer cancel()` is always safe; the call should not be made.
func WithTimeout(ctx context.Context, want time.Duration, opts ...Option) (context.Context, context.CancelFunc, error) {
	d, err := Timeout(ctx, want, opts...)
	if err != nil {
		return ctx, func() {}, err
	}
	if d == 0 { // no deadline anywhere and none wanted
		c, cancel := context.WithCancel(ctx)
		return c, cancel, nil
	}
	c, cancel := context.WithTimeout(ctx, d)
	return c, cancel, nil
}

// Start returns ctx with a total budget of total for the whole call chain
// below it, never extending a deadline ctx already has. It is
// context.WithTimeout with a name that says what it is for.
func Start(ctx context.Context, total time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, total)
}
