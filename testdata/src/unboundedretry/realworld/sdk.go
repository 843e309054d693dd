// Package realworld holds retries reduced from released SDKs whose retry
// bugs were later fixed upstream, each with a twin written the fixed way.
package realworld

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/rand"
	"net/http"
	"time"
)

// Client sends API requests and retries the rate-limited ones.
type Client struct {
	http    *http.Client
	backoff func(retries int) time.Duration
	debug   io.Writer
}

func dumpRequest(r *http.Request) ([]byte, error) {
	return []byte(r.Method + " " + r.URL.String()), nil
}

// pause sleeps out the backoff of the given retry.
func (c *Client) pause(retries int) {
	time.Sleep(c.backoff(retries))
}

// Do sends the caller's request again while the API rate-limits it: no
// attempt limit, and the helper's sleep outlives a cancelled request.
func (c *Client) Do(r *http.Request) (*http.Response, error) {
	retries := 0
	for { // want `retry loop has no bound: a failing c.http.Do is retried forever`
		if c.debug != nil {
			dump, err := dumpRequest(r)
			if err != nil {
				return nil, err
			}
			c.debug.Write(dump)
		}
		resp, err := c.http.Do(r)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			resp.Body.Close()
			c.pause(retries) // want `c.pause, which sleeps without watching the context, in a retry loop ignores cancellation of r.Context\(\)`
			retries++
			continue
		}
		return resp, nil
	}
}

// hold waits out the backoff of the given retry, or until ctx ends.
func (c *Client) hold(ctx context.Context, retries int) error {
	t := time.NewTimer(c.backoff(retries))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// DoBounded is the fixed twin: a limit, and a wait that ends with the request.
func (c *Client) DoBounded(r *http.Request) (*http.Response, error) {
	for retries := 0; ; retries++ {
		resp, err := c.http.Do(r)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusTooManyRequests || retries == 5 {
			return resp, nil
		}
		resp.Body.Close()
		if err := c.hold(r.Context(), retries); err != nil {
			return nil, err
		}
	}
}

// API is a client whose requests go through one helper.
type API struct {
	hc         *http.Client
	maxRetries int
	minDelay   time.Duration
}

func (api *API) request(ctx context.Context, method, uri string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, uri, body)
	if err != nil {
		return nil, err
	}
	return api.hc.Do(req)
}

// call retries 429 and 5xx with a doubling sleep: every client that failed
// together wakes together, and a cancelled ctx still sleeps it out.
func (api *API) call(ctx context.Context, method, uri string, payload []byte) ([]byte, error) {
	var resp *http.Response
	var respErr error
	for i := 0; i <= api.maxRetries; i++ {
		if i > 0 {
			d := time.Duration(math.Pow(2, float64(i-1))) * api.minDelay
			time.Sleep(d) // want `retry backoff has no jitter, so clients that failed together retry together, and time.Sleep ignores cancellation of ctx; use retry.Wait\(ctx, retry.Backoff\(policy, attempt\)\)`
		}
		resp, respErr = api.request(ctx, method, uri, bytes.NewReader(payload))
		if respErr != nil || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			if respErr == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			continue
		}
		break
	}
	if respErr != nil {
		return nil, respErr
	}
	if resp == nil {
		return nil, errors.New("no response")
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// callJittered is the fixed twin: full jitter, and the wait ends with ctx.
func (api *API) callJittered(ctx context.Context, method, uri string, payload []byte) ([]byte, error) {
	var resp *http.Response
	var respErr error
	for i := 0; i <= api.maxRetries; i++ {
		if i > 0 {
			d := time.Duration(rand.Int63n(int64(api.minDelay) << i))
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		resp, respErr = api.request(ctx, method, uri, bytes.NewReader(payload))
		if respErr != nil || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			if respErr == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			continue
		}
		break
	}
	if respErr != nil {
		return nil, respErr
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// status defers the close inside the loop: a 5xx attempt keeps its body,
// and its connection, until the function returns.
func (c *Client) status(ctx context.Context, url string) (int, error) {
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(rand.Int63n(int64(time.Second) << attempt))):
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 500 {
			continue // want `response body of a failed attempt is closed by a defer, which runs only when the function returns`
		}
		return resp.StatusCode, nil
	}
	return 0, errors.New("no answer")
}

// statusClosed is the fixed twin: each failed attempt's body is closed
// before the next one.
func (c *Client) statusClosed(ctx context.Context, url string) (int, error) {
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(rand.Int63n(int64(time.Second) << attempt))):
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			continue
		}
		if resp.StatusCode >= 500 {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			continue
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	return 0, errors.New("no answer")
}
