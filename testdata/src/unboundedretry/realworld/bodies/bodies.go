// Package bodies holds retries that leave a response body open on one path
// only, reduced from SDK clients that switch on the status: the retryable
// case logs and goes round again while every other case closes. Each has a
// twin written the fixed way.
package bodies

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"math/rand"
	"net/http"
	"time"
)

type Client struct {
	hc   *http.Client
	base string
}

// backoff waits a jittered, growing delay, or until ctx ends.
func backoff(ctx context.Context, attempt int) error {
	select {
	case <-time.After(time.Duration(rand.Int63n(int64(100*time.Millisecond) << attempt))):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var errGone = errors.New("gone")

// fetchSwitch: the 503 case logs and continues with the body open while
// every other case closes it.
func (c *Client) fetchSwitch(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return b, err
		case http.StatusServiceUnavailable, http.StatusTooManyRequests:
			log.Printf("attempt %d: %s, retrying", attempt, resp.Status)
			continue // want `response body of a failed attempt is not closed before the next one, so each retry holds another connection that is never reused; drain and close resp.Body before retrying`
		case http.StatusNotFound:
			resp.Body.Close()
			return nil, errGone
		default:
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchSwitchClosed is the fixed twin: the retryable case closes too.
func (c *Client) fetchSwitchClosed(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return b, err
		case http.StatusServiceUnavailable, http.StatusTooManyRequests:
			log.Printf("attempt %d: %s, retrying", attempt, resp.Status)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			continue
		case http.StatusNotFound:
			resp.Body.Close()
			return nil, errGone
		default:
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchTagless: a tagless switch on the status, same leak.
func (c *Client) fetchTagless(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			defer resp.Body.Close()
			return io.ReadAll(resp.Body)
		case resp.StatusCode >= 500:
			log.Printf("server error %d, retrying", resp.StatusCode)
			continue // want `response body of a failed attempt is not closed before the next one`
		default:
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchTaglessClosed is the fixed twin.
func (c *Client) fetchTaglessClosed(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			defer resp.Body.Close()
			return io.ReadAll(resp.Body)
		case resp.StatusCode >= 500:
			log.Printf("server error %d, retrying", resp.StatusCode)
			resp.Body.Close()
			continue
		default:
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchChain: an if/else-if chain of the same shape.
func (c *Client) fetchChain(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		if resp.StatusCode == http.StatusOK {
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return b, err
		} else if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			log.Printf("retrying after %s", resp.Status)
			continue // want `response body of a failed attempt is not closed before the next one`
		} else {
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchChainClosed is the fixed twin.
func (c *Client) fetchChainClosed(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		if resp.StatusCode == http.StatusOK {
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return b, err
		} else if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			log.Printf("retrying after %s", resp.Status)
			resp.Body.Close()
			continue
		} else {
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchDefault: the default case falls out of the switch and the body
// reaches the next iteration open.
func (c *Client) fetchDefault(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req) // want `response body of a failed attempt is not closed before the next one`
		if err != nil {
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			defer resp.Body.Close()
			return io.ReadAll(resp.Body)
		case http.StatusNotFound, http.StatusForbidden:
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		default:
			log.Printf("attempt %d: %s", attempt, resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchDefaultClosed is the fixed twin: the default case closes before the
// loop goes round.
func (c *Client) fetchDefaultClosed(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			defer resp.Body.Close()
			return io.ReadAll(resp.Body)
		case http.StatusNotFound, http.StatusForbidden:
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		default:
			log.Printf("attempt %d: %s", attempt, resp.Status)
			resp.Body.Close()
		}
	}
	return nil, errors.New("no answer")
}

// fetchDeferSwitch defers the close inside the loop and then switches: a
// retried attempt's body stays open until the function returns.
func (c *Client) fetchDeferSwitch(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			return io.ReadAll(resp.Body)
		case http.StatusBadGateway, http.StatusServiceUnavailable:
			continue // want `response body of a failed attempt is closed by a defer, which runs only when the function returns, so each retry holds another connection until then; drain and close resp.Body before retrying`
		default:
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchDeferOnce is the fixed twin: each attempt runs in its own function,
// so the deferred close runs when the attempt ends.
func (c *Client) fetchDeferOnce(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		body, retry, err := c.once(ctx)
		if err != nil && retry {
			continue
		}
		return body, err
	}
	return nil, errors.New("no answer")
}

func (c *Client) once(ctx context.Context) ([]byte, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, true, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		b, err := io.ReadAll(resp.Body)
		return b, false, err
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		return nil, true, errors.New(resp.Status)
	default:
		return nil, false, errors.New(resp.Status)
	}
}

// fetchKeepLast is quiet: every failed attempt but the last is drained and
// closed, and the last response goes to the caller open, for it to read
// the error (the guard does not test the response, but it is about it).
func (c *Client) fetchKeepLast(ctx context.Context) (*http.Response, error) {
	var resp *http.Response
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, rerr := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if rerr != nil {
			return nil, rerr
		}
		resp, err = c.hc.Do(req)
		if err != nil {
			continue
		}
		if resp.StatusCode < 500 {
			return resp, nil
		}
		if attempt < 3 {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	return resp, err
}

// apiError is the error document the API sends with a failure.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// logFailure logs a failed response: its status, request id and error
// document. It reads the body but leaves closing it to the caller.
func logFailure(resp *http.Response) {
	var e apiError
	json.NewDecoder(resp.Body).Decode(&e)
	log.Printf("%s (request %s): %s %s", resp.Status, resp.Header.Get("X-Request-Id"), e.Code, e.Message)
}

// discard drains and closes a response the caller is done with.
func discard(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// fetchLogged: the retryable case hands the response to a logger that
// reads it, then goes round with the body open.
func (c *Client) fetchLogged(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return b, err
		case http.StatusServiceUnavailable:
			logFailure(resp)
			continue // want `response body of a failed attempt is not closed before the next one`
		default:
			discard(resp)
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}

// fetchDiscarded is the fixed twin: the retryable case hands the response
// to a helper that drains and closes it.
func (c *Client) fetchDiscarded(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 4; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return b, err
		case http.StatusServiceUnavailable:
			logFailure(resp)
			discard(resp)
			continue
		default:
			discard(resp)
			return nil, errors.New(resp.Status)
		}
	}
	return nil, errors.New("no answer")
}
