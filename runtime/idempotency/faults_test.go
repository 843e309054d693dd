package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/idempotency/internal/storetest"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

// settled tells the test when the middleware is done with a request: its
// Complete or Release returned.
type settled struct {
	idempotency.Store
	done      chan string // "complete" or "release"
	completed atomic.Pointer[idempotency.Record]
}

func newSettled(s idempotency.Store) *settled {
	return &settled{Store: s, done: make(chan string, 16)}
}

func (s *settled) Complete(ctx context.Context, key, token string, rec *idempotency.Record, ttl time.Duration) error {
	err := s.Store.Complete(ctx, key, token, rec, ttl)
	s.completed.Store(rec)
	s.done <- "complete"
	return err
}

func (s *settled) Release(ctx context.Context, key, token string) error {
	err := s.Store.Release(ctx, key, token)
	s.done <- "release"
	return err
}

// Item 1: a client that goes away before the handler answers must not have
// "nothing written" (an empty 200) or an answer written after it left (a
// 500 written because the context ended) stored and replayed to its retry.
func TestAbandonedRequestIsNotStored(t *testing.T) {
	for _, tc := range []struct {
		name      string
		afterDone func(w http.ResponseWriter) // what the first run writes once the client left
		settle    string                      // what the middleware must do with it
		replayed  bool                        // whether the retry gets the first run's answer
	}{
		{"nothing written", func(http.ResponseWriter) {}, "release", false},
		{"500 written after the abort", func(w http.ResponseWriter) {
			http.Error(w, "client went away", http.StatusInternalServerError)
		}, "release", false},
		{"201 written after the abort", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusCreated)
		}, "release", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			store := newSettled(idempotency.NewMemoryStore())
			var runs atomic.Int64
			entered := make(chan struct{}, 1)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if runs.Add(1) == 1 {
					entered <- struct{}{}
					<-r.Context().Done() // honours the client's cancellation
					tc.afterDone(w)
					return
				}
				w.WriteHeader(http.StatusCreated)
				fmt.Fprint(w, "order created by the retry")
			})
			srv, c := storetest.Serve(t, h, store)

			ctx, cancel := context.WithCancel(context.Background())
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("a"))
			require.NoError(t, err)
			req.Header.Set(idempotency.Header, "k")
			errc := make(chan error, 1)
			go func() {
				resp, err := c.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				errc <- err
			}()
			<-entered
			cancel() // the client gives up
			require.ErrorIs(t, <-errc, context.Canceled)
			require.Equal(t, tc.settle, <-store.done)

			retry := storetest.Post(t, c, srv.URL, "k", "a")
			assert.Equal(t, http.StatusCreated, retry.Status)
			assert.Equal(t, "order created by the retry", retry.Body)
			assert.False(t, retry.Replayed())
			assert.Equal(t, int64(2), runs.Load())
		})
	}
}

// Item 1, the other side: an answer whose status went out while the client
// was still there is the request's outcome, and is kept even if the client
// leaves before the handler returns.
func TestAnswerWrittenBeforeAbortIsStored(t *testing.T) {
	leakcheck.Check(t)
	store := newSettled(idempotency.NewMemoryStore())
	var runs atomic.Int64
	written := make(chan struct{}, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, "order 1")
		http.NewResponseController(w).Flush()
		written <- struct{}{}
		<-r.Context().Done()
	})
	srv, c := storetest.Serve(t, h, store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("a"))
	require.NoError(t, err)
	req.Header.Set(idempotency.Header, "k")
	resp, err := c.Do(req)
	require.NoError(t, err)
	<-written
	cancel()
	resp.Body.Close()
	require.Equal(t, "complete", <-store.done)

	again := storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, http.StatusCreated, again.Status)
	assert.Equal(t, "order 1", again.Body)
	assert.True(t, again.Replayed())
	assert.Equal(t, int64(1), runs.Load())
}

// Item 1, 5xx: by default a 500 is not stored and a retry runs again;
// WithStoreServerErrors(true) stores and replays it.
func TestServerErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []idempotency.Option
		retry    int
		runs     int64
		replayed bool
	}{
		{"released by default", nil, http.StatusCreated, 2, false},
		{"stored when asked", []idempotency.Option{idempotency.WithStoreServerErrors(true)}, http.StatusInternalServerError, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			var runs atomic.Int64
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if runs.Add(1) == 1 {
					http.Error(w, "ledger write failed", http.StatusInternalServerError)
					return
				}
				w.WriteHeader(http.StatusCreated)
			})
			srv, c := storetest.Serve(t, h, idempotency.NewMemoryStore(), tc.opts...)
			first := storetest.Post(t, c, srv.URL, "k", "a")
			require.Equal(t, http.StatusInternalServerError, first.Status)
			retry := storetest.Post(t, c, srv.URL, "k", "a")
			assert.Equal(t, tc.retry, retry.Status)
			assert.Equal(t, tc.replayed, retry.Replayed())
			assert.Equal(t, tc.runs, runs.Load())
		})
	}
}

// lostReply is a store whose first Reserve lands but whose reply never
// comes back before the request's deadline, as with a stalled connection.
// Its Release, like a real client's, fails under a context already done.
type lostReply struct {
	idempotency.Store
	lost     atomic.Bool
	released chan error
}

var errLostReply = errors.New("reply lost")

func (s *lostReply) Reserve(ctx context.Context, key, fp, token string, ttl time.Duration) (*idempotency.Record, bool, error) {
	rec, ok, err := s.Store.Reserve(ctx, key, fp, token, ttl)
	if s.lost.CompareAndSwap(false, true) {
		<-ctx.Done() // the reply is stuck until the request's deadline
		return nil, false, fmt.Errorf("%w: %w", errLostReply, ctx.Err())
	}
	return rec, ok, err
}

func (s *lostReply) Release(ctx context.Context, key, token string) error {
	err := ctx.Err()
	if _, ok := ctx.Deadline(); !ok {
		err = errors.New("release without a deadline")
	}
	if err == nil {
		err = s.Store.Release(ctx, key, token)
	}
	s.released <- err
	return err
}

// Item 2: Reserve's SET lands, its reply is lost past the deadline. The
// request gets 503 and the handler does not run; the reservation is
// released with the same owner token under a live, bounded context, so the
// retry runs instead of getting 409 for the whole in-flight TTL.
func TestReserveErrorReleasesReservation(t *testing.T) {
	leakcheck.Check(t)
	store := &lostReply{Store: idempotency.NewMemoryStore(), released: make(chan error, 4)}
	o := &storetest.Orders{}
	srv := storetest.Server(t, storetest.Deadline(50*time.Millisecond,
		idempotency.Middleware(store, idempotency.WithStoreTimeout(time.Second))(o)))
	c := srv.Client()

	first := storetest.Post(t, c, srv.URL, "k", "a")
	require.Equal(t, http.StatusServiceUnavailable, first.Status)
	require.Equal(t, int64(0), o.Runs.Load(), "the handler ran although the store failed")
	// The 503 is sent after the release returned.
	select {
	case err := <-store.released:
		require.NoError(t, err, "releasing the orphaned reservation")
	default:
		require.Fail(t, "the reservation was not released before the 503")
	}

	retry := storetest.Post(t, c, srv.URL, "k", "a")
	assert.Equal(t, http.StatusCreated, retry.Status, "the retry found the key still reserved")
	assert.Equal(t, int64(1), o.Runs.Load())
}
