// Package unboundedretry posts until it succeeds.
package unboundedretry

import (
	"bytes"
	"context"
	"net/http"
)

func Send(ctx context.Context, c *http.Client, url string, body []byte) *http.Response {
	for { // want `retry loop has no bound`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil
		}
		resp, err := c.Do(req) // want `c.Do is retried at once with no wait`
		if err == nil {
			return resp
		}
	}
}
