package retry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

// server is a loopback httptest server that records what every attempt sent
// and counts the TCP connections it accepted.
type server struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []string
	bodies  []string
	methods []string
	conns   atomic.Int64
	hits    atomic.Int64
}

func newServer(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.hits.Add(1))
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("server reading body: %v", err)
		}
		s.mu.Lock()
		s.keys = append(s.keys, r.Header.Get(KeyHeader))
		s.bodies = append(s.bodies, string(b))
		s.methods = append(s.methods, r.Method)
		s.mu.Unlock()
		h(n, w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func status(code int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		fmt.Fprint(w, strings.Repeat("x", 2048)) // a body worth draining
	}
}

// tracker wraps a base transport and counts response bodies left open.
type tracker struct {
	base http.RoundTripper
	open atomic.Int64
	seen atomic.Int64
}

type trackedBody struct {
	io.ReadCloser
	t    *tracker
	once sync.Once
}

func (b *trackedBody) Close() error {
	b.once.Do(func() { b.t.open.Add(-1) })
	return b.ReadCloser.Close()
}

func (t *tracker) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if resp != nil {
		t.open.Add(1)
		t.seen.Add(1)
		resp.Body = &trackedBody{ReadCloser: resp.Body, t: t}
	}
	return resp, err
}

// newClient returns a client retrying under p through its own connection pool,
// the tracker under it, and a record of attempts' delays (waits are recorded,
// not slept, unless realWait).
type harness struct {
	client *http.Client
	track  *tracker
	tr     *transport
	mu     sync.Mutex
	waits  []time.Duration
	atts   []Attempt
}

func newHarness(t *testing.T, p Policy, realWait bool) *harness {
	t.Helper()
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	h := &harness{track: &tracker{base: base}}
	user := p.OnAttempt
	p.OnAttempt = func(a Attempt) {
		h.mu.Lock()
		h.atts = append(h.atts, a)
		h.mu.Unlock()
		if user != nil {
			user(a)
		}
	}
	h.tr = NewTransport(h.track, p).(*transport)
	if !realWait {
		h.tr.wait = func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			h.waits = append(h.waits, d)
			h.mu.Unlock()
			return ctx.Err()
		}
	}
	h.client = &http.Client{Transport: h.tr}
	return h
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	resp.Body.Close()
	return string(b)
}

func TestTransportStatusClasses(t *testing.T) {
	leakcheck.Check(t)
	for _, tc := range []struct {
		code  int
		hits  int64
		retry bool
	}{
		{408, 3, true}, {429, 3, true}, {502, 3, true}, {503, 3, true}, {504, 3, true},
		{400, 1, false}, {401, 1, false}, {403, 1, false}, {404, 1, false}, {409, 1, false},
		{422, 1, false}, {500, 1, false}, {501, 1, false}, {200, 1, false},
	} {
		for _, method := range []string{"GET", "POST"} {
			s := newServer(t, status(tc.code))
			h := newHarness(t, Policy{}, false)
			req, _ := http.NewRequest(method, s.URL, strings.NewReader("order"))
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatalf("%s %d: %v", method, tc.code, err)
			}
			if resp.StatusCode != tc.code || len(readAll(t, resp)) != 2048 {
				t.Fatalf("%s %d: got status %d", method, tc.code, resp.StatusCode)
			}
			if got := s.hits.Load(); got != tc.hits {
				t.Errorf("%s %d: %d attempts, want %d", method, tc.code, got, tc.hits)
			}
			if open := h.track.open.Load(); open != 0 {
				t.Errorf("%s %d: %d response bodies left open", method, tc.code, open)
			}
			// Drained bodies let every attempt reuse one connection.
			if c := s.conns.Load(); c != 1 {
				t.Errorf("%s %d: %d connections for %d attempts, want 1", method, tc.code, c, s.hits.Load())
			}
			s.Close()
		}
	}
}

