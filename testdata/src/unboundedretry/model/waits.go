package model

import (
	"context"
	"time"
)

// waitsClient waits through helpers and fields the package defines.
type waitsClient struct {
	base  time.Duration
	sleep func(time.Duration)
	next  func(retries int) time.Duration
}

func waitsNew() *waitsClient {
	return &waitsClient{sleep: time.Sleep, next: waitsDoubling(time.Second)}
}

func waitsDoubling(base time.Duration) func(int) time.Duration {
	return func(retries int) time.Duration { return base << retries }
}

// waitsPause grows with the attempt and sleeps past ctx.
func (c *waitsClient) waitsPause(ctx context.Context, attempt int) {
	time.Sleep(c.base << attempt)
}

// waitsHold is ctx-aware and jittered by its caller's choice of d.
func (c *waitsClient) waitsHold(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func (c *waitsClient) waitsViaPause(ctx context.Context) error {
	for n := 0; n < 5; n++ { // want `retry bound=attempts wait=growing blind=true`
		if err := call(ctx); err == nil {
			return nil
		}
		c.waitsPause(ctx, n)
	}
	return errFail
}

func (c *waitsClient) waitsViaSleepField(ctx context.Context) error {
	for n := 0; n < 5; n++ { // want `retry bound=attempts wait=growing blind=true`
		if err := call(ctx); err == nil {
			return nil
		}
		c.sleep(c.next(n))
	}
	return errFail
}

func (c *waitsClient) waitsViaHold(ctx context.Context) error {
	for n := 0; n < 5; n++ { // want `retry bound=attempts wait=unknown blind=false`
		if err := call(ctx); err == nil {
			return nil
		}
		if err := c.waitsHold(ctx, c.base); err != nil {
			return err
		}
	}
	return errFail
}
