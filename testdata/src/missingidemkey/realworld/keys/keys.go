// Package keys holds idempotency keys minted inside a retry by any call
// that returns a new value each time, and keys set by the package's own
// request helpers, reduced from payment and messaging SDKs. Each has a twin
// written the fixed way.
package keys

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"math/rand"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

var errNoAnswer = errors.New("no answer")

type Client struct {
	hc   *http.Client
	base string
	seq  atomic.Int64
}

// makeKey returns a new random key each call.
func makeKey() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var sent int64

// nextKey numbers the requests of the process: a new number each call.
func nextKey() string {
	sent++
	return "req-" + strconv.FormatInt(sent, 10)
}

// traceKey is the key a caller asked for; it times itself on the side,
// which does not make the key differ between calls.
func traceKey(op string) string {
	start := time.Now()
	defer func() { log.Printf("traceKey took %s", time.Since(start)) }()
	return "op-" + op
}

// Transfer mints the key with a package helper inside the retry.
func (c *Client) Transfer(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/transfers", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		key := makeKey() // want `Idempotency-Key value is generated inside the retry`
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// TransferOnce is the fixed twin: the key is minted once, above the retry.
func (c *Client) TransferOnce(ctx context.Context, payload []byte) error {
	key := makeKey()
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/transfers", bytes.NewReader(payload))
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
	return errNoAnswer
}

// Publish numbers each attempt as a new request.
func (c *Client) Publish(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/messages", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", nextKey()) // want `Idempotency-Key value is generated inside the retry`
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// PublishTraced is quiet: traceKey returns the same key for the same
// operation, whatever it does on the side.
func (c *Client) PublishTraced(ctx context.Context, op string, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/messages", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", traceKey(op))
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// Enqueue formats the clock into the key on every attempt.
func (c *Client) Enqueue(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/jobs", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", fmt.Sprint(time.Now().UnixNano())) // want `Idempotency-Key value is generated inside the retry`
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// EnqueueOnce is the fixed twin.
func (c *Client) EnqueueOnce(ctx context.Context, payload []byte) error {
	key := fmt.Sprint(time.Now().UnixNano())
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/jobs", bytes.NewReader(payload))
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
	return errNoAnswer
}

// Order formats a random number into the key on every attempt.
func (c *Client) Order(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/orders", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		id := strconv.FormatInt(rand.Int63(), 10) // want `Idempotency-Key value is generated inside the retry`
		req.Header.Set("Idempotency-Key", id)
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// setKey gives the request a new key.
func setKey(req *http.Request) {
	req.Header.Set("Idempotency-Key", uuid.NewString())
}

// stamp numbers the request from the client's sequence.
func (c *Client) stamp(req *http.Request) {
	req.Header["Idempotency-Key"] = []string{strconv.FormatInt(c.seq.Add(1), 10)}
}

// sign hands the request on to stamp.
func (c *Client) sign(req *http.Request) {
	req.Header.Set("X-Client", "keys/1.0")
	c.stamp(req)
}

// Capture sets the key through a helper that mints it.
func (c *Client) Capture(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/captures", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		setKey(req) // want `setKey sets a new Idempotency-Key value on every call and is called inside the retry`
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// Void signs each attempt, and signing numbers the request anew.
func (c *Client) Void(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/voids", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		c.sign(req) // want `c.sign sets a new Idempotency-Key value on every call and is called inside the retry`
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// contentKey derives the key from what is sent: every attempt of the same
// payload carries the same key.
func contentKey(req *http.Request, payload []byte) {
	sum := sha256.Sum256(payload)
	req.Header.Set("Idempotency-Key", hex.EncodeToString(sum[:]))
}

// keyed sets the key it is given.
func keyed(req *http.Request, key string) {
	req.Header.Set("Idempotency-Key", key)
}

// Settle is quiet: the helper's key is a digest of the payload.
func (c *Client) Settle(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/settlements", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		contentKey(req, payload)
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// Payout is quiet: the key handed to the helper is minted once.
func (c *Client) Payout(ctx context.Context, payload []byte) error {
	key := uuid.NewString()
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/payouts", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		keyed(req, key)
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}

// Refund hands the helper a key minted on every attempt.
func (c *Client) Refund(ctx context.Context, payload []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/refunds", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		keyed(req, uuid.NewString()) // want `Idempotency-Key value is generated inside the retry`
		resp, err := c.hc.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errNoAnswer
}
