package idempotency_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/idempotency/internal/storetest"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

func TestReplay(t *testing.T) {
	leakcheck.Check(t)
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, idempotency.NewMemoryStore())

	first := storetest.Post(t, c, srv.URL+"/orders", "k1", `{"sku":42}`)
	again := storetest.Post(t, c, srv.URL+"/orders", "k1", `{"sku":42}`)
	assert.Equal(t, 201, first.Status)
	assert.Equal(t, `order 1 for {"sku":42}`, first.Body)
	assert.Empty(t, first.Header.Get(idempotency.ReplayedHeader), "first")
	assert.Equal(t, 201, again.Status)
	assert.Equal(t, first.Body, again.Body)
	assert.Equal(t, "/orders/1", again.Header.Get("Location"))
	assert.True(t, again.Replayed(), "replay")
	require.Equal(t, int64(1), o.Runs.Load(), "handler runs")

	// Without a key every request runs.
	storetest.Post(t, c, srv.URL+"/orders", "", "x")
	storetest.Post(t, c, srv.URL+"/orders", "", "x")
	assert.Equal(t, int64(3), o.Runs.Load(), "keyless requests: handler runs in all")
}

func TestDifferentRequestSameKey(t *testing.T) {
	leakcheck.Check(t)
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, idempotency.NewMemoryStore())
	storetest.Post(t, c, srv.URL+"/orders", "k1", `{"sku":42}`)
	for _, tc := range []struct{ path, body string }{
		{"/orders", `{"sku":43}`},
		{"/refunds", `{"sku":42}`},
		{"/orders?dry=1", `{"sku":42}`},
	} {
		r := storetest.Post(t, c, srv.URL+tc.path, "k1", tc.body)
		assert.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s %s", tc.path, tc.body)
	}
	assert.Equal(t, int64(1), o.Runs.Load(), "handler runs")
}

func TestConflictWhileInFlight(t *testing.T) {
	leakcheck.Check(t)
	o := &storetest.Orders{Gate: make(chan struct{}), Entered: make(chan struct{}, 1)}
	srv, c := storetest.Serve(t, o, idempotency.NewMemoryStore())
	done := make(chan storetest.Reply)
	go func() { done <- storetest.Post(t, c, srv.URL, "k", "a") }()
	<-o.Entered // the first request is inside the handler
	r := storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, http.StatusConflict, r.Status, "duplicate in flight")
	assert.NotEmpty(t, r.Header.Get("Retry-After"), "duplicate in flight")
	close(o.Gate)
	assert.Equal(t, 201, (<-done).Status, "first")
	r = storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, 201, r.Status, "after completion")
	assert.True(t, r.Replayed(), "after completion")
}

func TestExpiry(t *testing.T) {
	leakcheck.Check(t)
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, idempotency.NewMemoryStoreClock(clock), idempotency.WithTTL(time.Hour))
	storetest.Post(t, c, srv.URL, "k", "a")
	now.Add(int64(59 * time.Minute))
	assert.True(t, storetest.Post(t, c, srv.URL, "k", "a").Replayed(), "before TTL")
	assert.Equal(t, int64(1), o.Runs.Load(), "before TTL: handler runs")
	now.Add(int64(2 * time.Minute))
	assert.Empty(t, storetest.Post(t, c, srv.URL, "k", "a").Header.Get(idempotency.ReplayedHeader), "after TTL")
	assert.Equal(t, int64(2), o.Runs.Load(), "after TTL: handler runs")
}

func TestSizeLimits(t *testing.T) {
	leakcheck.Check(t)
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, idempotency.NewMemoryStore(), idempotency.WithMaxRequestBody(16))
	r := storetest.Post(t, c, srv.URL, "k", strings.Repeat("x", 17))
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.Status, "over-limit request")
	assert.Zero(t, o.Runs.Load(), "over-limit request: handler runs")
	assert.Equal(t, 201, storetest.Post(t, c, srv.URL, "k", strings.Repeat("x", 16)).Status, "at-limit request")

	big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.Runs.Add(1)
		fmt.Fprint(w, strings.Repeat("y", 100))
	})
	o.Runs.Store(0)
	srv, c = storetest.Serve(t, big, idempotency.NewMemoryStore(), idempotency.WithMaxResponseBody(64))
	r = storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, 200, r.Status, "first large response")
	assert.Len(t, r.Body, 100, "first large response")
	assert.Equal(t, 500, storetest.Post(t, c, srv.URL, "k", "a").Status, "repeat of unstorable response")
	assert.Equal(t, int64(1), o.Runs.Load(), "repeat of unstorable response: handler runs")
}

