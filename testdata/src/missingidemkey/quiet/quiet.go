// Package quiet holds retried requests missingidemkey must leave alone.
package quiet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/cenkalti/backoff/v4"
	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/resilvet/resilvet/runtime/retry"
)

var errUnavailable = errors.New("unavailable")

type Client struct {
	http   *http.Client
	rc     *retryablehttp.Client
	base   string
	policy retry.Policy
}

func generateIdempotencyKey(userID, productID string, amount float64) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s:%s:%.2f", userID, productID, amount)
	return hex.EncodeToString(h.Sum(nil))
}

// PlaceOrder is the article's fix: one key, minted above the loop.
func (c *Client) PlaceOrder(ctx context.Context, userID, productID string, amount float64, payload []byte) (*http.Response, error) {
	idempotencyKey := generateIdempotencyKey(userID, productID, amount)
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/orders", bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Idempotency-Key", idempotencyKey)
		resp, err := c.http.Do(req)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(c.policy, attempt)); err != nil {
			return nil, err
		}
	}
	return nil, errUnavailable
}

// Deterministic keys derived from the operation may be computed per attempt.
func (c *Client) Reserve(ctx context.Context, userID, productID string, payload []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/reservations", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", generateIdempotencyKey(userID, productID, 0))
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

// Idempotent methods need no key.
func (c *Client) Fetch(ctx context.Context, id string) (*http.Response, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/orders/"+id, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.http.Do(req)
		if err == nil {
			return resp, nil
		}
		if err := retry.Wait(ctx, retry.Backoff(c.policy, attempt)); err != nil {
			return nil, err
		}
	}
	return nil, errUnavailable
}

func (c *Client) Put(ctx context.Context, id string, doc []byte) error {
	return backoff.Retry(func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base+"/docs/"+id, bytes.NewReader(doc))
		if err != nil {
			return backoff.Permanent(err)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}, backoff.WithContext(backoff.NewExponentialBackOff(), ctx))
}

func (c *Client) Delete(ctx context.Context, id string) (*http.Response, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodDelete, c.base+"/docs/"+id, nil)
	if err != nil {
		return nil, err
	}
	return c.rc.Do(req)
}

// A POST through the retrying client with a key set once.
func (c *Client) CreateWithKey(ctx context.Context, body []byte) (*http.Response, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/things", body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Idempotency-Key", uuid.NewString())
	return c.rc.Do(req)
}

// The key minted once per operation, outside the retried function.
func (c *Client) CreateViaRuntime(ctx context.Context, payload []byte) error {
	key := retry.NewKey()
	return retry.Do(ctx, c.policy, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/things", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
}

// Headers set by a helper the model cannot see into.
func (c *Client) CreateSigned(ctx context.Context, key string, payload []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/things", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		c.sign(req, key)
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

func (c *Client) sign(req *http.Request, key string) { req.Header.Set("Idempotency-Key", key) }

// A POST that is not retried: each submission is a new operation.
func (c *Client) Submit(ctx context.Context, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/forms", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A batch of POSTs, one per item, each its own operation: not a retry.
func (c *Client) SubmitAll(ctx context.Context, items [][]byte) error {
	for _, it := range items {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/items", bytes.NewReader(it))
		if err != nil {
			return err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
	}
	return nil
}

// Search POSTs a query: a read that happens to need a body.
func (c *Client) Search(ctx context.Context, query []byte) (*http.Response, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/orders/_search", bytes.NewReader(query))
		if err != nil {
			return nil, err
		}
		resp, err := c.http.Do(req)
		if err == nil {
			return resp, nil
		}
		if err := retry.Wait(ctx, retry.Backoff(c.policy, attempt)); err != nil {
			return nil, err
		}
	}
	return nil, errUnavailable
}

// The caller's key, set under the alternative header name.
func (c *Client) Amend(ctx context.Context, key string, patch []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPatch, c.base+"/v1/orders/1", bytes.NewReader(patch))
		if err != nil {
			return err
		}
		req.Header["X-Idempotency-Key"] = []string{key}
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
