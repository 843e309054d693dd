// Package checkout is the order retry of "Building Resilient Distributed Systems with Go" without the key it
// recommends, and variants that mint the key in the wrong place.
package checkout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/resilvet/resilvet/runtime/retry"
)

var errUnavailable = errors.New("order service unavailable")

type Orders struct {
	client *http.Client
	url    string
	policy retry.Policy
}

// Place retries the POST with no key: a lost response becomes two orders.
func (o *Orders) Place(ctx context.Context, payload []byte) (*http.Response, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, "POST", o.url+"/orders", bytes.NewReader(payload)) // want `POST request is retried without an Idempotency-Key header`
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := o.client.Do(req)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(o.policy, attempt)); err != nil {
			return nil, err
		}
	}
	return nil, errUnavailable
}

// Charge mints the key per attempt: the server sees a new charge each time.
func (o *Orders) Charge(ctx context.Context, payload []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url+"/charges", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", uuid.NewString()) // want `Idempotency-Key value is generated inside the retry, so every attempt sends a new key`
		resp, err := o.client.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(o.policy, attempt)); err != nil {
			return err
		}
	}
	return errUnavailable
}

// Refund builds the key from the clock, inside a labelled loop.
func (o *Orders) Refund(ctx context.Context, orderID string, payload []byte) error {
attempts:
	for attempt := 1; attempt <= 3; attempt++ {
		key := fmt.Sprintf("%s-%d", orderID, time.Now().UnixNano()) // want `Idempotency-Key value is generated inside the retry`
		req, err := http.NewRequestWithContext(ctx, http.MethodPatch, o.url+"/orders/"+orderID, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("X-Idempotency-Key", key)
		resp, err := o.client.Do(req)
		switch {
		case err != nil:
			continue attempts
		case resp.StatusCode >= 500:
			resp.Body.Close()
			continue attempts
		}
		return resp.Body.Close()
	}
	return errUnavailable
}

// Transfer numbers the key by attempt.
func (o *Orders) Transfer(ctx context.Context, transferID string, payload []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url+"/transfers", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%d", transferID, attempt)) // want `Idempotency-Key value is generated inside the retry`
		resp, err := o.client.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		time.Sleep(time.Duration(rand.Intn(1000)) * time.Millisecond)
	}
	return errUnavailable
}

// Notify posts through http.Post, which cannot carry the header.
func Notify(ctx context.Context, url string, payload []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := http.Post(url, "application/json", bytes.NewReader(payload)) // want `POST is retried but this call cannot carry an Idempotency-Key header`
		if err == nil {
			return resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(retry.Policy{}, attempt)); err != nil {
			return err
		}
	}
	return errUnavailable
}
