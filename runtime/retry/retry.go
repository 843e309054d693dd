// Package retry runs an operation again after transient failures: bounded
// attempts, jittered exponential backoff, a shared retry budget that stops
// retry storms, and a context that bounds every attempt and every wait.
//
// NewTransport applies the same policy to HTTP requests, adding the rules
// that make a second attempt safe on the wire: idempotency keys for POST and
// PATCH, full request bodies on every attempt, response bodies drained and
// closed, and Retry-After honoured but capped.
package retry

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Defaults applied to zero fields of a Policy.
const (
	DefaultMaxAttempts = 3
	DefaultBaseDelay   = 100 * time.Millisecond
	DefaultMaxDelay    = 10 * time.Second
)

// Jitter selects how a backoff is randomised. Randomness spreads the retries
// of many clients that failed together, so they do not return together.
type Jitter int

const (
	// FullJitter waits a uniform random time in [0, d) (the default).
	FullJitter Jitter = iota
	// EqualJitter waits d/2 plus a uniform random time in [0, d/2).
	EqualJitter
	// NoJitter waits exactly d. Use only when one client retries alone.
	NoJitter
)

// Policy configures Do and NewTransport. The zero value is usable: 3
// attempts, 100ms base delay, 10s cap, full jitter, every error retryable.
type Policy struct {
	MaxAttempts int           // total attempts, including the first (default 3)
	BaseDelay   time.Duration // first backoff (default 100ms)
	MaxDelay    time.Duration // cap for any single wait, Retry-After included (default 10s, or BaseDelay if larger)

	// Jitter is the randomisation of each backoff (default FullJitter).
	Jitter Jitter

	// Retryable classifies an attempt's error. Nil means every error is
	// retryable. Errors marked with Permanent and the context's own error
	// are never retried, whatever Retryable says.
	Retryable func(error) bool

	// Budget, when set, is consulted before every retry; share one Budget
	// between all calls to one dependency. NewTransport creates one per
	// transport when nil.
	Budget *Budget

	// AttemptTimeout bounds each attempt separately (0: only ctx bounds it).
	// For NewTransport it also covers reading the returned response body.
	AttemptTimeout time.Duration

	// OnAttempt, when set, is called after every attempt with its outcome,
	// e.g. to count retry_attempts_total{outcome}. It runs synchronously:
	// keep it fast. Nil costs nothing.
	OnAttempt func(Attempt)

	// RetryStatus classifies HTTP status codes for NewTransport
	// (nil: RetryableStatus).
	RetryStatus func(code int) bool

	// MaxBufferedBody is the largest request body NewTransport buffers to
	// re-send when the request has no GetBody (default 1 MiB). A larger body
	// is sent once and never retried rather than re-sent truncated.
	MaxBufferedBody int64
}

// Outcome is what happened to one attempt.
type Outcome string

const (
	OutcomeSuccess Outcome = "success" // the attempt ended the call with a result not retried (NewTransport: any non-retryable status, see Attempt.Status)
	OutcomeRetry   Outcome = "retry"   // the attempt failed and another attempt follows
	OutcomeFailure Outcome = "failure" // the attempt failed and the call gives up
)

// Attempt describes one finished attempt, for Policy.OnAttempt.
type Attempt struct {
	Num     int           // 1 for the first attempt
	Outcome Outcome       // success, retry or failure
	Err     error         // the attempt's error (nil on success and on HTTP status failures)
	Status  int           // HTTP status code (NewTransport only; 0 if no response)
	Delay   time.Duration // wait before the next attempt (OutcomeRetry only)
}

func (p Policy) maxAttempts() int {
	if p.MaxAttempts <= 0 {
		return DefaultMaxAttempts
	}
	return p.MaxAttempts
}

func (p Policy) baseDelay() time.Duration {
	if p.BaseDelay <= 0 {
		return DefaultBaseDelay
	}
	return p.BaseDelay
}

