// Package testutil posts until it succeeds.
package testutil

import (
	"bytes"
	"context"
	"net/http"
)

func Send(ctx context.Context, c *http.Client, url string, body []byte) *http.Response {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil
		}
		resp, err := c.Do(req)
		if err == nil {
			return resp
		}
	}
}
