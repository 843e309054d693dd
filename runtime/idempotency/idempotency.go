// Package idempotency makes retried requests safe on the server: a request
// carrying an Idempotency-Key runs its handler once; a repeat with the same
// key and the same request gets the stored response replayed instead of a
// second order or a second charge.
//
// Responses live in a Store: NewMemoryStore for one process, NewRedisStore
// to share them between replicas (a retry may land on another instance).
package idempotency

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Header is the request header carrying the key.
const Header = "Idempotency-Key"

// ReplayedHeader is set to "true" on replayed responses.
const ReplayedHeader = "Idempotent-Replayed"

// Defaults of the Middleware options.
const (
	DefaultTTL             = 24 * time.Hour
	DefaultInFlightTTL     = 5 * time.Minute
	DefaultMaxRequestBody  = 1 << 20
	DefaultMaxResponseBody = 1 << 20
	MaxKeyLength           = 255
)

// Record is what a Store keeps per key: the request's fingerprint and, once
// the handler finished, its response.
type Record struct {
	Fingerprint string
	Done        bool // false while the first request is still running
	Status      int
	Header      http.Header
	Body        []byte
	TooLarge    bool // the response exceeded the size limit and was not kept
}

// Store keeps records. Implementations must make Reserve atomic: of many
// concurrent Reserve calls for one absent key, exactly one succeeds.
//
// Every reservation belongs to the token given to Reserve, and Complete and
// Release act only for that owner, atomically. A request can outlive its
// reservation (a handler slower than the in-flight TTL); once another request
// has taken the key, the first one's late result must neither overwrite the
// second's record nor delete its reservation, which would let a third request
// run the handler alongside the second.
type Store interface {
	// Reserve claims key for a new request with the given fingerprint for
	// ttl, owned by token. If key is already held (and not expired) it
	// returns the existing record and false.
	Reserve(ctx context.Context, key, fingerprint, token string, ttl time.Duration) (existing *Record, reserved bool, err error)
	// Complete replaces token's reservation with the finished response for
	// ttl. If key is held by another owner it changes nothing and returns
	// ErrNotOwner. If key is absent (the reservation expired and nobody took
	// it) it stores rec: the handler did run, and a retry must see that.
	Complete(ctx context.Context, key, token string, rec *Record, ttl time.Duration) error
	// Release deletes token's reservation, so that the request may run
	// again. If key is held by another owner it changes nothing and returns
	// ErrNotOwner; an absent key is not an error.
	Release(ctx context.Context, key, token string) error
}

// ErrNotOwner is returned by Complete and Release when the key is held by
// another request: the caller's reservation expired and was taken over.
var ErrNotOwner = errors.New("idempotency: reservation expired and was taken by another request")

// Option configures Middleware.
type Option func(*config)

type config struct {
	scope       func(*http.Request) string
	ttl         time.Duration
	inFlightTTL time.Duration
	maxReq      int64
	maxResp     int64
	onError     func(error)
}

// WithScope namespaces keys, e.g. by the authenticated user, so that two
// clients choosing the same key never see each other's responses.
func WithScope(scope func(*http.Request) string) Option {
	return func(c *config) { c.scope = scope }
}

// WithTTL sets how long a finished response is kept for replay (default 24h).
func WithTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithInFlightTTL bounds how long a key stays reserved by a request that
// never finishes (a crashed replica), after which it may run again
// (default 5m). Keep it above the handler's own timeout.
func WithInFlightTTL(d time.Duration) Option { return func(c *config) { c.inFlightTTL = d } }

// WithMaxRequestBody limits the request body read for the fingerprint
// (default 1 MiB); larger requests with a key get 413.
func WithMaxRequestBody(n int64) Option { return func(c *config) { c.maxReq = n } }

// WithMaxResponseBody limits the response body kept for replay (default
// 1 MiB). A larger response is still sent; its repeats get 500 because it
// cannot be replayed, and the handler is not run again.
func WithMaxResponseBody(n int64) Option { return func(c *config) { c.maxResp = n } }

// WithOnError sets a hook for store errors that cannot be reported to the
// client (the response was already sent), including ErrNotOwner when a
// handler outlived its in-flight TTL and another request took the key.
func WithOnError(fn func(error)) Option { return func(c *config) { c.onError = fn } }

