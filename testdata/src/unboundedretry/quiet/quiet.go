// Package quiet holds loops unboundedretry must leave alone: work-item
// loops, pollers, workers, read and accept loops, failover, and retries
// that are bounded, jittered, cancellable and close what they open.
package quiet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	"time"

	"github.com/avast/retry-go/v4"
	"github.com/cenkalti/backoff/v4"
	rtretry "github.com/resilvet/resilvet/runtime/retry"
)

var errConflict = errors.New("conflict")

type Item struct{ ID string }

// pushAll walks work items; a failed item is logged and skipped, not retried.
func pushAll(ctx context.Context, c *http.Client, url string, items []Item) {
	for _, it := range items {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, url+"/"+it.ID, nil)
		if err != nil {
			continue
		}
		resp, err := c.Do(req)
		if err != nil {
			log.Printf("push %s: %v", it.ID, err)
			continue
		}
		resp.Body.Close()
	}
}

// waitForJob polls on a ticker until the job is done or ctx ends.
func waitForJob(ctx context.Context, check func(context.Context) (string, error)) error {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		status, err := check(ctx)
		if err != nil {
			continue
		}
		if status == "done" {
			return nil
		}
	}
}

// worker handles jobs until ctx ends; a failed job is reported, not retried.
func worker(ctx context.Context, jobs <-chan Item, handle func(Item) error) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-jobs:
			if err := handle(j); err != nil {
				log.Printf("job %s: %v", j.ID, err)
				continue
			}
		}
	}
}

// readLines reads until EOF.
func readLines(r io.Reader, handle func(string) error) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if err := handle(sc.Text()); err != nil {
			return err
		}
	}
	return sc.Err()
}

func readAll(conn net.Conn, handle func([]byte)) error {
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		handle(buf[:n])
	}
}

// serve accepts connections, backing off on temporary errors like net/http.
func serve(ln net.Listener, handle func(net.Conn)) error {
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if delay == 0 {
					delay = 5 * time.Millisecond
				} else {
					delay *= 2
				}
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		go handle(conn)
	}
}

// fetch is the loop the checks ask for: bounded, jittered exponential
// waits that end with ctx, only transient statuses retried, bodies closed.
func fetch(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	p := rtretry.Policy{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}
	var lastErr error
	for attempt := 1; attempt <= p.MaxAttempts; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Do(req)
		if err != nil {
			lastErr = err
		} else if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			lastErr = errors.New(resp.Status)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		} else {
			return resp, nil
		}
		if err := rtretry.Wait(ctx, rtretry.Backoff(p, attempt)); err != nil {
			return nil, err
		}
	}
	return nil, lastErr
}

// fetchHandRolled does the same with its own full-jitter backoff.
func fetchHandRolled(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	delay := 100 * time.Millisecond
	for attempt := 0; attempt < 4; attempt++ {
		resp, err := c.Get(url)
		if err != nil {
			goto wait
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			resp.Body.Close()
			goto wait
		}
		return resp, nil
	wait:
		jitter := time.Duration(rand.Int63n(int64(delay)))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay/2 + jitter):
		}
		delay *= 2
	}
	return nil, errors.New("unavailable")
}

// bodyclose's false positive: on err != nil the response is nil.
func get(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := c.Get(url)
		if err != nil {
			if err := rtretry.Wait(ctx, rtretry.Backoff(rtretry.Policy{}, attempt)); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode == http.StatusBadGateway {
			resp.Body.Close()
			if err := rtretry.Wait(ctx, rtretry.Backoff(rtretry.Policy{}, attempt)); err != nil {
				return nil, err
			}
			continue
		}
		return resp, nil
	}
	return nil, errors.New("bad gateway")
}

