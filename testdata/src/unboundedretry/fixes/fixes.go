// Package fixes holds unboundedretry findings with mechanical fixes.
package fixes

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/resilvet/resilvet/runtime/retry"
)

// fetch sleeps a constant half second and leaves 5xx bodies open.
func fetch(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Do(req)
		if err != nil {
			time.Sleep(500 * time.Millisecond) // want `retry waits a constant 500 \* time.Millisecond with time.Sleep, which ignores cancellation of ctx`
			continue
		}
		if resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusBadGateway {
			continue // want `response body of a failed attempt is not closed before the next one`
		}
		return resp, nil
	}
	return nil, errors.New("unavailable")
}

type Notifier struct {
	client *http.Client
	hook   string
	policy retry.Policy
}

// Ping returns only an error.
func (n *Notifier) Ping(ctx context.Context) error {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, n.hook, nil)
		if err != nil {
			return err
		}
		resp, err := n.client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		lastErr = err
		time.Sleep(time.Second) // want `retry waits a constant time.Second with time.Sleep`
	}
	return lastErr
}

// fetchAgain jumps back to its label: it sleeps a constant second and
// leaves 503 bodies open.
func fetchAgain(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	attempt := 0
retry:
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil && attempt < 3 {
		attempt++
		time.Sleep(time.Second) // want `retry waits a constant time.Second with time.Sleep, which ignores cancellation of ctx`
		goto retry
	}
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusServiceUnavailable && attempt < 3 {
		attempt++
		goto retry // want `response body of a failed attempt is not closed before the next one`
	}
	return resp, nil
}
