// Package quiet holds the fixed twins of the waits whose meaning is
// package-wide: the package's Policy, clock and sleep field all end with
// the context, and its backoff function is jittered.
package quiet

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"net/http"
	"time"
)

var errGiveUp = errors.New("gave up")

// Policy decides how long to wait before an attempt.
type Policy interface {
	Wait(ctx context.Context, attempt int) error
}

type fixedPolicy struct{ d time.Duration }

func (p fixedPolicy) Wait(ctx context.Context, attempt int) error {
	return sleepCtx(ctx, p.d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type clock interface {
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Sleep(ctx context.Context, d time.Duration) error { return sleepCtx(ctx, d) }

type backoffFunc func(retries int) time.Duration

// jittered spreads the exponential delay at random.
func jittered(base time.Duration) backoffFunc {
	return func(retries int) time.Duration {
		d := time.Duration(math.Pow(2, float64(retries))) * base
		return time.Duration(rand.Int63n(int64(d)))
	}
}

type client struct {
	hc          *http.Client
	policy      Policy
	clock       clock
	sleep       func(context.Context, time.Duration) error
	backoffFunc backoffFunc
	delay       time.Duration
}

func newClient() *client {
	return &client{
		hc:          http.DefaultClient,
		policy:      fixedPolicy{d: time.Second},
		clock:       realClock{},
		sleep:       sleepCtx,
		backoffFunc: jittered(500 * time.Millisecond),
	}
}

func (c *client) get(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}

func (c *client) viaPolicy(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		resp, err := c.get(ctx, url)
		if err == nil {
			return resp, nil
		}
		if err := c.policy.Wait(ctx, n); err != nil {
			return nil, err
		}
	}
	return nil, errGiveUp
}

func (c *client) viaClock(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		resp, err := c.get(ctx, url)
		if err == nil {
			return resp, nil
		}
		if err := c.clock.Sleep(ctx, c.delay); err != nil {
			return nil, err
		}
	}
	return nil, errGiveUp
}

func (c *client) viaSleepField(ctx context.Context, url string) (*http.Response, error) {
	for n := 0; n < 5; n++ {
		resp, err := c.get(ctx, url)
		if err == nil {
			return resp, nil
		}
		if err := c.sleep(ctx, c.delay); err != nil {
			return nil, err
		}
	}
	return nil, errGiveUp
}

func (c *client) viaBackoffField(ctx context.Context, url string) (*http.Response, error) {
	for retries := 0; retries < 5; retries++ {
		resp, err := c.get(ctx, url)
		if err == nil {
			return resp, nil
		}
		if err := sleepCtx(ctx, c.backoffFunc(retries)); err != nil {
			return nil, err
		}
	}
	return nil, errGiveUp
}