// Middleware deduplicates requests that carry an Idempotency-Key header
// (requests without one pass through untouched):
//
//   - the first request runs the handler; its status, headers and body are
//     stored for the TTL;
//   - a repeat with the same key, method, path, query and body gets the
//     stored response (with Idempotent-Replayed: true) without running the
//     handler;
//   - a repeat while the first is still running gets 409 Conflict;
//   - the same key with a different request gets 422 Unprocessable Entity;
//   - a request body over the limit gets 413; a malformed key gets 400; a
//     failing store gets 503 and the handler does not run.
//
// Responses that ask the client to try again (408, 429, 502, 503, 504) and
// handler panics are not stored: the key is released so a retry runs the
// handler again.
func Middleware(store Store, opts ...Option) func(http.Handler) http.Handler {
	c := config{
		ttl: DefaultTTL, inFlightTTL: DefaultInFlightTTL,
		maxReq: DefaultMaxRequestBody, maxResp: DefaultMaxResponseBody,
	}
	for _, o := range opts {
		o(&c)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get(Header)
			if key == "" {
				next.ServeHTTP(w, r)
				return
			}
			c.serve(store, next, key, w, r)
		})
	}
}

func (c *config) serve(store Store, next http.Handler, key string, w http.ResponseWriter, r *http.Request) {
	if len(key) > MaxKeyLength || !printable(key) {
		http.Error(w, "idempotency: malformed Idempotency-Key", http.StatusBadRequest)
		return
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, c.maxReq+1))
		r.Body.Close()
		if err != nil {
			http.Error(w, "idempotency: reading request body failed", http.StatusBadRequest)
			return
		}
		if int64(len(body)) > c.maxReq {
			http.Error(w, "idempotency: request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	fp := fingerprint(r, body)
	skey := key
	if c.scope != nil {
		s := c.scope(r)
		skey = strconv.Itoa(len(s)) + ":" + s + ":" + key // length-prefixed: scopes cannot collide
	}

	ctx := r.Context()
	token := rand.Text() // this request's ownership of the reservation
	existing, reserved, err := store.Reserve(ctx, skey, fp, token, c.inFlightTTL)
	if err != nil {
		http.Error(w, "idempotency: store unavailable", http.StatusServiceUnavailable)
		return
	}
	if !reserved {
		switch {
		case existing.Fingerprint != fp:
			http.Error(w, "idempotency: key reused with a different request", http.StatusUnprocessableEntity)
		case !existing.Done:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "idempotency: a request with this key is in progress", http.StatusConflict)
		case existing.TooLarge:
			http.Error(w, "idempotency: the original response was too large to keep and cannot be replayed", http.StatusInternalServerError)
		default:
			replay(w, existing)
		}
		return
	}

	rec := &recorder{ResponseWriter: w, limit: c.maxResp}
	completed := false
	defer func() {
		if completed {
			return
		}
		// The handler panicked: it did not finish, so a retry may run it again.
		// WithoutCancel: the request's context may already be cancelled.
		if err := store.Release(context.WithoutCancel(ctx), skey, token); err != nil {
			c.report(err)
		}
	}()
	next.ServeHTTP(rec, r)
	completed = true

	sctx := context.WithoutCancel(ctx) // store the result even if the client left
	if rec.status == 0 {
		rec.status = http.StatusOK
		rec.header = w.Header().Clone()
	}
	if transient(rec.status) {
		if err := store.Release(sctx, skey, token); err != nil {
			c.report(err)
		}
		return
	}
	out := &Record{Fingerprint: fp, Done: true, Status: rec.status, Header: rec.header}
	if rec.over {
		out.TooLarge = true
	} else {
		out.Body = rec.body.Bytes()
	}
	if err := store.Complete(sctx, skey, token, out, c.ttl); err != nil {
		// A store error leaves the key reserved until the in-flight TTL:
		// repeats get 409 rather than running the handler twice. ErrNotOwner
		// leaves the newer request's record alone.
		c.report(err)
	}
}

func (c *config) report(err error) {
	if c.onError != nil {
		c.onError(err)
	}
}

func transient(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// fingerprint identifies the request: method, path, query and body hash.
func fingerprint(r *http.Request, body []byte) string {
	bh := sha256.Sum256(body)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%x", r.Method, r.URL.EscapedPath(), r.URL.RawQuery, bh)
	return hex.EncodeToString(h.Sum(nil))
}

func replay(w http.ResponseWriter, rec *Record) {
	h := w.Header()
	for k, v := range rec.Header {
		h[k] = append([]string(nil), v...)
	}
	h.Set(ReplayedHeader, "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(rec.Body)
}

// recorder passes the response through and keeps a copy for the store.
type recorder struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
	limit  int64
	over   bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
		r.header = r.ResponseWriter.Header().Clone()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if !r.over {
		if int64(r.body.Len()+len(b)) > r.limit {
			r.over = true
			r.body = bytes.Buffer{}
		} else {
			r.body.Write(b)
		}
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush supports streaming handlers.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}
