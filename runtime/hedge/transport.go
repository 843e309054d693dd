package hedge

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// keyHeader marks a request the server deduplicates (see runtime/retry).
const keyHeader = "Idempotency-Key"

// NewTransport returns a RoundTripper that hedges requests through base
// (http.DefaultTransport if nil) as Do does, with the same options. Only
// GET and HEAD requests, and requests carrying an Idempotency-Key, are
// hedged, and only if their body can be re-read (no body, or GetBody set);
// any other request goes straight to base.
//
// Any response wins the race, whatever its status (put retry.NewTransport
// around or below it for status handling); transport errors lose. The losers
// are cancelled and their late responses closed; the winner's context stays
// alive until its body is closed, so the caller can read it.
func NewTransport(base http.RoundTripper, delay time.Duration, opts ...Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, delay: delay, cfg: newConfig(opts)}
}

type transport struct {
	base  http.RoundTripper
	delay time.Duration
	cfg   config
}

func hedgeable(r *http.Request) bool {
	if r.Body != nil && r.Body != http.NoBody && r.GetBody == nil {
		return false
	}
	switch r.Method {
	case "", http.MethodGet, http.MethodHead:
		return true
	}
	return r.Header.Get(keyHeader) != ""
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.cfg.maxHedges == 0 || !hedgeable(req) {
		return t.base.RoundTrip(req)
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	var calls atomic.Int32
	fn := func(ctx context.Context) (*http.Response, error) {
		r := req.WithContext(ctx)
		if hasBody && calls.Add(1) > 1 {
			// The first call sends the caller's body; the others fresh copies.
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = b
		}
		return t.base.RoundTrip(r)
	}
	resp, cancel, err := run(req.Context(), t.delay, fn, &t.cfg, closeResponse)
	if err != nil {
		if hasBody && calls.CompareAndSwap(0, 1) {
			req.Body.Close() // no call took the caller's body; RoundTrip must close it
		}
		return nil, err
	}
	if cancel != nil {
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	}
	return resp, nil
}

func closeResponse(r *http.Response) {
	if r != nil && r.Body != nil {
		r.Body.Close()
	}
}

// cancelBody cancels the winning call's context once its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
