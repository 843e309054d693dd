// Package storetest holds the tests every idempotency.Store must pass and
// the HTTP helpers the store packages' tests share.
package storetest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/idempotency"
)

// Orders is a handler that creates an order per run and counts its runs.
type Orders struct {
	Runs    atomic.Int64
	Gate    chan struct{} // if set, each run waits for it
	Entered chan struct{} // if set, each run signals it on entry
}

func (o *Orders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := o.Runs.Add(1)
	if o.Entered != nil {
		o.Entered <- struct{}{}
	}
	if o.Gate != nil {
		<-o.Gate
	}
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Location", fmt.Sprintf("/orders/%d", n))
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, "order %d for %s", n, body)
}

// Serve starts h behind the middleware on store and returns the server and
// a client with a pool large enough for concurrent tests.
func Serve(t testing.TB, h http.Handler, store idempotency.Store, opts ...idempotency.Option) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(idempotency.Middleware(store, opts...)(h))
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return srv, &http.Client{Transport: tr, Timeout: time.Minute}
}

// Server starts h with no middleware in front of it, closed when the test
// ends.
func Server(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Deadline gives each request d to finish, as a server-wide timeout would.
func Deadline(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Reply is a response read in full.
type Reply struct {
	Status int
	Header http.Header
	Body   string
}

// Replayed reports whether the middleware replayed the response.
func (r Reply) Replayed() bool { return r.Header.Get(idempotency.ReplayedHeader) == "true" }

// Post sends body to url with the key (none if empty) and header pairs.
func Post(t testing.TB, c *http.Client, url, key, body string, hdr ...string) Reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set(idempotency.Header, key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err, "POST %s", url)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return Reply{resp.StatusCode, resp.Header, string(b)}
}

// ConcurrentDuplicates fires n identical requests at once while the first
// is held inside the handler: exactly one runs, all others get 409.
func ConcurrentDuplicates(t *testing.T, store idempotency.Store, n int) {
	o := &Orders{Gate: make(chan struct{})}
	srv, _ := Serve(t, o, store)
	tr := &http.Transport{MaxIdleConnsPerHost: n}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr}
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(`{"sku":42}`))
			req.Header.Set(idempotency.Header, "same-key")
			resp, err := c.Do(req)
			if !assert.NoError(t, err) {
				statuses <- 0
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		})
	}
	counts := map[int]int{}
	for range n - 1 { // everyone but the one inside the handler
		counts[<-statuses]++
	}
	close(o.Gate)
	counts[<-statuses]++
	wg.Wait()
	t.Logf("%d concurrent duplicates: statuses %v, handler runs %d", n, counts, o.Runs.Load())
	require.Equal(t, int64(1), o.Runs.Load(), "handler runs")
	require.Equal(t, map[int]int{201: 1, 409: n - 1}, counts, "statuses")
}

// Conformance checks the Store contract directly.
func Conformance(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	key := "conf-" + fmt.Sprint(time.Now().UnixNano())
	_, ok, err := s.Reserve(ctx, key, "fp1", "a", time.Minute)
	require.NoError(t, err)
	require.True(t, ok, "first reserve")

	rec, ok, err := s.Reserve(ctx, key, "fp2", "b", time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "second reserve")
	require.Equal(t, &idempotency.Record{Fingerprint: "fp1"}, clean(rec))

	want := &idempotency.Record{Fingerprint: "fp1", Done: true, Status: 201,
		Header: http.Header{"Location": {"/orders/1"}, "X-Multi": {"a", "b"}}, Body: []byte("order\x00bytes")}
	require.NoError(t, s.Complete(ctx, key, "a", want, time.Minute))
	rec, ok, err = s.Reserve(ctx, key, "fp1", "c", time.Minute)
	require.NoError(t, err)
	require.False(t, ok)
	require.Equal(t, want, rec)

	require.NoError(t, s.Release(ctx, key, "a"))
	_, ok, err = s.Reserve(ctx, key, "fp3", "d", time.Minute)
	require.NoError(t, err)
	require.True(t, ok, "reserve after release")

	// Exactly one of many concurrent reservations wins.
	key2 := key + "-race"
	var wins atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			_, ok, err := s.Reserve(ctx, key2, "fp", fmt.Sprint(i), time.Minute)
			assert.NoError(t, err)
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(1), wins.Load(), "concurrent reservations won")
}

// clean maps an empty header and body to nil, as stores may return either.
func clean(r *idempotency.Record) *idempotency.Record {
	if r == nil {
		return nil
	}
	c := *r
	if len(c.Header) == 0 {
		c.Header = nil
	}
	if len(c.Body) == 0 {
		c.Body = nil
	}
	return &c
}

// Ownership checks that a request whose reservation expired and was taken
// by another can neither overwrite nor delete the newer one's record.
// expire makes key's current record expire now.
func Ownership(t *testing.T, s idempotency.Store, expire func(key string)) {
	t.Helper()
	ctx := context.Background()
	key := "own-" + fmt.Sprint(time.Now().UnixNano())
	reserve := func(key, token string, want bool) *idempotency.Record {
		t.Helper()
		rec, ok, err := s.Reserve(ctx, key, "fp", token, time.Minute)
		require.NoError(t, err, "reserve by %s", token)
		require.Equal(t, want, ok, "reserve by %s", token)
		return rec
	}
	result := func(body string) *idempotency.Record {
		return &idempotency.Record{Fingerprint: "fp", Done: true, Status: 201, Body: []byte(body)}
	}

	reserve(key, "A", true)
	expire(key) // A's handler is still running
	reserve(key, "B", true)
	require.ErrorIs(t, s.Complete(ctx, key, "A", result("A"), time.Hour), idempotency.ErrNotOwner,
		"late Complete by the expired owner")
	require.False(t, reserve(key, "C", false).Done, "the expired owner's result replaced the live reservation")
	require.ErrorIs(t, s.Release(ctx, key, "A"), idempotency.ErrNotOwner, "late Release by the expired owner")
	require.False(t, reserve(key, "C", false).Done, "after the expired owner's Release")

	require.NoError(t, s.Complete(ctx, key, "B", result("B"), time.Hour), "Complete by the owner")
	require.ErrorIs(t, s.Complete(ctx, key, "A", result("A"), time.Hour), idempotency.ErrNotOwner)
	require.ErrorIs(t, s.Release(ctx, key, "A"), idempotency.ErrNotOwner)
	rec := reserve(key, "C", false)
	require.True(t, rec.Done)
	require.Equal(t, "B", string(rec.Body))

	// A reservation that expired with nobody taking the key is still
	// completed: the handler did run, and a retry must be replayed its result.
	key2 := key + "-untaken"
	reserve(key2, "A", true)
	expire(key2)
	require.NoError(t, s.Complete(ctx, key2, "A", result("A"), time.Hour), "Complete after an untaken expiry")
	rec = reserve(key2, "C", false)
	require.True(t, rec.Done)
	require.Equal(t, "A", string(rec.Body))

	// The owner releases its own reservation; an absent key is no error.
	key3 := key + "-release"
	reserve(key3, "A", true)
	require.NoError(t, s.Release(ctx, key3, "A"))
	require.NoError(t, s.Release(ctx, key3, "A"), "releasing an absent key")
	reserve(key3, "B", true)
}
