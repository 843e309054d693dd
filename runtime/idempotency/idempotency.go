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
	DefaultStoreTimeout    = 5 * time.Second
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
	scope        func(*http.Request) string
	credHeaders  []string
	credCookies  []string
	ttl          time.Duration
	inFlightTTL  time.Duration
	storeTimeout time.Duration
	maxReq       int64
	maxResp      int64
	store5xx     bool
	onError      func(error)
}

// WithScope namespaces keys, e.g. by the authenticated user, so that two
// clients choosing the same key never see each other's responses. It
// replaces the default scope, a digest of the request's credentials (see
// WithSessionCookies).
func WithScope(scope func(*http.Request) string) Option {
	return func(c *config) { c.scope = scope }
}

// defaultSessionCookies are the session cookie names of common frameworks.
var defaultSessionCookies = []string{
	"session", "sessionid", "session_id", "sid",
	"JSESSIONID", "PHPSESSID", "ASP.NET_SessionId", "connect.sid", "_session_id",
	"__Host-session", "__Secure-session",
}

// WithSessionCookies sets the cookies whose values, together with the
// Authorization header, scope keys when WithScope is not given. The default
// is session, sessionid, session_id, sid, JSESSIONID, PHPSESSID,
// ASP.NET_SessionId, connect.sid, _session_id, __Host-session and
// __Secure-session. With no names, only Authorization scopes keys.
func WithSessionCookies(names ...string) Option {
	return func(c *config) { c.credCookies = append([]string(nil), names...) }
}

// WithTTL sets how long a finished response is kept for replay (default 24h).
func WithTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithInFlightTTL bounds how long a key stays reserved by a request that
// never finishes (a crashed replica), after which it may run again
// (default 5m). Keep it above the handler's own timeout.
func WithInFlightTTL(d time.Duration) Option { return func(c *config) { c.inFlightTTL = d } }

// WithStoreTimeout bounds each store call the middleware makes outside the
// request's context: releasing a reservation after a failed Reserve,
// Complete and Release after the handler (default 5s).
func WithStoreTimeout(d time.Duration) Option { return func(c *config) { c.storeTimeout = d } }

// WithStoreServerErrors sets whether 5xx responses other than 502, 503 and
// 504 are stored and replayed. By default (false) they are not: the key is
// released so that a retry runs the handler again.
func WithStoreServerErrors(store bool) Option { return func(c *config) { c.store5xx = store } }

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
//   - the first request runs the handler; its status, headers (without
//     Set-Cookie) and body are stored for the TTL;
//   - a repeat with the same key, method, path, query and body, from the
//     same client, gets the stored response (with Idempotent-Replayed: true)
//     without running the handler;
//   - a repeat while the first is still running gets 409 Conflict with
//     Retry-After;
//   - the same key with a different request gets 422 Unprocessable Entity;
//   - a request body over the limit gets 413; a malformed key gets 400; a
//     failing store gets 503 and the handler does not run.
//
// Responses written after the request's context ended, responses that ask
// the client to try again (408, 429, 502, 503, 504), other 5xx unless
// WithStoreServerErrors(true), and handler panics are not stored: the key is
// released so a retry runs the handler again. The package documentation
// says what happens on client abort and store failure.
func Middleware(store Store, opts ...Option) func(http.Handler) http.Handler {
	c := config{
		ttl: DefaultTTL, inFlightTTL: DefaultInFlightTTL, storeTimeout: DefaultStoreTimeout,
		maxReq: DefaultMaxRequestBody, maxResp: DefaultMaxResponseBody,
		credHeaders: []string{"Authorization"}, credCookies: defaultSessionCookies,
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
	if s := c.scopeOf(r); s != "" {
		skey = strconv.Itoa(len(s)) + ":" + s + ":" + key // length-prefixed: scopes cannot collide
	}

	ctx := r.Context()
	token := rand.Text() // this request's ownership of the reservation
	existing, reserved, err := store.Reserve(ctx, skey, fp, token, c.inFlightTTL)
	if err != nil {
		// The reservation may have landed although its reply was lost (a
		// store stalled past the request's deadline, a dropped connection):
		// release it, or every retry gets 409 until the in-flight TTL ends.
		// ErrNotOwner: the key is someone else's, as it should be.
		if err := c.release(ctx, store, skey, token); err != nil && !errors.Is(err, ErrNotOwner) {
			c.report(err)
		}
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

	rec := &recorder{ResponseWriter: w, ctx: ctx, limit: c.maxResp}
	completed := false
	defer func() {
		if completed {
			return
		}
		// The handler panicked: it did not finish, so a retry may run it again.
		if err := c.release(ctx, store, skey, token); err != nil {
			c.report(err)
		}
	}()
	next.ServeHTTP(rec, r)
	completed = true

	if rec.status == 0 {
		// Nothing written: net/http sends 200, unless the client is gone.
		rec.status = http.StatusOK
		rec.header = w.Header().Clone()
		rec.late = ctx.Err() != nil
	}
	if rec.late || !c.storable(rec.status) {
		if err := c.release(ctx, store, skey, token); err != nil {
			c.report(err)
		}
		return
	}
	rec.header.Del("Set-Cookie") // one client's session is never another's
	out := &Record{Fingerprint: fp, Done: true, Status: rec.status, Header: rec.header}
	if rec.over {
		out.TooLarge = true
	} else {
		out.Body = rec.body.Bytes()
	}
	sctx, cancel := c.detached(ctx) // store the result even if the client left after it
	defer cancel()
	if err := store.Complete(sctx, skey, token, out, c.ttl); err != nil {
		// A store error leaves the key reserved until the in-flight TTL:
		// repeats get 409 rather than running the handler twice. ErrNotOwner
		// leaves the newer request's record alone.
		c.report(err)
	}
}

// scopeOf returns the key space of r: WithScope's, or else a digest of the
// credentials r carries ("" for none).
func (c *config) scopeOf(r *http.Request) string {
	if c.scope != nil {
		return c.scope(r)
	}
	h := sha256.New()
	n := 0
	field := func(kind byte, name, value string) {
		fmt.Fprintf(h, "%c%d:%s%d:%s", kind, len(name), name, len(value), value)
		n++
	}
	for _, name := range c.credHeaders {
		for _, v := range r.Header.Values(name) {
			field('h', name, v)
		}
	}
	for _, name := range c.credCookies {
		for _, ck := range r.CookiesNamed(name) {
			field('c', name, ck.Value)
		}
	}
	if n == 0 {
		return ""
	}
	return "cred-" + hex.EncodeToString(h.Sum(nil))
}

// storable reports whether a finished response with this status is kept.
func (c *config) storable(code int) bool {
	switch {
	case transient(code):
		return false
	case code >= 500:
		return c.store5xx
	}
	return true
}

// detached returns a context for store calls made on the request's behalf
// that must not die with it, bounded by the store timeout.
func (c *config) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), c.storeTimeout)
}

// release deletes token's reservation under a detached context.
func (c *config) release(ctx context.Context, store Store, key, token string) error {
	dctx, cancel := c.detached(ctx)
	defer cancel()
	return store.Release(dctx, key, token)
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
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			continue // never replayed, also from records stored before it was dropped
		}
		h[k] = append([]string(nil), v...)
	}
	h.Set(ReplayedHeader, "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(rec.Body)
}

// recorder passes the response through and keeps a copy for the store.
type recorder struct {
	http.ResponseWriter
	ctx    context.Context // the request's
	late   bool            // the status was written after ctx ended
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
		r.late = r.ctx.Err() != nil
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
