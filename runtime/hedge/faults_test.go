package hedge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
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
	"github.com/resilvet/resilvet/runtime/internal/fakeclock"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

// Hedging a keyed POST in front of runtime/idempotency: the backup reaches
// the server while the original is still running and is answered 409 "in
// progress" at once. That answer must not win; the original's 201 does.
func TestTransportInProgressAnswerDoesNotWin(t *testing.T) {
	leakcheck.Check(t)
	var runs atomic.Int32
	conflictSeen := make(chan struct{}) // the client has the 409 in hand
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(conflictSeen) }) })
	mw := idempotency.Middleware(idempotency.NewMemoryStore())
	srv := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		<-conflictSeen // the first request finishes only after the other's 409 arrived
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, "order 7")
	})))
	t.Cleanup(srv.Close)
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	watch := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if err == nil && resp.StatusCode == http.StatusConflict {
			once.Do(func() { close(conflictSeen) })
		}
		return resp, err
	})
	var hedges atomic.Int32
	client := &http.Client{Transport: NewTransport(watch, time.Millisecond, WithOnHedge(func() { hedges.Add(1) }))}

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(`{"sku":7}`))
	require.NoError(t, err)
	req.Header.Set(keyHeader, "order-7")
	resp, err := client.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	assert.Equal(t, http.StatusCreated, resp.StatusCode, "the in-progress 409 won: %s", body)
	assert.Equal(t, "order 7", string(body))
	assert.Equal(t, int32(1), runs.Load(), "the handler ran twice")
	assert.Equal(t, int32(1), hedges.Load())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// When every attempt lost and one was answered "in progress", that answer
// is returned, readable, for a retry layer to wait on; other 409s (without
// Retry-After) are ordinary responses that win.
func TestTransportAllInProgress(t *testing.T) {
	leakcheck.Check(t)
	conflict := func(retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: http.StatusConflict, Header: h,
			Body: io.NopCloser(strings.NewReader("in progress"))}
	}
	newReq := func() *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "http://orders.invalid/", bytes.NewReader([]byte("x")))
		r.Header.Set(keyHeader, "k")
		return r
	}

	t.Run("every attempt", func(t *testing.T) {
		second := make(chan struct{})
		f := &fakeRT{do: func(n int32, r *http.Request) (*http.Response, error) {
			if n == 1 {
				<-second // both attempts are in flight
			} else {
				close(second)
			}
			return conflict("1"), nil
		}}
		resp, err := NewTransport(f, 0).RoundTrip(newReq())
		require.NoError(t, err)
		assert.Equal(t, int32(2), f.calls.Load(), "the race ended at the first in-progress answer")
		assert.Equal(t, http.StatusConflict, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, "in progress", string(b))
		require.NoError(t, resp.Body.Close())
	})
	t.Run("with a transport error", func(t *testing.T) {
		answered := make(chan struct{})
		f := &fakeRT{do: func(n int32, r *http.Request) (*http.Response, error) {
			if n == 1 {
				<-answered // fails after the backup's in-progress answer
				return nil, errors.New("connection reset")
			}
			defer close(answered)
			return conflict("1"), nil
		}}
		resp, err := NewTransport(f, 0).RoundTrip(newReq())
		require.NoError(t, err)
		assert.Equal(t, http.StatusConflict, resp.StatusCode)
		require.NoError(t, resp.Body.Close())
	})
	t.Run("application conflict wins", func(t *testing.T) {
		f := &fakeRT{do: func(n int32, r *http.Request) (*http.Response, error) { return conflict(""), nil }}
		resp, err := NewTransport(f, time.Hour).RoundTrip(newReq())
		require.NoError(t, err)
		assert.Equal(t, int32(1), f.calls.Load())
		assert.Equal(t, http.StatusConflict, resp.StatusCode)
		require.NoError(t, resp.Body.Close())
	})
}

