package idempotency

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

// orders is a handler that creates an order per run and counts its runs.
type orders struct {
	runs    atomic.Int64
	gate    chan struct{} // if set, each run waits for it
	entered chan struct{} // if set, each run signals it on entry
}

func (o *orders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := o.runs.Add(1)
	if o.entered != nil {
		o.entered <- struct{}{}
	}
	if o.gate != nil {
		<-o.gate
	}
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Location", fmt.Sprintf("/orders/%d", n))
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, "order %d for %s", n, body)
}

func serve(t *testing.T, h http.Handler, store Store, opts ...Option) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(Middleware(store, opts...)(h))
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return srv, &http.Client{Transport: tr}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, c *http.Client, url, key, body string, hdr ...string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if key != "" {
		req.Header.Set(Header, key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func TestReplay(t *testing.T) {
	leakcheck.Check(t)
	o := &orders{}
	srv, c := serve(t, o, NewMemoryStore())

	first := post(t, c, srv.URL+"/orders", "k1", `{"sku":42}`)
	again := post(t, c, srv.URL+"/orders", "k1", `{"sku":42}`)
	if first.status != 201 || first.body != `order 1 for {"sku":42}` || first.header.Get(ReplayedHeader) != "" {
		t.Fatalf("first: %+v", first)
	}
	if again.status != 201 || again.body != first.body || again.header.Get("Location") != "/orders/1" ||
		again.header.Get(ReplayedHeader) != "true" {
		t.Fatalf("replay: %+v", again)
	}
	if o.runs.Load() != 1 {
		t.Fatalf("handler ran %d times", o.runs.Load())
	}

	// Without a key every request runs.
	post(t, c, srv.URL+"/orders", "", "x")
	post(t, c, srv.URL+"/orders", "", "x")
	if o.runs.Load() != 3 {
		t.Fatalf("keyless requests: handler ran %d times in all, want 3", o.runs.Load())
	}
}

func TestDifferentRequestSameKey(t *testing.T) {
	leakcheck.Check(t)
	o := &orders{}
	srv, c := serve(t, o, NewMemoryStore())
	post(t, c, srv.URL+"/orders", "k1", `{"sku":42}`)
	for _, tc := range []struct{ path, body string }{
		{"/orders", `{"sku":43}`},
		{"/refunds", `{"sku":42}`},
		{"/orders?dry=1", `{"sku":42}`},
	} {
		if r := post(t, c, srv.URL+tc.path, "k1", tc.body); r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s %s: status %d, want 422", tc.path, tc.body, r.status)
		}
	}
	if o.runs.Load() != 1 {
		t.Fatalf("handler ran %d times", o.runs.Load())
	}
}

func TestConflictWhileInFlight(t *testing.T) {
	leakcheck.Check(t)
	o := &orders{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	srv, c := serve(t, o, NewMemoryStore())
	done := make(chan reply)
	go func() { done <- post(t, c, srv.URL, "k", "a") }()
	<-o.entered // the first request is inside the handler
	r := post(t, c, srv.URL, "k", "a")
	if r.status != http.StatusConflict || r.header.Get("Retry-After") == "" {
		t.Fatalf("duplicate in flight: %+v", r)
	}
	close(o.gate)
	if first := <-done; first.status != 201 {
		t.Fatalf("first: %+v", first)
	}
	if r := post(t, c, srv.URL, "k", "a"); r.status != 201 || r.header.Get(ReplayedHeader) != "true" {
		t.Fatalf("after completion: %+v", r)
	}
}

func TestExpiry(t *testing.T) {
	leakcheck.Check(t)
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	o := &orders{}
	srv, c := serve(t, o, NewMemoryStoreClock(clock), WithTTL(time.Hour))
	post(t, c, srv.URL, "k", "a")
	now.Add(int64(59 * time.Minute))
	if r := post(t, c, srv.URL, "k", "a"); r.header.Get(ReplayedHeader) != "true" || o.runs.Load() != 1 {
		t.Fatalf("before TTL: %+v runs %d", r, o.runs.Load())
	}
	now.Add(int64(2 * time.Minute))
	if r := post(t, c, srv.URL, "k", "a"); r.header.Get(ReplayedHeader) != "" || o.runs.Load() != 2 {
		t.Fatalf("after TTL: %+v runs %d", r, o.runs.Load())
	}
}

func TestSizeLimits(t *testing.T) {
	leakcheck.Check(t)
	o := &orders{}
	srv, c := serve(t, o, NewMemoryStore(), WithMaxRequestBody(16))
	if r := post(t, c, srv.URL, "k", strings.Repeat("x", 17)); r.status != http.StatusRequestEntityTooLarge || o.runs.Load() != 0 {
		t.Fatalf("over-limit request: %d, runs %d", r.status, o.runs.Load())
	}
	if r := post(t, c, srv.URL, "k", strings.Repeat("x", 16)); r.status != 201 {
		t.Fatalf("at-limit request: %d", r.status)
	}

	big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.runs.Add(1)
		fmt.Fprint(w, strings.Repeat("y", 100))
	})
	o.runs.Store(0)
	srv, c = serve(t, big, NewMemoryStore(), WithMaxResponseBody(64))
	if r := post(t, c, srv.URL, "k", "a"); r.status != 200 || len(r.body) != 100 {
		t.Fatalf("first large response: %d, %d bytes", r.status, len(r.body))
	}
	if r := post(t, c, srv.URL, "k", "a"); r.status != 500 || o.runs.Load() != 1 {
		t.Fatalf("repeat of unstorable response: %d, runs %d", r.status, o.runs.Load())
	}
}

