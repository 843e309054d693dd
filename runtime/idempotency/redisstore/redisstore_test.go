package redisstore_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/idempotency/internal/storetest"
	"github.com/resilvet/resilvet/runtime/idempotency/redisstore"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
	"github.com/resilvet/resilvet/runtime/internal/redistest"
)

// client returns a go-redis client on addr, configured as the package
// documentation advises, closed when the test ends.
func client(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, PoolSize: 64})
	t.Cleanup(func() { c.Close() })
	return c
}

// newStore is how the tests make a store: a fresh client on addr.
var newStore = func(t *testing.T, addr string) idempotency.Store {
	return redisstore.New(client(t, addr))
}

func start(t *testing.T) *redistest.Server {
	t.Helper()
	srv := redistest.Start(t)
	t.Logf("redis-server on %s: %s", srv.Addr, redistest.Version())
	return srv
}

func TestConformance(t *testing.T) {
	leakcheck.Check(t)
	storetest.Conformance(t, newStore(t, start(t).Addr))
}

func TestOwnership(t *testing.T) {
	leakcheck.Check(t)
	c := client(t, start(t).Addr)
	s := redisstore.New(c)
	storetest.Ownership(t, s, func(key string) {
		// PEXPIRE 0 expires the key at once, as its TTL running out would.
		ok, err := c.PExpire(context.Background(), s.Key(key), 0).Result()
		require.NoError(t, err)
		require.True(t, ok)
	})
}