// permanent 4xx leave the loop before the catch-all retry.
func getClassified(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := c.Get(url)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			return resp, nil
		}
		if resp.StatusCode >= 400 {
			resp.Body.Close()
			if err := rtretry.Wait(ctx, rtretry.Backoff(rtretry.Policy{}, attempt)); err != nil {
				return nil, err
			}
			continue
		}
		return resp, nil
	}
	return nil, errors.New("gave up")
}

type pool struct {
	endpoints []string
	next      int
	http      *http.Client
}

// get fails over across replicas: each attempt goes somewhere else.
func (p *pool) get(path string) (*http.Response, error) {
	var lastErr error
	for i := 0; i < len(p.endpoints); i++ {
		resp, err := p.http.Get(p.endpoints[(p.next+i)%len(p.endpoints)] + path)
		if err == nil {
			return resp, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// update retries an optimistic-concurrency conflict at once: local work.
func update(ctx context.Context, apply func(context.Context) error) error {
	for {
		err := apply(ctx)
		if err == nil {
			return nil
		}
		if !errors.Is(err, errConflict) {
			return err
		}
	}
}

// within a deadline, with a rate limiter doing the waiting.
type limiter interface{ Wait(context.Context) error }

func publish(ctx context.Context, lim limiter, c *http.Client, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if err := lim.Wait(ctx); err != nil {
			return err
		}
		resp, err := c.Post(url, "text/plain", nil)
		if err != nil {
			continue
		}
		resp.Body.Close()
		return nil
	}
	return errors.New("deadline")
}

// helpers own their bounds and waits; the bodies are built per attempt.
func viaBackoff(ctx context.Context, c *http.Client, url string, doc []byte) error {
	return backoff.Retry(func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(doc))
		if err != nil {
			return backoff.Permanent(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}, backoff.WithContext(backoff.NewExponentialBackOff(), ctx))
}

func viaRetryGo(ctx context.Context, c *http.Client, url string, doc []byte) error {
	return retry.Do(func() error {
		resp, err := c.Post(url, "application/json", bytes.NewReader(doc))
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}, retry.Attempts(3), retry.Context(ctx))
}

func viaRuntime(ctx context.Context, c *http.Client, url string, doc []byte) error {
	return rtretry.Do(ctx, rtretry.Policy{MaxAttempts: 4}, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(doc))
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
}

// the request body is rewound from GetBody before each retry.
func rewound(ctx context.Context, c *http.Client, url string, doc []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(doc))
	if err != nil {
		return err
	}
	for attempt := 1; attempt <= 3; attempt++ {
		if attempt > 1 {
			body, err := req.GetBody()
			if err != nil {
				return err
			}
			req.Body = body
		}
		resp, err := c.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		if err := rtretry.Wait(ctx, rtretry.Backoff(rtretry.Policy{}, attempt)); err != nil {
			return err
		}
	}
	return errors.New("gave up")
}

// stop is another way out: a shutdown channel.
func reconnect(stop <-chan struct{}, dial func() error) {
	for {
		if err := dial(); err == nil {
			return
		}
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(500+rand.Intn(500)) * time.Millisecond):
		}
	}
}

// dialAgent continues only while attempts are left (datadog-go's shape).
func dialAgent(addr string) (net.Conn, error) {
	attemptsLeft := 3
	for {
		attemptsLeft--
		conn, err := net.DialTimeout("unix", addr, time.Second)
		if err != nil {
			if errors.Is(err, net.ErrClosed) && attemptsLeft > 0 {
				time.Sleep(time.Duration(100+rand.Intn(100)) * time.Millisecond)
				continue
			}
			return nil, err
		}
		return conn, nil
	}
}

type natsConn struct {
	servers []string
	current string
}

func (c *natsConn) dialCurrent() error { return nil }

// connect walks the server pool (nats.go's shape): each attempt goes to the
// next server, so it needs no wait.
func (c *natsConn) connect(tries int) error {
	var err error
	for i := 0; i < tries; i++ {
		c.current = c.servers[i]
		if err = c.dialCurrent(); err == nil {
			return nil
		}
	}
	return err
}
