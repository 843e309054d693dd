// Package loops holds retries that are not counted for statements: exits
// decided by a helper, goto loops, switch cases, labelled loops, loops in
// goroutines and recursion, each with a twin written the bounded way.
package loops

import (
	"errors"
	"math/rand"
	"net/http"
	"time"
)

var errExhausted = errors.New("retries exhausted")

// jitter is a random wait of up to a second.
func jitter() time.Duration { return time.Duration(rand.Int63n(int64(time.Second))) }

// Sender posts events to a collector.
type Sender struct {
	hc      *http.Client
	url     string
	retries int
}

// retryable judges a response by its status only.
func (s *Sender) retryable(res *http.Response) bool {
	return res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500
}

// Fetch leaves when the helper says the response is final: a collector that
// keeps answering 503 is asked forever.
func (s *Sender) Fetch() (*http.Response, error) {
	for { // want `retry loop has no bound: a failing s.hc.Get is retried forever`
		res, err := s.hc.Get(s.url)
		if err != nil {
			return nil, err
		}
		if !s.retryable(res) {
			return res, nil
		}
		res.Body.Close()
		time.Sleep(jitter())
	}
}

// retryableAt also counts the attempts against the configured limit.
func (s *Sender) retryableAt(n int, res *http.Response) bool {
	if n >= s.retries {
		return false
	}
	return res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500
}

// FetchCapped is the twin: the helper stops after s.retries attempts.
func (s *Sender) FetchCapped() (*http.Response, error) {
	for n := 0; ; n++ {
		res, err := s.hc.Get(s.url)
		if err != nil {
			return nil, err
		}
		if !s.retryableAt(n, res) {
			return res, nil
		}
		res.Body.Close()
		time.Sleep(jitter())
	}
}

// outcome is one attempt's result.
type outcome struct {
	res *http.Response
	err error
}

// classify says whether to go again, and after how long.
func (o outcome) classify() (bool, time.Duration) {
	if o.err != nil || o.res.StatusCode >= 500 {
		return true, jitter()
	}
	return false, 0
}

// classifyAt also gives up after max attempts.
func (o outcome) classifyAt(n, max int) (bool, time.Duration) {
	if n >= max {
		return false, 0
	}
	return o.classify()
}

// Poll asks classify after each attempt; classify never says stop on a
// failure, so a dead collector is polled forever.
func (s *Sender) Poll() *http.Response {
	for { // want `retry loop has no bound: a failing s.hc.Get is retried forever`
		res, err := s.hc.Get(s.url)
		out := outcome{res, err}
		again, delay := out.classify()
		if !again {
			return res
		}
		if res != nil {
			res.Body.Close()
		}
		time.Sleep(delay)
	}
}

// PollCapped is the twin: the verdict counts the attempts.
func (s *Sender) PollCapped() *http.Response {
	n := 0
	for {
		res, err := s.hc.Get(s.url)
		out := outcome{res, err}
		again, delay := out.classifyAt(n, s.retries)
		if !again {
			return res
		}
		if res != nil {
			res.Body.Close()
		}
		n++
		time.Sleep(delay)
	}
}

// Transport retries what its flag says is retryable, forever.
type Transport struct {
	next    http.RoundTripper
	backoff func(attempt int) time.Duration
	retries int
}

// RoundTrip leaves when the attempt was not judged retryable; a node that
// keeps failing is asked again and again, and a cancelled request still
// sleeps out its backoff.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ { // want `retry loop has no bound: a failing t.next.RoundTrip is retried forever`
		shouldRetry := false
		res, err := t.next.RoundTrip(req)
		if err != nil {
			shouldRetry = true
		} else if res.StatusCode == http.StatusBadGateway || res.StatusCode == http.StatusServiceUnavailable {
			shouldRetry = true
			res.Body.Close()
		}
		if !shouldRetry {
			return res, err
		}
		time.Sleep(t.backoff(attempt)) // want `time.Sleep in a retry loop ignores cancellation of req.Context\(\)`
	}
}

// RoundTripCapped is the twin: at most t.retries attempts.
func (t *Transport) RoundTripCapped(req *http.Request) (res *http.Response, err error) {
	for attempt := 1; attempt <= t.retries; attempt++ {
		shouldRetry := false
		res, err = t.next.RoundTrip(req)
		if err != nil {
			shouldRetry = true
		} else if res.StatusCode == http.StatusBadGateway || res.StatusCode == http.StatusServiceUnavailable {
			shouldRetry = true
			res.Body.Close()
		}
		if !shouldRetry {
			break
		}
		timer := time.NewTimer(t.backoff(attempt))
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
	return res, err
}
