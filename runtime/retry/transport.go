package retry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// KeyHeader is the header that carries the idempotency key.
const KeyHeader = "Idempotency-Key"

// DefaultMaxBufferedBody is Policy.MaxBufferedBody's default.
const DefaultMaxBufferedBody = 1 << 20

// maxDrain bounds how much of a discarded response body is read so the
// connection can be reused; past it the connection is closed instead.
const maxDrain = 64 << 10

// RetryableStatus reports whether NewTransport retries a response status by
// default: 408, 429, 502, 503 and 504. Everything else, 500 and 501 included,
// is returned to the caller at once: a 4xx will fail again, and a 500 may
// have been caused by the request itself.
func RetryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// InProgress reports whether resp is an idempotency layer's answer that
// another request with the same key is still running, as
// runtime/idempotency's Middleware sends it: 409 Conflict with a
// Retry-After, to a request (req) that carried an Idempotency-Key. It says
// nothing about the operation's outcome: wait as asked and send the request
// again (NewTransport does), or keep waiting for the attempt that is
// running (hedge.NewTransport does). A 409 without Retry-After, or to a
// request without a key, is the application's own conflict.
func InProgress(req *http.Request, resp *http.Response) bool {
	return resp != nil && resp.StatusCode == http.StatusConflict &&
		resp.Header.Get("Retry-After") != "" &&
		req != nil && req.Header.Get(KeyHeader) != ""
}

// NewTransport returns a RoundTripper that sends each request through base
// (http.DefaultTransport if nil) and retries it under p:
//
//   - transport errors and the statuses p.RetryStatus accepts (default
//     RetryableStatus) are retried; so is a keyed request's InProgress
//     answer (409 with Retry-After: an earlier attempt, perhaps one that
//     timed out here, is still running on the server); other statuses are
//     returned at once;
//   - GET, HEAD, OPTIONS, TRACE, PUT and DELETE are retried as they are; POST
//     and PATCH carry an Idempotency-Key on every attempt, the caller's if it
//     set one, else one minted with NewKey before the first attempt; other
//     methods are retried only when the caller set a key;
//   - every attempt sends the full body, from GetBody or from a buffer of at
//     most p.MaxBufferedBody bytes; a larger body is sent once, never retried;
//   - every response not returned is drained (bounded) and closed;
//   - Retry-After (seconds or HTTP-date) is a minimum wait capped by
//     p.MaxDelay; a longer demand (a number of seconds too large to
//     represent included) ends the retries and returns that response;
//   - p.Budget (one per transport when nil) stops retries when most
//     attempts fail;
//   - the request's context bounds everything: no attempt starts after it is
//     done, a wait that would outlast its deadline is not started (the last
//     response is returned instead), and waits end when it does.
//
// The caller's request is never modified. When the last attempt still fails,
// its response (or error) is returned, as http.Client would.
func NewTransport(base http.RoundTripper, p Policy) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if p.Budget == nil {
		p.Budget = NewBudget(0, 0)
	}
	if p.RetryStatus == nil {
		p.RetryStatus = RetryableStatus
	}
	if p.MaxBufferedBody <= 0 {
		p.MaxBufferedBody = DefaultMaxBufferedBody
	}
	return &transport{base: base, p: p, now: time.Now, wait: Wait}
}

type transport struct {
	base http.RoundTripper
	p    Policy
	now  func() time.Time                           // for Retry-After dates; replaced in tests
	wait func(context.Context, time.Duration) error // replaced in tests
}