func TestTTLs(t *testing.T) {
	leakcheck.Check(t)
	c := client(t, start(t).Addr)
	s := redisstore.New(c, redisstore.WithPrefix("svc:"))
	ctx := context.Background()
	pttl := func() time.Duration {
		d, err := c.PTTL(ctx, s.Key("ttl")).Result()
		require.NoError(t, err)
		return d
	}
	_, ok, err := s.Reserve(ctx, "ttl", "fp", "a", 90*time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	assert.InDelta(t, 90*time.Second, pttl(), float64(5*time.Second))
	require.NoError(t, s.Complete(ctx, "ttl", "a", &idempotency.Record{Fingerprint: "fp", Done: true, Status: 200}, time.Hour))
	assert.InDelta(t, time.Hour, pttl(), float64(5*time.Second))
	require.NoError(t, s.Release(ctx, "ttl", "a"))
	n, err := c.Exists(ctx, s.Key("ttl")).Result()
	require.NoError(t, err)
	assert.Zero(t, n)
}

// One key per operation, named by a digest in braces: a Cluster hash tag,
// so the operation's data is in one slot, and no client-chosen text.
func TestKeyIsHashTagged(t *testing.T) {
	s := redisstore.New(nil, redisstore.WithPrefix("svc:"))
	k := s.Key("12:cred-secret:order-{42}")
	assert.Regexp(t, regexp.MustCompile(`^svc:\{[0-9a-f]{32}\}$`), k)
	assert.Equal(t, k, s.Key("12:cred-secret:order-{42}"))
	assert.NotEqual(t, k, s.Key("12:cred-secret:order-{43}"))
}

// A command resent after its reply was lost finds its own reservation and
// takes it, instead of answering 409 to itself.
func TestResentReserveIsOwn(t *testing.T) {
	leakcheck.Check(t)
	s := newStore(t, start(t).Addr)
	ctx := context.Background()
	for range 2 {
		_, ok, err := s.Reserve(ctx, "resent", "fp", "A", time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
	}
	rec, ok, err := s.Reserve(ctx, "resent", "fp", "B", time.Minute)
	require.NoError(t, err)
	require.False(t, ok)
	assert.False(t, rec.Done)
}

// A value this package did not write is an error, and the middleware
// answers 503 without running the handler.
func TestCorruptRecord(t *testing.T) {
	leakcheck.Check(t)
	c := client(t, start(t).Addr)
	s := redisstore.New(c)
	ctx := context.Background()
	for i, v := range []string{"{not json", "5:abc", "3:abc{not json"} {
		key := "corrupt" + strconv.Itoa(i)
		require.NoError(t, c.Set(ctx, s.Key(key), v, 0).Err())
		_, _, err := s.Reserve(ctx, key, "fp", "a", time.Minute)
		require.ErrorIs(t, err, redisstore.ErrCorrupt, "value %q", v)
	}
	o := &storetest.Orders{}
	srv, hc := storetest.Serve(t, o, s)
	r := storetest.Post(t, hc, srv.URL, "corrupt0", "a")
	assert.Equal(t, http.StatusServiceUnavailable, r.Status)
	assert.Zero(t, o.Runs.Load())
}

// Two replicas with their own clients share one Redis: a retry that lands
// on the other replica is replayed, not run again.
func TestSharedBetweenReplicas(t *testing.T) {
	leakcheck.Check(t)
	addr := start(t).Addr
	o := &storetest.Orders{}
	srvA, c := storetest.Serve(t, o, newStore(t, addr))
	srvB, _ := storetest.Serve(t, o, newStore(t, addr))
	first := storetest.Post(t, c, srvA.URL+"/orders", "k", `{"sku":42}`)
	again := storetest.Post(t, c, srvB.URL+"/orders", "k", `{"sku":42}`)
	require.Equal(t, http.StatusCreated, first.Status)
	assert.Equal(t, first.Body, again.Body)
	assert.True(t, again.Replayed())
	assert.Equal(t, int64(1), o.Runs.Load())
	assert.Equal(t, http.StatusUnprocessableEntity, storetest.Post(t, c, srvB.URL+"/orders", "k", `{"sku":43}`).Status)
}

func TestConcurrentDuplicatesRunOnce(t *testing.T) {
	leakcheck.Check(t)
	storetest.ConcurrentDuplicates(t, newStore(t, start(t).Addr), 300)
}

// Redis down when the service starts: requests fail closed with 503 and the
// handler does not run; once Redis is up they are served.
func TestRedisDownAtStart(t *testing.T) {
	leakcheck.Check(t)
	rs := start(t)
	rs.Stop()
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, newStore(t, rs.Addr), idempotency.WithStoreTimeout(time.Second))
	for range 3 {
		r := storetest.Post(t, c, srv.URL, "k", "a")
		assert.Equal(t, http.StatusServiceUnavailable, r.Status)
	}
	assert.Zero(t, o.Runs.Load(), "the handler ran with the store down")

	rs.Restart()
	r := storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, http.StatusCreated, r.Status)
	assert.Equal(t, int64(1), o.Runs.Load())
}

// Item 3: Redis restarts while a request is inside the handler. Every pooled
// connection is dead; the request's result must still be stored (its retry
// is replayed, the handler does not run twice), and the requests after the
// restart must be served, not answered 503.
func TestServerRestartMidRequest(t *testing.T) {
	leakcheck.Check(t)
	rs := start(t)
	var errs errorLog
	o := &storetest.Orders{}
	entered, gate := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(idempotency.Header) == "k" {
			entered <- struct{}{}
			<-gate
		}
		o.ServeHTTP(w, r)
	})
	srv, c := storetest.Serve(t, h, newStore(t, rs.Addr), idempotency.WithOnError(errs.add))
	// Fill the pool with connections that the restart will kill.
	warm(t, c, srv.URL, "warm", 8)

	first := make(chan storetest.Reply, 1)
	go func() { first <- storetest.Post(t, c, srv.URL, "k", "a") }()
	<-entered
	rs.Restart()
	close(gate)
	r := <-first
	require.Equal(t, http.StatusCreated, r.Status)
	require.Empty(t, errs.get(), "store errors after the restart")

	again := storetest.Post(t, c, srv.URL, "k", "a")
	assert.True(t, again.Replayed(), "the finished result was lost: %+v", again)
	assert.Equal(t, r.Body, again.Body)
	assert.Equal(t, int64(9), o.Runs.Load())

	for i := range 8 {
		r := storetest.Post(t, c, srv.URL, fmt.Sprint("after-", i), "a")
		assert.Equal(t, http.StatusCreated, r.Status, "request %d after the restart", i)
	}
}

