// Package realworld holds idempotency-key shapes reduced from payment and
// messaging SDKs: keys minted by the package's own helpers.
package realworld

import (
	"bytes"
	"context"
	"math/rand"
	"net/http"
	"strconv"
	"time"
)

type Client struct {
	hc  *http.Client
	url string
}

// newKey mints a request id from the clock and a random suffix.
func newKey() string {
	return strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.Itoa(rand.Int())
}

// requestID wraps newKey, as SDKs layer their id helpers.
func requestID(prefix string) string { return prefix + newKey() }

// Charge mints the key inside the retry through a helper: each attempt
// carries a new key, so the server cannot tell a retry from a new charge.
func (c *Client) Charge(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/charges", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", requestID("ch_")) // want `Idempotency-Key value is generated inside the retry`
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return context.DeadlineExceeded
}

// Refund is the fixed twin: one key, minted above the retry.
func (c *Client) Refund(ctx context.Context, payload []byte) error {
	key := requestID("re_")
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/refunds", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return context.DeadlineExceeded
}
