package bad

import (
	"context"
	"errors"
	"time"
)

type Client struct{ addr string }

func (c *Client) fetch(ctx context.Context, key string) (string, error) { return c.addr + key, nil }

type result struct {
	v   string
	err error
}

// Get waits for the fetch or the caller's context, whichever ends first.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	ch := make(chan result)
	go func() {
		v, err := c.fetch(ctx, key)
		ch <- result{v, err} // want `send on ch blocks forever once the select at line 25 takes <-ctx.Done\(\) and returns: the goroutine leaks with all it holds; give ch one slot per sender: make\(chan result, 1\)`
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

var errTimeout = errors.New("timed out")

// GetWithin gives the fetch a fixed time.
func (c *Client) GetWithin(key string, d time.Duration) (string, error) {
	errc := make(chan error, 0)
	var v string
	go func() {
		var err error
		v, err = c.fetch(context.Background(), key)
		errc <- err // want `send on errc blocks forever once the select at line 44 takes <-time.After\(d\) and returns: .*make\(chan error, 1\)`
	}()
	select {
	case err := <-errc:
		return v, err
	case <-time.After(d):
		return "", errTimeout
	}
}

// worker is started with the channel it reports on.
func worker(ctx context.Context, c *Client, key string, out chan string) {
	v, _ := c.fetch(ctx, key)
	out <- v // want `send on out blocks forever once the return at line 70 leaves before receiving: .*make\(chan string, 1\)`
}

func (c *Client) validate(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	return nil
}

// Prefetch starts the fetch before validating the key.
func (c *Client) Prefetch(ctx context.Context, key string) (string, error) {
	out := make(chan string)
	go worker(ctx, c, key, out)
	if err := c.validate(key); err != nil {
		return "", err
	}
	return <-out, nil
}

// Hedge asks every replica and takes the first answer.
func Hedge(ctx context.Context, replicas []*Client, key string) (string, error) {
	ch := make(chan result)
	for _, rc := range replicas {
		go func() {
			v, err := rc.fetch(ctx, key)
			ch <- result{v, err} // want `send on ch blocks forever once the return at line 88 leaves the receiving loop before every sender was received: .*give ch one slot per sender: make\(chan result, len\(replicas\)\)`
		}()
	}
	var last error
	for range replicas {
		r := <-ch
		if r.err == nil {
			return r.v, nil
		}
		last = r.err
	}
	return "", last
}

// FetchAll fetches every key at once and stops at the first error.
func (c *Client) FetchAll(ctx context.Context, keys []string) error {
	errc := make(chan error)
	for _, k := range keys {
		go func() {
			_, err := c.fetch(ctx, k)
			errc <- err // want `send on errc blocks forever once the return at line 106 .*make\(chan error, len\(keys\)\)`
		}()
	}
	for range keys {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Both runs two fetches at once and gives up on the pair after d.
func (c *Client) Both(a, b string, d time.Duration) ([]string, error) {
	ch := make(chan string, 1)
	go func() { v, _ := c.fetch(context.Background(), a); ch <- v }() // want `send on ch blocks forever once the select at line 121 .*make\(chan string, 2\)`
	go func() { v, _ := c.fetch(context.Background(), b); ch <- v }()
	var out []string
	timer := time.NewTimer(d)
	defer timer.Stop()
	for len(out) < 2 {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-timer.C:
			return out, errTimeout
		}
	}
	return out, nil
}