// Item 3: Redis closes connections idle longer than its `timeout`. The
// pooled connections it closed must not turn the next requests into 503s
// or lose a result.
func TestIdleTimeoutOfPooledConnections(t *testing.T) {
	leakcheck.Check(t)
	rs := start(t)
	_, err := rs.Do("CONFIG", "SET", "timeout", "1")
	require.NoError(t, err)
	var errs errorLog
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, newStore(t, rs.Addr), idempotency.WithOnError(errs.add))
	warm(t, c, srv.URL, "warm", 8)
	require.Eventually(t, func() bool {
		n, err := rs.Clients()
		return err == nil && n == 0
	}, 10*time.Second, 50*time.Millisecond, "redis did not close the idle connections")

	for i := range 8 {
		key := fmt.Sprint("after-idle-", i)
		r := storetest.Post(t, c, srv.URL, key, "a")
		require.Equal(t, http.StatusCreated, r.Status, "request %d after the idle timeout", i)
		again := storetest.Post(t, c, srv.URL, key, "a")
		assert.True(t, again.Replayed(), "request %d: result lost", i)
	}
	assert.Empty(t, errs.get())
	assert.Equal(t, int64(16), o.Runs.Load())
}

// lostReserve tells the test when a Reserve failed.
type lostReserve struct {
	idempotency.Store
	failed chan error
}

func (s *lostReserve) Reserve(ctx context.Context, key, fp, token string, ttl time.Duration) (*idempotency.Record, bool, error) {
	rec, ok, err := s.Store.Reserve(ctx, key, fp, token, ttl)
	if err != nil {
		s.failed <- err
	}
	return rec, ok, err
}

// Item 2: Redis stalls past the request's deadline after executing the
// reservation (its reply is held by a proxy). The request gets 503 without
// running the handler; the middleware releases the reservation under its
// own timeout once Redis answers again, so the retry runs instead of
// getting 409 for the in-flight TTL.
func TestStallPastDeadline(t *testing.T) {
	leakcheck.Check(t)
	rs := start(t)
	proxy := redistest.NewProxy(t, rs.Addr)
	store := &lostReserve{Store: newStore(t, proxy.Addr), failed: make(chan error, 1)}
	o := &storetest.Orders{}
	h := idempotency.Middleware(store, idempotency.WithStoreTimeout(5*time.Second))(o)
	srv := storetest.Server(t, storetest.Deadline(200*time.Millisecond, h))
	c := srv.Client()
	warm(t, c, srv.URL, "warm", 1)

	proxy.Stall()
	go func() {
		<-store.failed // Reserve gave up at the deadline; Redis recovers
		proxy.Resume()
	}()
	r := storetest.Post(t, c, srv.URL, "k", "a")
	require.Equal(t, http.StatusServiceUnavailable, r.Status)
	require.Equal(t, int64(1), o.Runs.Load(), "the handler ran although the store stalled")

	retry := storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, http.StatusCreated, retry.Status, "the stalled reservation was left behind")
	assert.Equal(t, int64(2), o.Runs.Load())
}

// warm sends n requests at once with fresh keys, so the store's pool holds
// up to n connections.
func warm(t *testing.T, c *http.Client, url, prefix string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := storetest.Post(t, c, url, fmt.Sprint(prefix, i), "a")
			assert.Equal(t, http.StatusCreated, r.Status)
		})
	}
	wg.Wait()
}

type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) { l.mu.Lock(); l.errs = append(l.errs, err); l.mu.Unlock() }

func (l *errorLog) get() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}
