// Package model exercises the retry-loop model's classification directly.
package model

import (
	"context"
	"errors"
	"math/rand"
	"net/http"
	"time"

	"unboundedretry/model/helper"
)

var errFail = errors.New("fail")

func call(ctx context.Context) error { return errFail }

func forever(ctx context.Context) {
	for { // want `retry bound=none wait=constant blind=true`
		if err := call(ctx); err == nil {
			return
		}
		time.Sleep(time.Second)
	}
}

func attempts(ctx context.Context) error {
	delay := 10 * time.Millisecond
	for i := 0; i < 5; i++ { // want `retry bound=attempts wait=growing blind=false`
		err := call(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = delay * 2
	}
	return errFail
}

func deadline(ctx context.Context) error {
	start := time.Now()
	for { // want `retry bound=deadline wait=jittered blind=true`
		err := call(ctx)
		if err == nil {
			return nil
		}
		if time.Since(start) > time.Minute {
			return err
		}
		time.Sleep(time.Duration(rand.Int63n(int64(time.Second))))
	}
}

func ctxExit(ctx context.Context) error {
	for { // want `retry bound=context wait=none blind=false`
		err := call(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func countdown(ctx context.Context) error {
	retries := 3
	for { // want `retry bound=attempts wait=unknown blind=true`
		err := call(ctx)
		if err == nil {
			return nil
		}
		retries--
		if retries == 0 {
			return err
		}
		time.Sleep(backoffFor(retries))
	}
}

func backoffFor(n int) time.Duration { return time.Duration(n) * time.Second }

func statuses(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	for attempt := range 3 { // want `retry bound=attempts wait=none blind=false statuses=400,401,403,404,409,422 unclosed=1`
		resp, err := c.Get(url)
		if err != nil {
			continue
		}
		if resp.StatusCode/100 != 2 {
			continue
		}
		_ = attempt
		return resp, nil
	}
	return nil, errFail
}

func helped(ctx context.Context) error {
	return helper.Retry(ctx, 3, func() error { // want `helper retry`
		return call(ctx)
	})
}

// not retries
func items(ctx context.Context, urls []string, c *http.Client) {
	for _, u := range urls {
		if resp, err := c.Get(u); err == nil {
			resp.Body.Close()
		}
	}
}

func poll(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if err := call(ctx); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
