// Package pipeline is the fixed twin of sends/pipeline.go, alone in its
// package: a retry policy whose wait ends with the request's context. (In a
// package where some policy waits, a call to req.Next() may run it, so the
// check trusts the pipeline to wait and says nothing.)
package pipeline

import (
	"context"
	"io"
	"math/rand"
	"net/http"
	"time"
)

// Policy is one stage of a request pipeline, in the shape of the cloud
// SDKs' pipelines: each policy calls req.Next() to run the stages after it,
// the last of which sends the request.
type Policy interface {
	Do(req *Request) (*http.Response, error)
}

// Request carries an *http.Request through the pipeline.
type Request struct {
	raw      *http.Request
	policies []Policy
}

// rewind restores the body for another try.
func (r *Request) rewind() error {
	if r.raw.GetBody == nil {
		return nil
	}
	body, err := r.raw.GetBody()
	if err != nil {
		return err
	}
	r.raw.Body = body
	return nil
}

// Next runs the next policy of the pipeline.
func (r *Request) Next() (*http.Response, error) {
	p := r.policies[0]
	next := &Request{raw: r.raw, policies: r.policies[1:]}
	return p.Do(next)
}

// backoffPolicy is the fixed twin: a jittered wait that ends with the
// request's context between tries.
type backoffPolicy struct{ tries int }

func (p backoffPolicy) Do(req *Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for try := 1; try <= p.tries; try++ {
		if err = req.rewind(); err != nil {
			return nil, err
		}
		resp, err = req.Next()
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err := pause(req.raw.Context(), try); err != nil {
			return nil, err
		}
	}
	return resp, err
}

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
