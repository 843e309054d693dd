// Package missingidemkey posts until it succeeds.
package missingidemkey

import (
	"bytes"
	"context"
	"net/http"
)

func Send(ctx context.Context, c *http.Client, url string, body []byte) *http.Response {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body)) // want `POST request is retried without an Idempotency-Key header`
		if err != nil {
			return nil
		}
		resp, err := c.Do(req)
		if err == nil {
			return resp
		}
	}
}
