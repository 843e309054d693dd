package loops

import (
	"net/http"
	"time"
)

// Get retries transport errors by jumping back to its label, with no limit.
func (s *Sender) Get() (*http.Response, error) {
retry: // want `retry loop has no bound: a failing s.hc.Get is retried forever`
	res, err := s.hc.Get(s.url)
	if err != nil {
		time.Sleep(jitter())
		goto retry
	}
	return res, nil
}

// GetCapped is the twin: the goto is taken a limited number of times.
func (s *Sender) GetCapped() (*http.Response, error) {
	n := 0
retry:
	res, err := s.hc.Get(s.url)
	if err != nil && n < s.retries {
		n++
		time.Sleep(jitter())
		goto retry
	}
	return res, err
}

// Send goes round again from a switch case on the status, forever.
func (s *Sender) Send() (*http.Response, error) {
	for { // want `retry loop has no bound: a failing s.hc.Get is retried forever`
		res, err := s.hc.Get(s.url)
		if err != nil {
			return nil, err
		}
		switch res.StatusCode {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			res.Body.Close()
			time.Sleep(jitter())
			continue
		}
		return res, nil
	}
}

// SendCapped is the twin: a case stops the retry at the limit.
func (s *Sender) SendCapped() (*http.Response, error) {
	for n := 0; ; n++ {
		res, err := s.hc.Get(s.url)
		if err != nil {
			return nil, err
		}
		switch {
		case n == s.retries:
			return res, nil
		case res.StatusCode == http.StatusTooManyRequests, res.StatusCode == http.StatusServiceUnavailable:
			res.Body.Close()
			time.Sleep(jitter())
			continue
		}
		return res, nil
	}
}

// Upload sends every part, and starts over from the first when one fails.
func (s *Sender) Upload(parts []string) {
outer:
	for { // want `retry loop has no bound: a failing s.hc.Get is retried forever`
		for _, part := range parts {
			res, err := s.hc.Get(part)
			if err != nil {
				time.Sleep(jitter())
				continue outer
			}
			res.Body.Close()
		}
		return
	}
}

// UploadCapped is the twin: a limited number of rounds.
func (s *Sender) UploadCapped(parts []string) bool {
outer:
	for round := 0; round < s.retries; round++ {
		for _, part := range parts {
			res, err := s.hc.Get(part)
			if err != nil {
				time.Sleep(jitter())
				continue outer
			}
			res.Body.Close()
		}
		return true
	}
	return false
}

// Register keeps registering in the background until the registry answers.
func (s *Sender) Register() {
	go func() {
		for { // want `retry loop has no bound: a failing s.hc.Get is retried forever`
			res, err := s.hc.Get(s.url)
			if err == nil {
				res.Body.Close()
				return
			}
			time.Sleep(jitter())
		}
	}()
}

// RegisterCapped is the twin: the goroutine gives up after s.retries.
func (s *Sender) RegisterCapped() {
	go func() {
		for n := 0; n < s.retries; n++ {
			res, err := s.hc.Get(s.url)
			if err == nil {
				res.Body.Close()
				return
			}
			time.Sleep(jitter())
		}
	}()
}
