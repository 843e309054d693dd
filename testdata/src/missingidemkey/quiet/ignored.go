package quiet

import (
	"bytes"
	"context"
	"net/http"

	"github.com/resilvet/resilvet/runtime/retry"
)

// Ping's POST is a read in disguise (the endpoint is idempotent); the
// directive records that.
func (c *Client) Ping(ctx context.Context) error {
	for attempt := 1; attempt <= 3; attempt++ {
		//resilvet:ignore missingidemkey the /ping endpoint has no side effects
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/ping", bytes.NewReader(nil))
		if err != nil {
			return err
		}
		resp, err := c.http.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(c.policy, attempt)); err != nil {
			return err
		}
	}
	return errUnavailable
}
