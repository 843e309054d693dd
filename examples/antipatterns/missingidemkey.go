package antipatterns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"time"
)

// ChargeCard retries a payment POST with no Idempotency-Key: when the
// response to the first attempt is lost, the second charges the card again.
func (c *OrderClient) ChargeCard(ctx context.Context, payment []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/payments", bytes.NewReader(payment))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.HTTP.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := sleepCtx(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
	return errors.New("payment service unavailable")
}

// CreateShipment sends a key, but a new one on every attempt, so the
// shipping service cannot tell a retry from a second shipment.
func (c *OrderClient) CreateShipment(ctx context.Context, orderID string, shipment []byte) error {
	for attempt := 1; attempt <= 3; attempt++ {
		key := fmt.Sprintf("%s-%d", orderID, time.Now().UnixNano())
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/shipments", bytes.NewReader(shipment))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.HTTP.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := sleepCtx(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
	return errors.New("shipping service unavailable")
}

// backoff is full-jitter exponential backoff.
func backoff(attempt int) time.Duration {
	return time.Duration(rand.Int63n(int64(100*time.Millisecond) << attempt))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
