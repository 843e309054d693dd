// Package sdk is an SDK-style client whose writes are retried by helper
// libraries and a retrying HTTP client.
package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	retrygo "github.com/avast/retry-go/v4"
	"github.com/cenkalti/backoff/v4"
	backoffv5 "github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/resilvet/resilvet/runtime/retry"
)

type Customer struct {
	Email string `json:"email"`
}

type Client struct {
	http  *http.Client
	rc    *retryablehttp.Client
	base  string
	token string
}

// CreateCustomer goes through a retrying client with no key.
func (c *Client) CreateCustomer(ctx context.Context, cu Customer) (*http.Response, error) {
	body, err := json.Marshal(cu)
	if err != nil {
		return nil, err
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/customers", body) // want `POST request is retried without an Idempotency-Key header`
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.rc.Do(req)
}

// Subscribe posts a form through the retrying client.
func (c *Client) Subscribe(email string) (*http.Response, error) {
	return c.rc.Post(c.base+"/v1/subscribe", "application/json", []byte(email)) // want `POST is retried but this call cannot carry an Idempotency-Key header`
}

// CreateInvoice retries with cenkalti/backoff, without a key.
func (c *Client) CreateInvoice(ctx context.Context, payload []byte) error {
	return backoff.Retry(func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/invoices", bytes.NewReader(payload)) // want `POST request is retried without an Idempotency-Key header`
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

// CreatePayout mints the key inside the function retry-go repeats.
func (c *Client) CreatePayout(ctx context.Context, payload []byte) error {
	return retrygo.Do(func() error {
		key := uuid.New().String() // want `Idempotency-Key value is generated inside the retry`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/payouts", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}, retrygo.Context(ctx), retrygo.Attempts(4))
}

// UpdatePlan mints the key inside the runtime's retried function.
func (c *Client) UpdatePlan(ctx context.Context, payload []byte) error {
	return retry.Do(ctx, retry.Policy{MaxAttempts: 3}, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPatch, c.base+"/v1/plan", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", retry.NewKey()) // want `Idempotency-Key value is generated inside the retry`
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
}

// CreateRefund retries with backoff/v5 and no key.
func (c *Client) CreateRefund(ctx context.Context, payload []byte) (int, error) {
	return backoffv5.Retry(ctx, func() (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/refunds", bytes.NewReader(payload)) // want `POST request is retried without an Idempotency-Key header`
		if err != nil {
			return 0, backoffv5.Permanent(err)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}, backoffv5.WithBackOff(backoffv5.NewExponentialBackOff()))
}