func TestMalformedKey(t *testing.T) {
	o := &orders{}
	srv, c := serve(t, o, NewMemoryStore())
	for _, k := range []string{strings.Repeat("k", MaxKeyLength+1), "bad\tkey"} {
		if r := post(t, c, srv.URL, k, "a"); r.status != 400 {
			t.Errorf("key %q: %d", k, r.status)
		}
	}
	if o.runs.Load() != 0 {
		t.Fatal("handler ran for a malformed key")
	}
}

func TestTransientAndPanicAreNotStored(t *testing.T) {
	leakcheck.Check(t)
	var runs atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch runs.Add(1) {
		case 1:
			http.Error(w, "db down", http.StatusServiceUnavailable)
		case 2:
			panic(http.ErrAbortHandler)
		default:
			fmt.Fprint(w, "done")
		}
	})
	srv, c := serve(t, h, NewMemoryStore())
	if r := post(t, c, srv.URL, "k", "a"); r.status != 503 {
		t.Fatalf("run 1: %d", r.status)
	}
	req, _ := http.NewRequest("POST", srv.URL, strings.NewReader("a"))
	req.Header.Set(Header, "k")
	// A fresh connection: net/http itself silently resends a keyed request
	// that failed on a reused one.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("run 2: the panic did not abort the response")
	}
	if r := post(t, c, srv.URL, "k", "a"); r.status != 200 || r.body != "done" || runs.Load() != 3 {
		t.Fatalf("run 3: %+v after %d runs", r, runs.Load())
	}
	if r := post(t, c, srv.URL, "k", "a"); r.header.Get(ReplayedHeader) != "true" || runs.Load() != 3 {
		t.Fatalf("replay after success: %+v, runs %d", r, runs.Load())
	}
}

func TestScopesNeverCross(t *testing.T) {
	leakcheck.Check(t)
	o := &orders{}
	srv, c := serve(t, o, NewMemoryStore(), WithScope(func(r *http.Request) string { return r.Header.Get("X-User") }))
	alice := post(t, c, srv.URL, "k", "a", "X-User", "alice")
	bob := post(t, c, srv.URL, "k", "b", "X-User", "bob") // a different body: would be 422 unscoped
	if alice.status != 201 || bob.status != 201 || bob.header.Get(ReplayedHeader) != "" || o.runs.Load() != 2 {
		t.Fatalf("alice %+v bob %+v runs %d", alice, bob, o.runs.Load())
	}
	// Scope "a:b" + key "c" must not collide with scope "a" + key "b:c".
	post(t, c, srv.URL, "c", "x", "X-User", "a:b")
	if r := post(t, c, srv.URL, "b:c", "x", "X-User", "a"); r.header.Get(ReplayedHeader) != "" {
		t.Fatal("scopes collided")
	}
}

