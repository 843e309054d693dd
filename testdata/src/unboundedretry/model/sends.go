package model

// Retries whose send is a helper of the package returning one outcome
// value, or sits inside the function handed to a breaker.

import (
	"context"
	"net/http"
	"time"
)

// sendsOutcome is what one send produced.
type sendsOutcome struct {
	resp *http.Response
	err  error
}

// sendsOnce sends req and keeps the outcome.
func sendsOnce(c *http.Client, req *http.Request) sendsOutcome {
	resp, err := c.Do(req)
	return sendsOutcome{resp, err}
}

// sendsNoErr returns a struct without an error: not an attempt's outcome.
func sendsNoErr(req *http.Request) struct{ n int } { return struct{ n int }{len(req.URL.Path)} }

func sendsViaOutcome(ctx context.Context, c *http.Client, req *http.Request) *http.Response {
	for { // want `retry bound=none wait=constant blind=true`
		out := sendsOnce(c, req)
		if out.err == nil {
			return out.resp
		}
		time.Sleep(time.Second)
	}
}

func sendsNotAnAttempt(ctx context.Context, reqs chan *http.Request) int {
	total := 0
	for {
		out := sendsNoErr(<-reqs)
		if out.n == 0 {
			return total
		}
		total += out.n
		time.Sleep(time.Second)
	}
}

type sendsBreaker interface {
	Execute(func() (any, error)) (any, error)
}

func sendsViaBreaker(ctx context.Context, cb sendsBreaker, c *http.Client, req *http.Request) error {
	var err error
	for i := 0; i < 3; i++ { // want `retry bound=attempts wait=constant blind=false`
		_, err = cb.Execute(func() (any, error) { return c.Do(req) })
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return err
}