func (p Policy) maxDelay() time.Duration {
	if p.MaxDelay <= 0 {
		// An unset cap never shrinks an explicit base delay.
		return max(DefaultMaxDelay, p.baseDelay())
	}
	return p.MaxDelay
}

// permanent marks an error that must not be retried.
type permanent struct{ err error }

func (e *permanent) Error() string { return e.err.Error() }
func (e *permanent) Unwrap() error { return e.err }

// Permanent marks err so that Do returns it at once without retrying. Do
// returns the unwrapped err. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err: err}
}

func isPermanent(err error) (error, bool) {
	var p *permanent
	if errors.As(err, &p) {
		return p.err, true
	}
	return err, false
}

// Backoff returns the wait after attempt (the number of attempts made so far;
// values below 1 count as 1): BaseDelay doubled per earlier attempt, capped
// by MaxDelay, then jittered per p.Jitter.
func Backoff(p Policy, attempt int) time.Duration {
	d := p.baseDelay()
	limit := p.maxDelay()
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	if d > limit || d <= 0 { // d <= 0: overflow
		d = limit
	}
	switch p.Jitter {
	case NoJitter:
		return d
	case EqualJitter:
		half := d / 2
		return half + rand.N(d-half)
	default:
		return rand.N(d)
	}
}

// Wait blocks for d or until ctx is done, whichever comes first, and returns
// ctx.Err() in the latter case. A d <= 0 returns ctx.Err() at once.
func Wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NewKey returns a fresh random idempotency key: 128 bits from crypto/rand,
// hex-encoded. Mint it once per logical operation and send it on every
// attempt of that operation.
func NewKey() string {
	var b [16]byte
	_, _ = crand.Read(b[:]) // crypto/rand.Read never fails (it panics instead)
	return hex.EncodeToString(b[:])
}

// Do calls fn until it succeeds, returns a Permanent or non-retryable error,
// the attempts are used up, the budget refuses a retry, or ctx is done. It
// returns nil or the last attempt's error; when ctx ends the calls, the error
// wraps both ctx.Err() and the last attempt's error (errors.Is works for
// both). No attempt starts after ctx is done.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	maxAttempts := p.maxAttempts()
	var last error
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return ctxError(err, last)
		}
		err := attempt(ctx, p.AttemptTimeout, fn)
		if err == nil {
			p.Budget.success()
			p.report(Attempt{Num: n, Outcome: OutcomeSuccess})
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			// The caller's context ended the attempt: not the dependency's fault.
			p.report(Attempt{Num: n, Outcome: OutcomeFailure, Err: err})
			if errors.Is(err, cerr) {
				return err
			}
			return ctxError(cerr, err)
		}
		inner, perm := isPermanent(err)
		last = inner
		if perm || (p.Retryable != nil && !p.Retryable(inner)) {
			p.report(Attempt{Num: n, Outcome: OutcomeFailure, Err: inner})
			return inner
		}
		p.Budget.failure()
		if n >= maxAttempts || !p.Budget.allow() {
			p.report(Attempt{Num: n, Outcome: OutcomeFailure, Err: inner})
			return inner
		}
		d := Backoff(p, n)
		p.report(Attempt{Num: n, Outcome: OutcomeRetry, Err: inner, Delay: d})
		if werr := Wait(ctx, d); werr != nil {
			return ctxError(werr, last)
		}
	}
}

func attempt(ctx context.Context, timeout time.Duration, fn func(context.Context) error) error {
	if timeout <= 0 {
		return fn(ctx)
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return fn(actx)
}

func (p *Policy) report(a Attempt) {
	if p.OnAttempt != nil {
		p.OnAttempt(a)
	}
}

// ctxError reports that ctx stopped the retries, keeping the last attempt's
// error reachable with errors.Is / errors.As.
func ctxError(ctxErr, last error) error {
	if last == nil {
		return ctxErr
	}
	return fmt.Errorf("retry: %w (last attempt: %w)", ctxErr, last)
}
