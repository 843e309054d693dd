package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

// lostReply sends its first request on to base in the background and
// reports a transport error at once, as a client whose attempt timed out
// while the server went on with the request. Later requests pass through.
type lostReply struct {
	base  http.RoundTripper
	calls atomic.Int32
	sent  chan struct{} // closed once the lost request has reached the handler
	done  chan struct{} // closed once the lost request's response arrived
}

func (l *lostReply) RoundTrip(r *http.Request) (*http.Response, error) {
	if l.calls.Add(1) > 1 {
		return l.base.RoundTrip(r)
	}
	detached := r.Clone(context.WithoutCancel(r.Context()))
	go func() {
		defer close(l.done)
		if resp, err := l.base.RoundTrip(detached); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	<-l.sent
	return nil, errors.New("attempt timed out")
}

// A keyed POST whose first attempt timed out while the server kept running
// it: the retry meets runtime/idempotency's "in progress" 409, which must be
// retried after its Retry-After, and the caller gets the original's 201.
func TestTransportRetriesInProgressConflict(t *testing.T) {
	leakcheck.Check(t)
	var runs atomic.Int32
	entered := make(chan struct{})
	finish := make(chan struct{})
	mw := idempotency.Middleware(idempotency.NewMemoryStore())
	s := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			runs.Add(1)
			close(entered)
			<-finish
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, "order 7")
		})).ServeHTTP(w, r)
	})
	var once sync.Once
	release := func() { once.Do(func() { close(finish) }) }
	t.Cleanup(release) // runs before the server's Close, which waits for the handler
	h := newHarness(t, Policy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Second, Jitter: NoJitter}, false)
	lost := &lostReply{base: h.track, sent: entered, done: make(chan struct{})}
	h.tr.base = lost
	h.tr.wait = func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		h.waits = append(h.waits, d)
		n := len(h.waits)
		h.mu.Unlock()
		if n == 2 { // after the 409: the original finishes during the wait
			release()
			<-lost.done
		}
		return ctx.Err()
	}

	req, err := http.NewRequest(http.MethodPost, s.URL+"/orders", strings.NewReader(`{"sku":1}`))
	require.NoError(t, err)
	req.Header.Set(KeyHeader, "order-7")
	resp, err := h.client.Do(req)
	require.NoError(t, err)
	body := readAll(t, resp)
	assert.Equal(t, http.StatusCreated, resp.StatusCode, "the in-progress 409 was returned")
	assert.Equal(t, "order 7", body)
	assert.Equal(t, "true", resp.Header.Get(idempotency.ReplayedHeader))
	assert.Equal(t, int32(1), runs.Load(), "the handler ran twice")
	require.Len(t, h.waits, 2)
	assert.Equal(t, time.Second, h.waits[1], "Retry-After not honoured")
	require.Len(t, h.atts, 3)
	assert.Equal(t, Attempt{Num: 2, Outcome: OutcomeRetry, Status: http.StatusConflict, Delay: time.Second}, h.atts[1])
}

// Only a keyed request's 409 with Retry-After is the idempotency layer's:
// the application's own conflicts are returned at once, and a Retry-After
// over the cap still ends the retries.
func TestTransportInProgressOnlyForKeyedRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		method     string
		key        bool
		retryAfter string
		attempts   int64
	}{
		{"keyed", http.MethodPut, true, "1", 2},
		{"minted-key", http.MethodPost, false, "1", 2},
		{"no-retry-after", http.MethodPut, true, "", 1},
		{"no-key", http.MethodPut, false, "1", 1},
		{"over-cap", http.MethodPut, true, "60", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					if tc.retryAfter != "" {
						w.Header().Set("Retry-After", tc.retryAfter)
					}
					w.WriteHeader(http.StatusConflict)
					return
				}
				w.WriteHeader(http.StatusOK)
			})
			h := newHarness(t, Policy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Second}, false)
			req, err := http.NewRequest(tc.method, s.URL, strings.NewReader("x"))
			require.NoError(t, err)
			if tc.key {
				req.Header.Set(KeyHeader, "k")
			}
			resp, err := h.client.Do(req)
			require.NoError(t, err)
			readAll(t, resp)
			assert.Equal(t, tc.attempts, s.hits.Load())
			if tc.attempts == 1 {
				assert.Equal(t, http.StatusConflict, resp.StatusCode)
			}
		})
	}
}

// A Retry-After with more seconds than an int64 holds is a demand longer
// than any cap, not a missing header: the retries end at once.
func TestTransportRetryAfterOverflow(t *testing.T) {
	for _, v := range []string{"99999999999999999999", "9223372036854775808", "+99999999999999999999"} {
		d, ok := retryAfter(v, time.Now())
		assert.True(t, ok, v)
		assert.Greater(t, d, 100*365*24*time.Hour, v)
	}
	_, ok := retryAfter("-99999999999999999999", time.Now())
	assert.False(t, ok, "a negative overflow is malformed")

	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "99999999999999999999")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	h := newHarness(t, Policy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Second}, false)
	resp, err := h.client.Get(s.URL)
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, int64(1), s.hits.Load(), "retried at once despite the demand")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Empty(t, h.waits)
}
