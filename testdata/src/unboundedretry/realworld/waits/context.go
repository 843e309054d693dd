// Package waits holds the waits of real SDK retries: the context in scope
// is not a parameter, the wait is a helper, the sleep is indirect, and the
// backoff grows without jitter. Each shape has its fixed twin beside it.
package waits

import (
	"context"
	"errors"
	"net/http"
	"time"
)

var errGiveUp = errors.New("gave up")

// job is queued work that carries the request it sends.
type job struct {
	req *http.Request
	ctx context.Context
}

type worker struct {
	hc    *http.Client
	delay time.Duration
}

// send retries a queued job's request; the bare receive outlives the
// request's context.
func (w *worker) send(j *job) (*http.Response, error) {
	for attempt := 0; attempt < 5; attempt++ {
		resp, err := w.hc.Do(j.req)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
		}
		<-time.After(w.delay) // want `<-time.After in a retry loop ignores cancellation of j.req.Context\(\); wait with retry.Wait\(j.req.Context\(\), d\) or select on j.req.Context\(\).Done\(\)`
	}
	return nil, errGiveUp
}

// sendFixed is the twin: the wait ends with the request's context.
func (w *worker) sendFixed(j *job) (*http.Response, error) {
	for attempt := 0; attempt < 5; attempt++ {
		resp, err := w.hc.Do(j.req)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
		}
		select {
		case <-j.req.Context().Done():
			return nil, j.req.Context().Err()
		case <-time.After(w.delay):
		}
	}
	return nil, errGiveUp
}

// poller holds the context of its lifetime in a field.
type poller struct {
	ctx   context.Context
	hc    *http.Client
	url   string
	every time.Duration
}

func (p *poller) fetch() (*http.Response, error) {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, p.url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := p.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		time.Sleep(p.every) // want `time.Sleep in a retry loop ignores cancellation of p.ctx; wait with retry.Wait\(p.ctx, d\) or select on p.ctx.Done\(\)`
	}
	return nil, errGiveUp
}

func (p *poller) fetchFixed() (*http.Response, error) {
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, p.url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := p.hc.Do(req)
		if err == nil {
			return resp, nil
		}
		t := time.NewTimer(p.every)
		select {
		case <-p.ctx.Done():
			t.Stop()
			return nil, p.ctx.Err()
		case <-t.C:
		}
	}
	return nil, errGiveUp
}

// drain checks the job's context at the top of each attempt, then sleeps
// past it.
func (w *worker) drain(j *job, url string) error {
	for attempt := 0; attempt < 5; attempt++ {
		select {
		case <-j.ctx.Done():
			return j.ctx.Err()
		default:
		}
		resp, err := http.Post(url, "application/json", nil)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(w.delay) // want `time.Sleep in a retry loop ignores cancellation of j.ctx; wait with retry.Wait\(j.ctx, d\) or select on j.ctx.Done\(\)`
	}
	return errGiveUp
}

func (w *worker) drainFixed(j *job, url string) error {
	for attempt := 0; attempt < 5; attempt++ {
		resp, err := http.Post(url, "application/json", nil)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-j.ctx.Done():
			return j.ctx.Err()
		case <-time.After(w.delay):
		}
	}
	return errGiveUp
}

// forward relays an incoming request: its context is the caller's.
func (w *worker) forward(in *http.Request, out *http.Request) (*http.Response, error) {
	ctx := in.Context()
	out = out.WithContext(ctx)
	for attempt := 0; attempt < 3; attempt++ {
		resp, err := w.hc.Do(out)
		if err == nil {
			return resp, nil
		}
		time.Sleep(w.delay) // want `time.Sleep in a retry loop ignores cancellation of in.Context\(\); wait with retry.Wait\(in.Context\(\), d\) or select on in.Context\(\).Done\(\)`
	}
	return nil, errGiveUp
}
