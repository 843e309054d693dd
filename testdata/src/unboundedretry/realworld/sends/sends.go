// Package sends holds retries whose send is not client.Do: a middleware
// chain's func value, a RoundTripper, an interface, a helper of the package
// that sends the request it is given, and a send wrapped in a breaker's
// Execute. Each request is built once above the retry with a body that the
// first attempt drains; each twin restores the body, as the fixed SDKs do.
package sends

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"time"
)

// pause waits a jittered, growing delay, or until ctx ends.
func pause(ctx context.Context, attempt int) error {
	t := time.NewTimer(time.Duration(rand.Int63n(int64(50*time.Millisecond) << attempt)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func retryable(resp *http.Response) bool {
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
}

// Doer is a middleware chain: logging, auth and metrics wrap the client.
type Doer func(*http.Request) (*http.Response, error)

// Uploader sends through the chain its options built.
type Uploader struct {
	chain Doer
	rt    http.RoundTripper
	url   string
}

// Upload re-sends one request through the chain: the bytes.Reader is empty
// after the first attempt, so a retried upload sends no body.
func (u *Uploader) Upload(ctx context.Context, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.url, bytes.NewReader(data))
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 4; attempt++ {
		resp, err := u.chain(req) // want `request req is re-sent on every attempt but its body is consumed by the first; build the request inside the retry or reset req.Body from req.GetBody`
		if err == nil {
			resp.Body.Close()
			if !retryable(resp) {
				return nil
			}
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errors.New("upload: attempts exhausted")
}

// UploadRewound is the fixed twin: each retry restores the body first.
func (u *Uploader) UploadRewound(ctx context.Context, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.url, bytes.NewReader(data))
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 4; attempt++ {
		if attempt > 0 {
			if req.Body, err = req.GetBody(); err != nil {
				return err
			}
		}
		resp, err := u.chain(req)
		if err == nil {
			resp.Body.Close()
			if !retryable(resp) {
				return nil
			}
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errors.New("upload: attempts exhausted")
}

// Perform sends through the transport directly, as a client that picks a
// node per attempt does; the request's body is read once.
func (u *Uploader) Perform(ctx context.Context, data []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.url, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		resp, err := u.rt.RoundTrip(req) // want `request req is re-sent on every attempt but its body is consumed by the first`
		if err == nil && !retryable(resp) {
			return resp, nil
		}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if attempt == 3 {
			return nil, errors.New("perform: attempts exhausted")
		}
		if err := pause(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// PerformRewound is the fixed twin: GetBody hands each attempt a new reader.
func (u *Uploader) PerformRewound(ctx context.Context, data []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.url, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := u.rt.RoundTrip(req)
		if err == nil && !retryable(resp) {
			return resp, nil
		}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if attempt == 3 {
			return nil, errors.New("perform: attempts exhausted")
		}
		if err := pause(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// Sender is what the SDK needs of an HTTP client.
type Sender interface {
	Send(*http.Request) (*http.Response, error)
}

// Publish re-sends one request through an interface method.
func Publish(ctx context.Context, s Sender, url string, event []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBuffer(event))
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 3; attempt++ {
		resp, err := s.Send(req) // want `request req is re-sent on every attempt but its body is consumed by the first`
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errors.New("publish: attempts exhausted")
}

// PublishFresh is the fixed twin: each attempt builds its own request.
func PublishFresh(ctx context.Context, s Sender, url string, event []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBuffer(event))
		if err != nil {
			return err
		}
		resp, err := s.Send(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errors.New("publish: attempts exhausted")
}

// Service sends through its own helpers.
type Service struct {
	hc  *http.Client
	url string
}

// result is one attempt's outcome.
type result struct {
	resp *http.Response
	err  error
}

// attempt sends the request once and wraps the response.
func (s *Service) attempt(req *http.Request) (*result, error) {
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	return &result{resp: resp}, nil
}

// rewindAndSend restores the body before every send.
func (s *Service) rewindAndSend(req *http.Request) (*result, error) {
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		req.Body = body
	}
	return s.attempt(req)
}

// Store re-sends one request through a helper that sends its argument.
func (s *Service) Store(ctx context.Context, doc []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.url, bytes.NewReader(doc))
	if err != nil {
		return err
	}
	for n := 0; n < 5; n++ {
		res, err := s.attempt(req) // want `request req is re-sent on every attempt but its body is consumed by the first`
		if err == nil {
			res.resp.Body.Close()
			return nil
		}
		if err := pause(ctx, n); err != nil {
			return err
		}
	}
	return errors.New("store: attempts exhausted")
}

// StoreRewound is the fixed twin: the helper it calls restores the body.
func (s *Service) StoreRewound(ctx context.Context, doc []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.url, bytes.NewReader(doc))
	if err != nil {
		return err
	}
	for n := 0; n < 5; n++ {
		res, err := s.rewindAndSend(req)
		if err == nil {
			res.resp.Body.Close()
			return nil
		}
		if err := pause(ctx, n); err != nil {
			return err
		}
	}
	return errors.New("store: attempts exhausted")
}

// Breaker runs a function unless too many recent calls failed, in the
// shape of the common circuit-breaker libraries.
type Breaker struct{ failures int }

// Execute runs fn while the breaker is closed.
func (b *Breaker) Execute(fn func() (any, error)) (any, error) {
	if b.failures > 5 {
		return nil, errors.New("breaker open")
	}
	v, err := fn()
	if err != nil {
		b.failures++
	}
	return v, err
}

// Notify sends through a breaker inside the retry: the request and its
// body are built once, so the retried call sends an empty body.
func (s *Service) Notify(ctx context.Context, cb *Breaker, msg []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.url, bytes.NewReader(msg))
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 3; attempt++ {
		_, err := cb.Execute(func() (any, error) {
			resp, err := s.hc.Do(req) // want `request req is re-sent on every attempt but its body is consumed by the first`
			if err != nil {
				return nil, err
			}
			resp.Body.Close()
			return nil, nil
		})
		if err == nil {
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errors.New("notify: attempts exhausted")
}

// NotifyFresh is the fixed twin: the function handed to the breaker
// builds its own request each time.
func (s *Service) NotifyFresh(ctx context.Context, cb *Breaker, msg []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		_, err := cb.Execute(func() (any, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.url, bytes.NewReader(msg))
			if err != nil {
				return nil, err
			}
			resp, err := s.hc.Do(req)
			if err != nil {
				return nil, err
			}
			resp.Body.Close()
			return nil, nil
		})
		if err == nil {
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errors.New("notify: attempts exhausted")
}

// outcome is what one send produced.
type outcome struct {
	resp *http.Response
	err  error
}

// send sends req with c and keeps what came back.
func send(c *http.Client, req *http.Request) outcome {
	resp, err := c.Do(req)
	return outcome{resp: resp, err: err}
}

// Replicate re-sends one request through send, which returns the outcome
// as one value.
func Replicate(ctx context.Context, c *http.Client, url string, blob []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(blob))
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 3; attempt++ {
		out := send(c, req) // want `request req is re-sent on every attempt but its body is consumed by the first`
		if out.err == nil {
			out.resp.Body.Close()
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errors.New("replicate: attempts exhausted")
}

// ReplicateFresh is the fixed twin: a new request, and body, per attempt.
func ReplicateFresh(ctx context.Context, c *http.Client, url string, blob []byte) error {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(blob))
		if err != nil {
			return err
		}
		out := send(c, req)
		if out.err == nil {
			out.resp.Body.Close()
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errors.New("replicate: attempts exhausted")
}

// Ping keeps calling through the breaker until a call gets through: once
// the breaker opens, Execute fails at once and the loop spins on it.
func (s *Service) Ping(cb *Breaker) {
	for { // want `retry loop has no bound: a failing cb.Execute is retried forever`
		_, err := cb.Execute(func() (any, error) { // want `cb.Execute is retried at once with no wait`
			req, err := http.NewRequest(http.MethodGet, s.url+"/ping", nil)
			if err != nil {
				return nil, err
			}
			resp, err := s.hc.Do(req)
			if err != nil {
				return nil, err
			}
			resp.Body.Close()
			return nil, nil
		})
		if err == nil {
			return
		}
	}
}

// PingPatiently is the fixed twin: a bounded retry that waits between
// attempts and ends with ctx.
func (s *Service) PingPatiently(ctx context.Context, cb *Breaker) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		_, err = cb.Execute(func() (any, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/ping", nil)
			if err != nil {
				return nil, err
			}
			resp, err := s.hc.Do(req)
			if err != nil {
				return nil, err
			}
			resp.Body.Close()
			return nil, nil
		})
		if err == nil {
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return err
}

// chainFor builds the middleware chain again until its options validate: a
// local step with no dependency behind it. Converting the result to Doer
// sends nothing.
func chainFor(build func() (func(*http.Request) (*http.Response, error), error)) Doer {
	for {
		f, err := build()
		if err == nil {
			return Doer(f)
		}
	}
}
