// Package sends holds POST retries whose send is not client.Do: a
// middleware func value, a transport, a helper of the package, and a send
// inside the function a breaker runs. Each is retried without an
// Idempotency-Key; each twin sends one key minted above the retry.
package sends

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"time"
)

func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Payments sends through a middleware chain, a transport or its helpers.
type Payments struct {
	hc   *http.Client
	rt   http.RoundTripper
	base string
}

// ChargeVia retries a charge through the caller's middleware chain.
func (p *Payments) ChargeVia(ctx context.Context, do func(*http.Request) (*http.Response, error), body []byte) error {
	for i := 0; i < 3; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/charges", bytes.NewReader(body)) // want `POST request is retried without an Idempotency-Key header`
		if err != nil {
			return err
		}
		resp, err := do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := wait(ctx, time.Duration(i+1)*time.Second); err != nil {
			return err
		}
	}
	return errors.New("charge: attempts exhausted")
}

// ChargeViaKeyed is the fixed twin.
func (p *Payments) ChargeViaKeyed(ctx context.Context, do func(*http.Request) (*http.Response, error), body []byte) error {
	key := newKey()
	for i := 0; i < 3; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/charges", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := wait(ctx, time.Duration(i+1)*time.Second); err != nil {
			return err
		}
	}
	return errors.New("charge: attempts exhausted")
}

// Refund retries through the transport.
func (p *Payments) Refund(ctx context.Context, body []byte) error {
	for i := 0; i < 3; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/refunds", bytes.NewReader(body)) // want `POST request is retried without an Idempotency-Key header`
		if err != nil {
			return err
		}
		resp, err := p.rt.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := wait(ctx, time.Duration(i+1)*time.Second); err != nil {
			return err
		}
	}
	return errors.New("refund: attempts exhausted")
}

// RefundKeyed is the fixed twin.
func (p *Payments) RefundKeyed(ctx context.Context, body []byte) error {
	key := newKey()
	for i := 0; i < 3; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/refunds", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := p.rt.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := wait(ctx, time.Duration(i+1)*time.Second); err != nil {
			return err
		}
	}
	return errors.New("refund: attempts exhausted")
}

// send sends the request as it is.
func (p *Payments) send(req *http.Request) (*http.Response, error) {
	return p.hc.Do(req.WithContext(req.Context()))
}

// sendKeyed sets the operation's key, then sends.
func (p *Payments) sendKeyed(req *http.Request, key string) (*http.Response, error) {
	req.Header.Set("Idempotency-Key", key)
	return p.send(req)
}

// Transfer retries through a helper that sets no header.
func (p *Payments) Transfer(ctx context.Context, body []byte) error {
	for i := 0; i < 3; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/transfers", bytes.NewReader(body)) // want `POST request is retried without an Idempotency-Key header`
		if err != nil {
			return err
		}
		resp, err := p.send(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := wait(ctx, time.Duration(i+1)*time.Second); err != nil {
			return err
		}
	}
	return errors.New("transfer: attempts exhausted")
}

// TransferKeyed is the fixed twin: the helper sets one key for every attempt.
func (p *Payments) TransferKeyed(ctx context.Context, body []byte) error {
	key := newKey()
	for i := 0; i < 3; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/transfers", bytes.NewReader(body))
		if err != nil {
			return err
		}
		resp, err := p.sendKeyed(req, key)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := wait(ctx, time.Duration(i+1)*time.Second); err != nil {
			return err
		}
	}
	return errors.New("transfer: attempts exhausted")
}

// breaker runs fn unless it is open.
type breaker interface {
	Execute(fn func() (any, error)) (any, error)
}

// Payout retries a breaker-guarded send; the request is built in the
// function the breaker runs.
func (p *Payments) Payout(ctx context.Context, cb breaker, body []byte) error {
	for i := 0; i < 3; i++ {
		_, err := cb.Execute(func() (any, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/payouts", bytes.NewReader(body)) // want `POST request is retried without an Idempotency-Key header`
			if err != nil {
				return nil, err
			}
			return p.hc.Do(req)
		})
		if err == nil {
			return nil
		}
		if err := wait(ctx, time.Duration(i+1)*time.Second); err != nil {
			return err
		}
	}
	return errors.New("payout: attempts exhausted")
}

// PayoutKeyed is the fixed twin.
func (p *Payments) PayoutKeyed(ctx context.Context, cb breaker, body []byte) error {
	key := newKey()
	for i := 0; i < 3; i++ {
		_, err := cb.Execute(func() (any, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/payouts", bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Idempotency-Key", key)
			return p.hc.Do(req)
		})
		if err == nil {
			return nil
		}
		if err := wait(ctx, time.Duration(i+1)*time.Second); err != nil {
			return err
		}
	}
	return errors.New("payout: attempts exhausted")
}
