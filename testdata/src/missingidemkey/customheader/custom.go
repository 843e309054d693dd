// Package customheader runs with -headers=X-Dedup-Key.
package customheader

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/resilvet/resilvet/runtime/retry"
)

func create(ctx context.Context, c *http.Client, url, key string, body []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body)) // want `POST request is retried without an X-Dedup-Key header`
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(retry.Policy{}, attempt)); err != nil {
			return err
		}
	}
	return errors.New("unavailable")
}

func createDedup(ctx context.Context, c *http.Client, url, key string, body []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("x-dedup-key", key)
		resp, err := c.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(retry.Policy{}, attempt)); err != nil {
			return err
		}
	}
	return errors.New("unavailable")
}
