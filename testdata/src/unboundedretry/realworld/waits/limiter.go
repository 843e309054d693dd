package waits

import (
	"context"
	"math"
	"math/rand"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// api is cloudflare-go's shape: every request waits for the client's rate
// limiter, and a failed one sleeps a doubling, capped delay first.
type api struct {
	hc       *http.Client
	limiter  *rate.Limiter
	retries  int
	minDelay time.Duration
	maxDelay time.Duration
}

func (a *api) get(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return a.hc.Do(req)
}

func (a *api) request(ctx context.Context, url string) (*http.Response, error) {
	var resp *http.Response
	var err error
	for i := 0; i <= a.retries; i++ {
		if i > 0 {
			// the limiter paces the client; it does not spread clients apart
			d := time.Duration(math.Pow(2, float64(i-1)) * float64(a.minDelay))
			if d > a.maxDelay {
				d = a.maxDelay
			}
			time.Sleep(d) // want `retry backoff has no jitter, so clients that failed together retry together, and time.Sleep ignores cancellation of ctx; use retry.Wait\(ctx, retry.Backoff\(policy, attempt\)\)`
		}
		if err := a.limiter.Wait(context.Background()); err != nil {
			return nil, err
		}
		resp, err = a.get(ctx, url)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
		}
	}
	return resp, err
}

// requestFixed is the twin: a jittered delay that ends with ctx.
func (a *api) requestFixed(ctx context.Context, url string) (*http.Response, error) {
	var resp *http.Response
	var err error
	for i := 0; i <= a.retries; i++ {
		if i > 0 {
			d := min(time.Duration(math.Pow(2, float64(i-1))*float64(a.minDelay)), a.maxDelay)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(rand.Int63n(int64(d)))):
			}
		}
		if err := a.limiter.Wait(ctx); err != nil {
			return nil, err
		}
		resp, err = a.get(ctx, url)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
		}
	}
	return resp, err
}

// paced waits only for the limiter: it is spaced, not hammering, and has
// no backoff of its own to judge.
func (a *api) paced(ctx context.Context, url string) (*http.Response, error) {
	for i := 0; i <= a.retries; i++ {
		if err := a.limiter.Wait(ctx); err != nil {
			return nil, err
		}
		resp, err := a.get(ctx, url)
		if err == nil {
			return resp, nil
		}
	}
	return nil, errGiveUp
}