func TestTransportRecoversAndConfigurableStatus(t *testing.T) {
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n < 3 {
			w.WriteHeader(500)
			return
		}
		fmt.Fprint(w, "ok")
	})
	h := newHarness(t, Policy{RetryStatus: func(c int) bool { return c >= 500 }}, false)
	resp, err := h.client.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 200 || body != "ok" || s.hits.Load() != 3 {
		t.Fatalf("status %d body %q after %d attempts", resp.StatusCode, body, s.hits.Load())
	}
	want := []Outcome{OutcomeRetry, OutcomeRetry, OutcomeSuccess}
	for i, a := range h.atts {
		if a.Outcome != want[i] || a.Num != i+1 {
			t.Fatalf("attempt %d: %+v, want %v", i+1, a, want[i])
		}
	}
}

func TestTransportIdempotencyKey(t *testing.T) {
	s := newServer(t, status(503))
	h := newHarness(t, Policy{MaxAttempts: 4, Budget: NewBudget(1000, 1)}, false)

	// POST without a key: one minted, the same on every attempt; caller's request untouched.
	req, _ := http.NewRequest("POST", s.URL, strings.NewReader(`{"sku":42}`))
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if req.Header.Get(KeyHeader) != "" {
		t.Fatal("transport modified the caller's request headers")
	}
	if len(s.keys) != 4 || len(s.keys[0]) != 32 {
		t.Fatalf("keys %q", s.keys)
	}
	for _, k := range s.keys {
		if k != s.keys[0] {
			t.Fatalf("key changed between attempts: %q", s.keys)
		}
	}
	first := s.keys[0]

	// A second operation gets a new key; the caller's key is kept on PATCH.
	s.keys = nil
	req, _ = http.NewRequest("POST", s.URL, strings.NewReader(`{"sku":42}`))
	resp, _ = h.client.Do(req)
	readAll(t, resp)
	if s.keys[0] == first {
		t.Fatal("two operations shared one minted key")
	}
	s.keys = nil
	req, _ = http.NewRequest("PATCH", s.URL, strings.NewReader(`{}`))
	req.Header.Set(KeyHeader, "caller-key")
	resp, _ = h.client.Do(req)
	readAll(t, resp)
	if fmt.Sprint(s.keys) != "[caller-key caller-key caller-key caller-key]" {
		t.Fatalf("caller key not kept: %q", s.keys)
	}

	// PUT is idempotent by definition: retried, no key invented.
	s.keys = nil
	s.hits.Store(0)
	req, _ = http.NewRequest("PUT", s.URL, strings.NewReader(`{}`))
	resp, _ = h.client.Do(req)
	readAll(t, resp)
	if s.hits.Load() != 4 || s.keys[0] != "" {
		t.Fatalf("PUT: %d attempts keys %q", s.hits.Load(), s.keys)
	}

	// An unknown method is sent once without a key, retried with one.
	s.hits.Store(0)
	req, _ = http.NewRequest("PURGE", s.URL, nil)
	resp, _ = h.client.Do(req)
	readAll(t, resp)
	if s.hits.Load() != 1 {
		t.Fatalf("PURGE without key: %d attempts", s.hits.Load())
	}
	s.hits.Store(0)
	req.Header.Set(KeyHeader, "k")
	resp, _ = h.client.Do(req)
	readAll(t, resp)
	if s.hits.Load() != 4 {
		t.Fatalf("PURGE with key: %d attempts", s.hits.Load())
	}
}

// plainBody hides bytes.Reader so net/http cannot build a GetBody.
type plainBody struct{ io.Reader }

func (plainBody) Close() error { return nil }

