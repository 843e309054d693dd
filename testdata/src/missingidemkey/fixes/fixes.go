// Package fixes holds missingidemkey findings with mechanical fixes.
package fixes

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/resilvet/resilvet/runtime/retry"
)

var errUnavailable = errors.New("unavailable")

type Payments struct {
	client *http.Client
	url    string
	policy retry.Policy
}

// Charge mints its key per attempt; the fix mints it once.
func (p *Payments) Charge(ctx context.Context, payload []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		key := uuid.NewString() // want `Idempotency-Key value is generated inside the retry`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/charges", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := p.client.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(p.policy, attempt)); err != nil {
			return err
		}
	}
	return errUnavailable
}

// Capture sends no key; the fix adds one.
func (p *Payments) Capture(ctx context.Context, id string) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/charges/"+id+"/capture", nil) // want `POST request is retried without an Idempotency-Key header`
		if err != nil {
			return err
		}
		resp, err := p.client.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := retry.Wait(ctx, retry.Backoff(p.policy, attempt)); err != nil {
			return err
		}
	}
	return errUnavailable
}
