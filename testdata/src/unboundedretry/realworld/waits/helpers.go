package waits

import (
	"context"
	"math"
	"math/rand"
	"net/http"
	"time"
)

// Policy decides how long to wait before an attempt.
type Policy interface {
	Wait(ctx context.Context, attempt int) error
}

// fixedPolicy is the package's only Policy: it sleeps blind.
type fixedPolicy struct{ d time.Duration }

func (p fixedPolicy) Wait(ctx context.Context, attempt int) error {
	time.Sleep(p.d)
	return nil
}

type config struct {
	Policy Policy
}

// clock is injectable for tests; the real one sleeps.
type clock interface {
	Sleep(d time.Duration)
}

type realClock struct{}

func (realClock) Sleep(d time.Duration) { time.Sleep(d) }

type backoffFunc func(retries int) time.Duration

// exponential doubles from base on every retry, with no randomness.
func exponential(b float64, base time.Duration) backoffFunc {
	return func(retries int) time.Duration {
		return time.Duration(math.Pow(b, float64(retries))) * base
	}
}

type client struct {
	hc          *http.Client
	cfg         config
	clock       clock
	sleep       func(time.Duration)
	backoffFunc backoffFunc
	base        time.Duration
	delay       time.Duration
}

func newClient() *client {
	return &client{
		hc:          http.DefaultClient,
		cfg:         config{Policy: fixedPolicy{d: time.Second}},
		clock:       realClock{},
		sleep:       time.Sleep,
		backoffFunc: exponential(2, 500*time.Millisecond),
	}
}

// withBackoff lets a user choose: the default is what the package ships.
func withBackoff(f backoffFunc) func(*client) {
	return func(c *client) { c.backoffFunc = f }
}

// pause sleeps a growing delay and ignores ctx though it is given one.
func (c *client) pause(ctx context.Context, n int) {
	time.Sleep(time.Duration(1<<n) * c.base)
}

// pauseFixed is the twin: jittered, and it ends with ctx.
func (c *client) pauseFixed(ctx context.Context, n int) error {
	d := time.Duration(rand.Int63n(int64(time.Duration(1<<n) * c.base)))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// backoff is hcloud's shape: the sleep of a function-valued field's delay.
func (c *client) backoff(retries int) {
	time.Sleep(c.backoffFunc(retries))
}

// delayFor returns the delay before retry n: doubling, no jitter.
func (c *client) delayFor(n int) time.Duration {
	return c.base << n
}

// delayJittered is the twin: randomised.
func (c *client) delayJittered(n int) time.Duration {
	d := c.base << n
	return d/2 + time.Duration(rand.Int63n(int64(d/2)))
}

func (c *client) viaHelper(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		c.pause(ctx, n) // want `retry backoff has no jitter, so clients that failed together retry together, and c.pause, which sleeps without watching the context, ignores cancellation of ctx; use retry.Wait\(ctx, retry.Backoff\(policy, attempt\)\)`
	}
	return nil, errGiveUp
}

func (c *client) viaHelperFixed(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		if err := c.pauseFixed(ctx, n); err != nil {
			return nil, err
		}
	}
	return nil, errGiveUp
}

func (c *client) viaPolicy(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		if err := c.cfg.Policy.Wait(ctx, n); err != nil { // want `c.cfg.Policy.Wait, which sleeps without watching the context, in a retry loop ignores cancellation of ctx; wait with retry.Wait\(ctx, d\) or select on ctx.Done\(\)`
			return nil, err
		}
	}
	return nil, errGiveUp
}

func (c *client) viaSleepField(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		c.sleep(c.delay) // want `c.sleep, which sleeps without watching the context, in a retry loop ignores cancellation of ctx; wait with retry.Wait\(ctx, d\) or select on ctx.Done\(\)`
	}
	return nil, errGiveUp
}

func (c *client) viaClock(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		c.clock.Sleep(c.delay) // want `c.clock.Sleep, which sleeps without watching the context, in a retry loop ignores cancellation of ctx; wait with retry.Wait\(ctx, d\) or select on ctx.Done\(\)`
	}
	return nil, errGiveUp
}

// do is hcloud's Client.Do: the request's context is the caller's.
func (c *client) do(r *http.Request) (*http.Response, error) {
	retries := 0
	for {
		resp, err := c.hc.Do(r)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusTooManyRequests && retries < 5 {
			resp.Body.Close()
			c.backoff(retries) // want `retry backoff has no jitter, so clients that failed together retry together, and c.backoff, which sleeps without watching the context, ignores cancellation of r.Context\(\); use retry.Wait\(r.Context\(\), retry.Backoff\(policy, attempt\)\)`
			retries++
			continue
		}
		return resp, nil
	}
}

func (c *client) sleepsReturned(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.delayFor(n)): // want `retry backoff grows but has no jitter, so clients that failed together retry together; randomise each wait \(retry.Backoff\)`
		}
	}
	return nil, errGiveUp
}

func (c *client) sleepsReturnedFixed(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.delayJittered(n)):
		}
	}
	return nil, errGiveUp
}

func (c *client) fieldBackoffInline(ctx context.Context, url string) (*http.Response, error) {
	for retries := 0; retries < 5; retries++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		t := time.NewTimer(c.backoffFunc(retries)) // want `retry backoff grows but has no jitter, so clients that failed together retry together; randomise each wait \(retry.Backoff\)`
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	return nil, errGiveUp
}