func TestTransportResendsFullBody(t *testing.T) {
	payload := strings.Repeat("0123456789", 1000) // 10 KB
	for _, tc := range []struct {
		name     string
		mk       func(url string) *http.Request
		limit    int64
		attempts int
	}{
		{"GetBody", func(url string) *http.Request {
			r, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(payload)))
			return r
		}, 0, 3},
		{"buffered", func(url string) *http.Request {
			r, _ := http.NewRequest("POST", url, plainBody{strings.NewReader(payload)})
			r.ContentLength = int64(len(payload))
			if r.GetBody != nil {
				t.Fatal("request unexpectedly has GetBody")
			}
			return r
		}, 0, 3},
		{"buffered-chunked", func(url string) *http.Request {
			r, _ := http.NewRequest("POST", url, plainBody{strings.NewReader(payload)})
			return r
		}, 0, 3},
		{"over-limit", func(url string) *http.Request {
			r, _ := http.NewRequest("POST", url, plainBody{strings.NewReader(payload)})
			return r
		}, 100, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, status(503))
			h := newHarness(t, Policy{MaxBufferedBody: tc.limit}, false)
			resp, err := h.client.Do(tc.mk(s.URL))
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
			if len(s.bodies) != tc.attempts {
				t.Fatalf("%d attempts, want %d", len(s.bodies), tc.attempts)
			}
			for i, b := range s.bodies {
				if b != payload {
					t.Fatalf("attempt %d sent %d bytes, want %d", i+1, len(b), len(payload))
				}
			}
		})
	}
}

func TestTransportRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		value    string
		attempts int64
		wait     time.Duration // the first recorded wait, when retried
	}{
		{"seconds", "5", 2, 5 * time.Second},
		{"date", now.Add(7 * time.Second).Format(http.TimeFormat), 2, 7 * time.Second},
		{"past-date", now.Add(-time.Hour).Format(http.TimeFormat), 2, -1},
		{"garbage", "soon", 2, -1},
		{"over-cap-seconds", "3600", 1, 0},
		{"over-cap-date", now.Add(time.Hour).Format(http.TimeFormat), 1, 0},
		{"absurd", "1759985440000", 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", tc.value)
					w.WriteHeader(503)
					return
				}
				fmt.Fprint(w, "ok")
			})
			h := newHarness(t, Policy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Second, Jitter: NoJitter}, false)
			h.tr.now = func() time.Time { return now }
			resp, err := h.client.Get(s.URL)
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
			if s.hits.Load() != tc.attempts {
				t.Fatalf("%d attempts, want %d", s.hits.Load(), tc.attempts)
			}
			if tc.attempts == 1 {
				if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != tc.value {
					t.Fatalf("over-cap demand: got %d %q, want the 503 itself", resp.StatusCode, resp.Header.Get("Retry-After"))
				}
				return
			}
			want := tc.wait
			if want < 0 {
				want = time.Millisecond // the backoff
			}
			if len(h.waits) != 1 || h.waits[0] != want {
				t.Fatalf("waits %v, want [%v]", h.waits, want)
			}
		})
	}
}

func TestTransportBudgetStopsStorm(t *testing.T) {
	s := newServer(t, status(503))
	h := newHarness(t, Policy{}, false) // default budget: 10 tokens, ratio 0.1
	const calls = 100
	for i := 0; i < calls; i++ {
		req, _ := http.NewRequest("POST", s.URL, strings.NewReader("x"))
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
	}
	ratio := float64(s.hits.Load()) / calls
	t.Logf("100%% 503s: %d calls made %d attempts (%.2f per call; 3.00 without a budget)", calls, s.hits.Load(), ratio)
	if ratio > 1.1 {
		t.Fatalf("retry storm: %.2f attempts per call", ratio)
	}
	var retries, total int
	for _, a := range h.atts {
		total++
		if a.Outcome == OutcomeRetry {
			retries++
		}
	}
	t.Logf("retry_attempts_total{outcome=\"retry\"} / all = %d/%d", retries, total)
	if int64(total) != s.hits.Load() {
		t.Fatalf("OnAttempt saw %d attempts, server %d", total, s.hits.Load())
	}
}

