// Package loops holds hand-written retry loops with one defect each, the
// way they show up in service code.
package loops

import (
	"bytes"
	"context"
	"errors"
	"log"
	"math/rand"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/resilvet/resilvet/runtime/retry"
)

var errGaveUp = errors.New("gave up")

// fetchForever retries until the server answers, however long that takes.
func fetchForever(client *http.Client, url string) (*http.Response, error) {
	for { // want `retry loop has no bound: a failing client.Get is retried forever`
		resp, err := client.Get(url)
		if err != nil {
			log.Printf("fetch %s: %v", url, err)
			time.Sleep(2 * time.Second) // want `retry waits a constant 2 \* time.Second between attempts`
			continue
		}
		return resp, nil
	}
}

type Client struct {
	http        *http.Client
	base        string
	maxAttempts int
}

func (c *Client) send(ctx context.Context, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// storeWithBackoff doubles its wait, so every client that failed together
// retries together.
func (c *Client) storeWithBackoff(ctx context.Context, payload []byte) error {
	delay := 100 * time.Millisecond
	for attempt := 1; attempt <= c.maxAttempts; attempt++ {
		err := c.send(ctx, payload)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay): // want `retry backoff grows but has no jitter`
		}
		delay *= 2
	}
	return errGaveUp
}

// getProfile retries every error status, including 404 and 401.
func (c *Client) getProfile(ctx context.Context, id string) (*http.Response, error) {
	p := retry.Policy{MaxAttempts: 4, BaseDelay: 50 * time.Millisecond}
	for attempt := 1; attempt <= p.MaxAttempts; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/profiles/"+id, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if err := retry.Wait(ctx, retry.Backoff(p, attempt)); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode >= 400 { // want `retry on resp.StatusCode >= 400 also retries permanent errors \(400, 401, 403, 404, 409, 422\)`
			resp.Body.Close()
			if err := retry.Wait(ctx, retry.Backoff(p, attempt)); err != nil {
				return nil, err
			}
			continue
		}
		return resp, nil
	}
	return nil, errGaveUp
}

// listOrders treats anything but 200 as worth another try.
func (c *Client) listOrders(ctx context.Context) (*http.Response, error) {
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := c.http.Get(c.base + "/orders")
		if err == nil && resp.StatusCode == http.StatusOK { // want `retry stops only on resp.StatusCode == http.StatusOK, so permanent errors \(400, 401, 403, 404, 409, 422\) are retried too`
			return resp, nil
		}
		if err == nil {
			lastErr = errors.New(resp.Status)
			resp.Body.Close()
		} else {
			lastErr = err
		}
		if err := retry.Wait(ctx, retry.Backoff(retry.Policy{}, attempt)); err != nil {
			return nil, err
		}
	}
	return nil, lastErr
}

// notifyStatus retries != 200 responses explicitly.
func (c *Client) notifyStatus(ctx context.Context, url string) error {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK { // want `retry on resp.StatusCode != http.StatusOK also retries permanent errors`
			if err := retry.Wait(ctx, retry.Backoff(retry.Policy{}, attempt)); err != nil {
				return err
			}
			continue
		}
		return nil
	}
	return errGaveUp
}

// pushMetrics waits with jitter but on a bare timer channel, deaf to ctx.
func (c *Client) pushMetrics(ctx context.Context, payload []byte) error {
	base := 200 * time.Millisecond
	for attempt := 0; attempt < 5; attempt++ {
		if err := c.send(ctx, payload); err == nil {
			return nil
		}
		wait := base + time.Duration(rand.Int63n(int64(base)))
		<-time.After(wait) // want `<-time.After in a retry loop ignores cancellation of ctx`
		base *= 2
	}
	return errGaveUp
}

// replaceDoc builds its request, body included, once and sends it again.
func (c *Client) replaceDoc(ctx context.Context, url string, doc []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(doc))
	if err != nil {
		return err
	}
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := c.http.Do(req) // want `request req is re-sent on every attempt but its body is consumed by the first`
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := retry.Wait(ctx, retry.Backoff(retry.Policy{}, attempt)); err != nil {
			return err
		}
	}
	return errGaveUp
}

// syncInventory hands backoff a closure that reuses one reader.
func (c *Client) syncInventory(ctx context.Context, url string, doc []byte) error {
	body := bytes.NewReader(doc)
	return backoff.Retry(func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, body) // want `request body body is a reader built once outside the retry`
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

// reconnect waits on the dependency forever in a goroutine.
func (c *Client) reconnect(dial func() error) {
	for { // want `retry loop has no bound: a failing dial is retried forever`
		if err := dial(); err == nil {
			return
		}
		time.Sleep(time.Duration(1+rand.Intn(5)) * time.Second)
	}
}

// leakOnFallThrough leaves 5xx bodies open on its way round.
func (c *Client) leakOnFallThrough(ctx context.Context, url string) (*http.Response, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := c.http.Get(url) // want `response body of a failed attempt is not closed before the next one`
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err := retry.Wait(ctx, retry.Backoff(retry.Policy{}, attempt)); err != nil {
			return nil, err
		}
	}
	return nil, errGaveUp
}

type voice struct {
	conn interface{ WriteJSON(v any) error }
}

func (v *voice) ChannelVoiceJoin(id string) (int, error) { return 0, nil }

// reconnect rejoins forever, sending a disconnect notice after each failure
// (discordgo's shape); the finding names the call that is retried.
func (v *voice) reconnect(id string) {
	wait := time.Duration(1)
	for { // want `retry loop has no bound: a failing v.ChannelVoiceJoin is retried forever`
		<-time.After(wait * time.Second)
		wait *= 2
		if wait > 600 {
			wait = 600
		}
		_, err := v.ChannelVoiceJoin(id)
		if err == nil {
			return
		}
		err = v.conn.WriteJSON(id)
		if err != nil {
			log.Print(err)
		}
	}
}