func TestMalformedKey(t *testing.T) {
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, idempotency.NewMemoryStore())
	for _, k := range []string{strings.Repeat("k", idempotency.MaxKeyLength+1), "bad\tkey"} {
		assert.Equal(t, 400, storetest.Post(t, c, srv.URL, k, "a").Status, "key %q", k)
	}
	assert.Zero(t, o.Runs.Load(), "handler ran for a malformed key")
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
	srv, c := storetest.Serve(t, h, idempotency.NewMemoryStore())
	require.Equal(t, 503, storetest.Post(t, c, srv.URL, "k", "a").Status, "run 1")
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("a"))
	require.NoError(t, err)
	req.Header.Set(idempotency.Header, "k")
	// A fresh connection: net/http itself silently resends a keyed request
	// that failed on a reused one.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		require.Fail(t, "run 2: the panic did not abort the response")
	}
	r := storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, 200, r.Status, "run 3")
	assert.Equal(t, "done", r.Body, "run 3")
	assert.Equal(t, int64(3), runs.Load(), "run 3: handler runs")
	assert.True(t, storetest.Post(t, c, srv.URL, "k", "a").Replayed(), "replay after success")
	assert.Equal(t, int64(3), runs.Load(), "replay after success: handler runs")
}

func TestScopesNeverCross(t *testing.T) {
	leakcheck.Check(t)
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, idempotency.NewMemoryStore(),
		idempotency.WithScope(func(r *http.Request) string { return r.Header.Get("X-User") }))
	alice := storetest.Post(t, c, srv.URL, "k", "a", "X-User", "alice")
	bob := storetest.Post(t, c, srv.URL, "k", "b", "X-User", "bob") // a different body: would be 422 unscoped
	assert.Equal(t, 201, alice.Status, "alice")
	assert.Equal(t, 201, bob.Status, "bob")
	assert.Empty(t, bob.Header.Get(idempotency.ReplayedHeader), "bob got alice's answer")
	assert.Equal(t, int64(2), o.Runs.Load(), "handler runs")
	// Scope "a:b" + key "c" must not collide with scope "a" + key "b:c".
	storetest.Post(t, c, srv.URL, "c", "x", "X-User", "a:b")
	assert.Empty(t, storetest.Post(t, c, srv.URL, "b:c", "x", "X-User", "a").Header.Get(idempotency.ReplayedHeader), "scopes collided")
}

// releaseSignal tells the test when the middleware's Release returned.
type releaseSignal struct {
	idempotency.Store
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
		Store:    idempotency.NewMemoryStoreClock(func() time.Time { return time.Unix(0, now.Load()) }),
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
	srv, c := storetest.Serve(t, h, store, idempotency.WithInFlightTTL(time.Minute), idempotency.WithOnError(func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}))

	// On failure, free the handlers so the server can shut down.
	t.Cleanup(func() { open(0); open(1) })
	first, second := make(chan storetest.Reply, 1), make(chan storetest.Reply, 1)
	go func() { first <- storetest.Post(t, c, srv.URL, "k", "a") }()
	<-entered
	now.Add(int64(2 * time.Minute)) // the first request's reservation expires
	go func() { second <- storetest.Post(t, c, srv.URL, "k", "a") }()
	<-entered
	open(0)
	require.Equal(t, 503, (<-first).Status, "first")
	require.ErrorIs(t, <-store.released, idempotency.ErrNotOwner, "the expired request's Release")
	r := storetest.Post(t, c, srv.URL, "k", "a")
	require.Equal(t, http.StatusConflict, r.Status, "third request while the second runs")
	require.Equal(t, int64(2), runs.Load(), "third request while the second runs: handler runs")
	open(1)
	r = <-second
	assert.Equal(t, 201, r.Status, "second")
	assert.Equal(t, "order by run 2", r.Body, "second")
	r = storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, "order by run 2", r.Body, "replay")
	assert.True(t, r.Replayed(), "replay")
	mu.Lock()
	defer mu.Unlock()
	if assert.Len(t, reported, 1, "errors reported") {
		assert.ErrorIs(t, reported[0], idempotency.ErrNotOwner)
	}
}