// A loser that panics after Do returned must not crash the process: the
// panic is recovered and reported, to the hook or to slog.
func TestLatePanicIsReported(t *testing.T) {
	leakcheck.Check(t)
	for _, hooked := range []bool{true, false} {
		t.Run(fmt.Sprintf("hook=%v", hooked), func(t *testing.T) {
			release := make(chan struct{})
			reported := make(chan string, 1)
			opts := []Option{}
			if hooked {
				opts = append(opts, WithOnLatePanic(func(v any, stack []byte) {
					reported <- fmt.Sprint(v) + "\n" + string(stack)
				}))
			} else {
				old := slog.Default()
				t.Cleanup(func() { slog.SetDefault(old) })
				slog.SetDefault(slog.New(handlerFunc(func(r slog.Record) {
					var s strings.Builder
					s.WriteString(r.Message)
					r.Attrs(func(a slog.Attr) bool { s.WriteString("\n" + a.Key + "=" + a.Value.String()); return true })
					reported <- s.String()
				})))
			}
			var calls atomic.Int32
			v, err := Do(context.Background(), 0, func(ctx context.Context) (int, error) {
				if calls.Add(1) == 1 {
					<-release // loses the race, then panics
					panic("late kaboom")
				}
				return 2, nil
			}, opts...)
			require.NoError(t, err)
			require.Equal(t, 2, v)
			close(release)
			got := <-reported
			assert.Contains(t, got, "late kaboom")
			assert.Contains(t, got, "TestLatePanicIsReported", "the stack names the panicking function")
		})
	}
}

type handlerFunc func(slog.Record)

func (h handlerFunc) Enabled(context.Context, slog.Level) bool      { return true }
func (h handlerFunc) Handle(_ context.Context, r slog.Record) error { h(r); return nil }
func (h handlerFunc) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h handlerFunc) WithGroup(string) slog.Handler                 { return h }

// With WithEstimator(p95), hedges must fire for about 5% of calls. The
// dependency's latency is exponential; a manual clock drives every call, so
// the outcome does not depend on the machine's speed. Recording only the
// winners' latency biased the estimate low and hedged about twice as often.
func TestEstimatorHedgeRateMatchesTarget(t *testing.T) {
	leakcheck.Check(t)
	clk := fakeclock.New()
	e := NewEstimator(0.95)
	rng := rand.New(rand.NewPCG(7, 11))
	draw := func() time.Duration { return time.Duration(rng.ExpFloat64() * float64(10*time.Millisecond)) }
	const fallback = 50 * time.Millisecond
	const warm, calls = 500, 4000
	ctx := context.Background()
	hedged := 0
	for i := range calls {
		lat := [2]time.Duration{draw(), draw()}
		delay := fallback
		if d, ok := e.Quantile(); ok {
			delay = d
		}
		armed := make(chan struct{}, 2)
		var fired atomic.Bool
		var attempt atomic.Int32
		res := make(chan error, 1)
		go func() {
			_, err := Do(ctx, fallback, func(ctx context.Context) (int, error) {
				n := attempt.Add(1) - 1
				done := make(chan struct{})
				stop := clk.AfterFunc(lat[n], func() { close(done) })
				armed <- struct{}{}
				select {
				case <-done:
					return int(n), nil
				case <-ctx.Done():
					stop()
					return 0, ctx.Err()
				}
			}, WithEstimator(e), withClock(clk), WithOnHedge(func() { fired.Store(true) }))
			res <- err
		}()
		<-armed // the hedge timer is armed before the first attempt starts
		if lat[0] < delay {
			clk.Advance(lat[0])
		} else {
			clk.Advance(delay)
			<-armed // the backup
			clk.Advance(min(lat[0]-delay, lat[1]))
		}
		require.NoError(t, <-res)
		require.Equal(t, lat[0] >= delay, fired.Load(), "call %d: the hedge timer disagrees with the clock", i)
		if i >= warm && fired.Load() {
			hedged++
		}
	}
	rate := float64(hedged) / float64(calls-warm)
	q, _ := e.Quantile()
	t.Logf("hedge rate %.2f%% (target 5%%), p95 estimate %v (true %v)", 100*rate, q,
		time.Duration(-math.Log(0.05)*float64(10*time.Millisecond)))
	assert.InDelta(t, 0.05, rate, 0.015, "hedge rate off the target")
}
