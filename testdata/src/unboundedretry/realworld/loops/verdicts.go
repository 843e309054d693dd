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
