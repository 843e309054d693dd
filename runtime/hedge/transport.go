package hedge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilvet/resilvet/runtime/retry"
)

// keyHeader marks a request the server deduplicates.
const keyHeader = retry.KeyHeader

// maxHeldBody bounds how much of an in-progress answer's body is kept in
// memory, so that it stays readable after its attempt's context ends.
const maxHeldBody = 4 << 10

// errInProgress is the loss of an attempt answered "a request with this key
// is in progress": it must not win the race.
var errInProgress = errors.New("hedge: the server reports the request in progress")

// NewTransport returns a RoundTripper that hedges requests through base
// (http.DefaultTransport if nil) as Do does, with the same options. Only
// GET and HEAD requests, and requests carrying an Idempotency-Key, are
// hedged, and only if their body can be re-read (no body, or GetBody set);
// any other request goes straight to base.
//
// Any response wins the race, whatever its status (put retry.NewTransport
// around it for status handling), except an idempotency layer's answer that
// a request with the same key is still in progress (retry.InProgress: 409
// with Retry-After): for a keyed write, the backup usually meets the
// original still running, and that answer says nothing about the outcome,
// so the race goes on for the other attempts. Transport errors lose too.
// When every attempt lost and one was answered "in progress", that answer
// is returned (a retry.NewTransport around this one waits as it asks and
// tries again); otherwise the last error. The losers are cancelled and
// their late responses closed; the winner's context stays alive until its
// body is closed, so the caller can read it.
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
	var held inProgress
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
		resp, err := t.base.RoundTrip(r)
		if err == nil && retry.InProgress(r, resp) {
			held.keep(resp)
			return nil, errInProgress
		}
		return resp, err
	}
	resp, cancel, err := run(req.Context(), t.delay, fn, &t.cfg, closeResponse)
	answer := held.take()
	if err != nil {
		if hasBody && calls.CompareAndSwap(0, 1) {
			req.Body.Close() // no call took the caller's body; RoundTrip must close it
		}
		if answer != nil && req.Context().Err() == nil {
			return answer, nil // every attempt lost; this one says when to retry
		}
		closeResponse(answer)
		return nil, err
	}
	closeResponse(answer)
	if cancel != nil {
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	}
	return resp, nil
}

// inProgress holds the first "in progress" answer of one RoundTrip until the
// race ends; later ones, and any that arrive after, are closed.
type inProgress struct {
	mu    sync.Mutex
	resp  *http.Response
	taken bool
}

func (h *inProgress) keep(resp *http.Response) {
	// Read the (short) body now: the attempt's context is cancelled when
	// the race ends, and the body must stay readable if it is returned.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxHeldBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.resp == nil && !h.taken {
		h.resp = resp
	}
}

// take ends the race: it returns the held answer, if any.
func (h *inProgress) take() *http.Response {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.taken = true
	r := h.resp
	h.resp = nil
	return r
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