func TestTransportContext(t *testing.T) {
	leakcheck.Check(t)
	s := newServer(t, status(503))

	t.Run("done-before", func(t *testing.T) {
		h := newHarness(t, Policy{}, true)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL, nil)
		before := s.hits.Load()
		if _, err := h.client.Do(req); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
		if s.hits.Load() != before {
			t.Fatal("an attempt started after ctx was done")
		}
	})

	t.Run("cancel-during-wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		p := Policy{BaseDelay: time.Hour, MaxDelay: time.Hour, Jitter: NoJitter}
		p.OnAttempt = func(a Attempt) {
			if a.Outcome == OutcomeRetry {
				cancel()
			}
		}
		h := newHarness(t, p, true) // the real, ctx-aware Wait
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL, nil)
		before := s.hits.Load()
		_, err := h.client.Do(req)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
		if s.hits.Load()-before != 1 || h.track.open.Load() != 0 {
			t.Fatalf("%d attempts, %d bodies open", s.hits.Load()-before, h.track.open.Load())
		}
	})

	t.Run("deadline-shorter-than-wait", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		h := newHarness(t, Policy{BaseDelay: 2 * time.Hour, MaxDelay: 2 * time.Hour, Jitter: NoJitter}, true)
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL, nil)
		before := s.hits.Load()
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != 503 || s.hits.Load()-before != 1 {
			t.Fatalf("status %d after %d attempts", resp.StatusCode, s.hits.Load()-before)
		}
	})
}

func TestTransportAttemptTimeout(t *testing.T) {
	leakcheck.Check(t)
	release := make(chan struct{})
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 2 {
			<-r.Context().Done() // hang until the client gives up on this attempt
			return
		}
		w.WriteHeader(200)
		fmt.Fprint(w, "head,")
		w.(http.Flusher).Flush()
		<-release
		fmt.Fprint(w, "tail")
	})
	h := newHarness(t, Policy{AttemptTimeout: 200 * time.Millisecond, BaseDelay: time.Nanosecond}, true)
	resp, err := h.client.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	// The winning attempt's context outlives RoundTrip: its body is still readable.
	close(release)
	if body := readAll(t, resp); body != "head,tail" || s.hits.Load() != 3 {
		t.Fatalf("body %q after %d attempts", body, s.hits.Load())
	}
	for _, a := range h.atts[:2] {
		if a.Outcome != OutcomeRetry || !errors.Is(a.Err, context.DeadlineExceeded) {
			t.Fatalf("timed-out attempt: %+v", a)
		}
	}
}

// Connections dropped without a response are transport errors: retried, with
// the same key and full body, until the server answers.
func TestTransportRetriesTransportErrors(t *testing.T) {
	leakcheck.Check(t)
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 2 {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close() // no response at all
			return
		}
		fmt.Fprint(w, "ok")
	})
	// Fresh connections only: net/http itself resends keyed requests that fail
	// on a reused connection, which would hide the attempts being counted.
	base := &http.Transport{DisableKeepAlives: true}
	var errs atomic.Int32
	tr := NewTransport(base, Policy{BaseDelay: time.Nanosecond, OnAttempt: func(a Attempt) {
		if a.Outcome == OutcomeRetry && a.Err != nil {
			errs.Add(1)
		}
	}})
	req, _ := http.NewRequest("POST", s.URL, strings.NewReader("payload"))
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "ok" || s.hits.Load() != 3 || errs.Load() != 2 {
		t.Fatalf("body %q after %d attempts, %d transport errors retried", body, s.hits.Load(), errs.Load())
	}
	if fmt.Sprint(s.bodies) != "[payload payload payload]" || s.keys[0] == "" || s.keys[0] != s.keys[2] {
		t.Fatalf("bodies %q keys %q", s.bodies, s.keys)
	}

	// A classifier can refuse to retry them.
	s.hits.Store(0)
	tr = NewTransport(base, Policy{BaseDelay: time.Nanosecond, Retryable: func(error) bool { return false }})
	if _, err := (&http.Client{Transport: tr}).Get(s.URL); err == nil || s.hits.Load() != 1 {
		t.Fatalf("classifier said no: err %v after %d attempts", err, s.hits.Load())
	}
}
