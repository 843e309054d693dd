package antipatterns

import (
	"bytes"
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"time"
)

// OrderClient talks to the order service of the article's checkout flow.
type OrderClient struct {
	HTTP *http.Client
	URL  string
}

func isTransient(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// SubmitOrder is the article's retry loop as it usually ships: the reader
// is drained by the first attempt, there is no wait between attempts, and
// a 5xx response is retried with its body still open.
func (c *OrderClient) SubmitOrder(ctx context.Context, order []byte, key string) (*http.Response, error) {
	body := bytes.NewReader(order)
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/orders", body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Idempotency-Key", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.HTTP.Do(req)
		if err != nil && isTransient(err) {
			continue // retry on transient errors only
		}
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 500 {
			continue // retry on 5xx
		}
		return resp, nil
	}
	return nil, errors.New("order service unavailable")
}

// WaitForInventory blocks until the inventory service answers, sleeping a
// fixed second between attempts and never giving up, deaf to ctx.
func (c *OrderClient) WaitForInventory(ctx context.Context, url string) *http.Response {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			log.Fatal(err)
		}
		resp, err := c.HTTP.Do(req)
		if err == nil && resp.StatusCode == http.StatusOK {
			return resp
		}
		if err == nil {
			resp.Body.Close()
		}
		time.Sleep(time.Second)
	}
}
