// Package article is the order-placement retry of "Building Resilient Distributed Systems with Go", as it is
// written there: three attempts, no wait, a body drained by the first
// attempt and 5xx responses retried with their bodies open.
package article

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
)

func generateIdempotencyKey(userID, productID string, amount float64) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s:%s:%.2f", userID, productID, amount)
	return hex.EncodeToString(h.Sum(nil))
}

func isRetryable(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

type OrderClient struct {
	client          *http.Client
	orderServiceURL string
}

func (c *OrderClient) PlaceOrder(ctx context.Context, userID, productID string, amount float64, payload []byte) *http.Response {
	body := bytes.NewReader(payload)
	idempotencyKey := generateIdempotencyKey(userID, productID, amount)
	for attempt := 0; attempt < 3; attempt++ {
		req, _ := http.NewRequestWithContext(ctx, "POST", c.orderServiceURL+"/orders", body) // want `request body body is a reader built once outside the retry and drained by the first attempt`
		req.Header.Set("Idempotency-Key", idempotencyKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.client.Do(req) // want `c.client.Do is retried at once with no wait, hammering a failing dependency`
		if err != nil && isRetryable(err) {
			continue // retry on transient errors only
		}
		if resp.StatusCode >= 500 {
			continue // want `response body of a failed attempt is not closed before the next one`
		}
		return resp
	}
	return nil
}
