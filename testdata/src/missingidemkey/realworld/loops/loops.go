// Package loops holds POST retries written as goto loops and recursion,
// each with a twin that sends one idempotency key on every attempt.
package loops

import (
	"bytes"
	"context"
	"math/rand"
	"net/http"
	"strconv"
	"time"
)

type Payments struct {
	hc      *http.Client
	url     string
	retries int
}

func newKey() string { return strconv.FormatInt(rand.Int63(), 36) }

func jitter() time.Duration { return time.Duration(rand.Int63n(int64(time.Second))) }

// Charge retries the POST by jumping back to its label, with no key.
func (p *Payments) Charge(ctx context.Context, body []byte) error {
	n := 0
retry:
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/charges", bytes.NewReader(body)) // want `POST request is retried without an Idempotency-Key header`
	if err != nil {
		return err
	}
	resp, err := p.hc.Do(req)
	if err != nil && n < p.retries {
		n++
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(jitter()):
		}
		goto retry
	}
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// ChargeKeyed is the twin: one key, minted above the label.
func (p *Payments) ChargeKeyed(ctx context.Context, body []byte) error {
	key := newKey()
	n := 0
retry:
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/charges", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Idempotency-Key", key)
	resp, err := p.hc.Do(req)
	if err != nil && n < p.retries {
		n++
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(jitter()):
		}
		goto retry
	}
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Refund mints its key inside the function that calls itself on a 503:
// every attempt carries a new key.
func (p *Payments) Refund(ctx context.Context, body []byte, attempt int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/refunds", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Idempotency-Key", newKey()) // want `Idempotency-Key value is generated inside the retry`
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable && attempt < p.retries {
		return p.Refund(ctx, body, attempt+1)
	}
	return nil
}

// RefundKeyed is the twin: the caller mints the key once and every
// attempt passes it on.
func (p *Payments) RefundKeyed(ctx context.Context, body []byte, key string, attempt int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/refunds", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Idempotency-Key", key)
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable && attempt < p.retries {
		return p.RefundKeyed(ctx, body, key, attempt+1)
	}
	return nil
}