func TestMemoryStoreSweepsExpired(t *testing.T) {
	var now atomic.Int64
	s := NewMemoryStoreClock(func() time.Time { return time.Unix(0, now.Load()) }).(*memoryStore)
	for i := 0; i < sweepEvery; i++ {
		s.Reserve(context.Background(), fmt.Sprint(i), "fp", "t", time.Second)
	}
	now.Add(int64(2 * time.Second))
	for i := 0; i < sweepEvery; i++ {
		s.Reserve(context.Background(), fmt.Sprint("new", i), "fp", "t", time.Hour)
	}
	if len(s.m) != sweepEvery {
		t.Fatalf("%d entries kept, want %d (expired ones swept)", len(s.m), sweepEvery)
	}
}

// releaseSignal tells the test when the middleware's Release returned.
type releaseSignal struct {
	Store
	released chan error
}

func (s releaseSignal) Release(ctx context.Context, key, token string) error {
	err := s.Store.Release(ctx, key, token)
	s.released <- err
	return err
}

// A handler outlives its in-flight TTL; a retry takes the key and runs. When
// the first one then fails transiently, its Release must not free the key
// the retry holds: a third request would run the handler alongside it.
func TestSlowHandlerCannotReleaseTakenKey(t *testing.T) {
	leakcheck.Check(t)
	var now atomic.Int64
	store := releaseSignal{
		Store:    NewMemoryStoreClock(func() time.Time { return time.Unix(0, now.Load()) }),
		released: make(chan error, 4),
	}
	var runs atomic.Int64
	entered := make(chan int64)
	gates := []chan struct{}{make(chan struct{}), make(chan struct{})}
	var opened [2]sync.Once
	open := func(i int) { opened[i].Do(func() { close(gates[i]) }) }
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := runs.Add(1)
		if n <= 2 {
			entered <- n
			<-gates[n-1]
		}
		if n == 1 {
			http.Error(w, "db timeout", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "order by run %d", n)
	})
	var reported []error
	var mu sync.Mutex
	srv, c := serve(t, h, store, WithInFlightTTL(time.Minute), WithOnError(func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}))

	// On failure, free the handlers so the server can shut down.
	t.Cleanup(func() { open(0); open(1) })
	first, second := make(chan reply, 1), make(chan reply, 1)
	go func() { first <- post(t, c, srv.URL, "k", "a") }()
	<-entered
	now.Add(int64(2 * time.Minute)) // the first request's reservation expires
	go func() { second <- post(t, c, srv.URL, "k", "a") }()
	<-entered
	open(0)
	if r := <-first; r.status != 503 {
		t.Fatalf("first: %+v", r)
	}
	if err := <-store.released; !errors.Is(err, ErrNotOwner) {
		t.Fatalf("the expired request's Release: %v, want ErrNotOwner", err)
	}
	if r := post(t, c, srv.URL, "k", "a"); r.status != http.StatusConflict || runs.Load() != 2 {
		t.Fatalf("third request while the second runs: %d after %d runs, want 409 after 2", r.status, runs.Load())
	}
	open(1)
	if r := <-second; r.status != 201 || r.body != "order by run 2" {
		t.Fatalf("second: %+v", r)
	}
	if r := post(t, c, srv.URL, "k", "a"); r.body != "order by run 2" || r.header.Get(ReplayedHeader) != "true" {
		t.Fatalf("replay: %+v", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 || !errors.Is(reported[0], ErrNotOwner) {
		t.Fatalf("errors reported: %v, want one ErrNotOwner", reported)
	}
}