// methodRetryable reports whether a request with this method may be sent
// twice, and whether a key must be minted for it first.
func methodRetryable(method string, hasKey bool) (retry, mint bool) {
	switch method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace,
		http.MethodPut, http.MethodDelete:
		return true, false
	case http.MethodPost, http.MethodPatch:
		return true, !hasKey
	}
	return hasKey, false
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeReqBody(req)
		return nil, err
	}
	canRetry, mint := methodRetryable(req.Method, req.Header.Get(KeyHeader) != "")
	header := req.Header
	if mint {
		header = req.Header.Clone()
		if header == nil {
			header = http.Header{}
		}
		header.Set(KeyHeader, NewKey())
	}

	// body is the first attempt's body; getBody yields the later ones.
	body, getBody := req.Body, req.GetBody
	if body != nil && body != http.NoBody && getBody == nil && canRetry && t.p.maxAttempts() > 1 {
		buf, err := io.ReadAll(io.LimitReader(body, t.p.MaxBufferedBody+1))
		if err != nil {
			body.Close()
			return nil, fmt.Errorf("retry: reading request body: %w", err)
		}
		if int64(len(buf)) > t.p.MaxBufferedBody {
			// Too large to keep: send it whole, once.
			body = &multiReadCloser{Reader: io.MultiReader(bytes.NewReader(buf), body), c: body}
			canRetry = false
		} else {
			body.Close()
			getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
			body, _ = getBody()
		}
	}
	if body != nil && body != http.NoBody && getBody == nil {
		canRetry = false
	}

	maxAttempts := t.p.maxAttempts()
	for n := 1; ; n++ {
		actx, cancel := ctx, context.CancelFunc(nil)
		if t.p.AttemptTimeout > 0 {
			actx, cancel = context.WithTimeout(ctx, t.p.AttemptTimeout)
		}
		r := req.WithContext(actx)
		r.Header = header
		r.Body = body
		r.GetBody = getBody
		resp, err := t.base.RoundTrip(r)

		if err == nil && !t.p.RetryStatus(resp.StatusCode) && !InProgress(r, resp) {
			t.p.Budget.success()
			t.p.report(Attempt{Num: n, Outcome: OutcomeSuccess, Status: resp.StatusCode})
			return withCancel(resp, cancel), nil
		}
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				release(cancel)
				t.p.report(Attempt{Num: n, Outcome: OutcomeFailure, Err: err})
				if errors.Is(err, cerr) {
					return nil, err
				}
				return nil, ctxError(cerr, err)
			}
			if t.p.Retryable != nil && !t.p.Retryable(err) {
				release(cancel)
				t.p.report(Attempt{Num: n, Outcome: OutcomeFailure, Err: err})
				return nil, err
			}
		}
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.p.Budget.failure()

		d := Backoff(t.p, n)
		giveUp := !canRetry || n >= maxAttempts || !t.p.Budget.allow()
		if !giveUp && resp != nil {
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), t.now()); ok {
				if ra > t.p.maxDelay() {
					giveUp = true // the server asks for longer than we may wait
				} else {
					d = max(d, ra)
				}
			}
		}
		if deadline, ok := ctx.Deadline(); !giveUp && ok && time.Until(deadline) < d {
			giveUp = true // waiting would only end in ctx's error: return what we have
		}
		if giveUp {
			t.p.report(Attempt{Num: n, Outcome: OutcomeFailure, Err: err, Status: status})
			if err != nil {
				release(cancel)
				return nil, err
			}
			return withCancel(resp, cancel), nil
		}

		last := err
		if resp != nil {
			drainClose(resp.Body)
			last = fmt.Errorf("retry: last response: %s", resp.Status)
		}
		release(cancel)
		t.p.report(Attempt{Num: n, Outcome: OutcomeRetry, Err: err, Status: status, Delay: d})
		if werr := t.wait(ctx, d); werr != nil {
			return nil, ctxError(werr, last)
		}
		if getBody != nil && body != nil && body != http.NoBody {
			if body, err = getBody(); err != nil {
				return nil, fmt.Errorf("retry: rewinding request body: %w", err)
			}
		}
	}
}

// retryAfter parses a Retry-After value (delay-seconds or HTTP-date).
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(math.MaxInt64/time.Second) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	if errors.Is(err, strconv.ErrRange) && secs > 0 {
		// More seconds than an int64 holds: longer than any cap, not absent.
		return time.Duration(math.MaxInt64), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func drainClose(b io.ReadCloser) {
	if b == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, b, maxDrain)
	b.Close()
}

func closeReqBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func release(cancel context.CancelFunc) {
	if cancel != nil {
		cancel()
	}
}

// withCancel ties the attempt's context to the returned body: the context
// must outlive RoundTrip so that the caller can read the body.
func withCancel(resp *http.Response, cancel context.CancelFunc) *http.Response {
	if cancel == nil {
		return resp
	}
	if resp.Body == nil || resp.StatusCode == http.StatusSwitchingProtocols {
		// A 101 body is the connection itself; ctx's deadline still ends it.
		return resp
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

type multiReadCloser struct {
	io.Reader
	c io.Closer
}

func (m *multiReadCloser) Close() error { return m.c.Close() }
