package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilvet/resilvet/runtime/health"
)

func ok(context.Context) error { return nil }

// get fetches path from a loopback server and decodes the JSON body.
func get(t *testing.T, srv *httptest.Server, path string) (int, health.Report) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var rep health.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	return resp.StatusCode, rep
}

func serve(t *testing.T, h *health.Checker) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/healthz", h.Liveness())
	mux.Handle("/readyz", h.Readiness())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func result(t *testing.T, rep health.Report, name string) health.Result {
	t.Helper()
	for _, r := range rep.Checks {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no result for %q in %+v", name, rep)
	return health.Result{}
}

func TestLivenessIgnoresDependencies(t *testing.T) {
	h := health.New()
	h.Add(health.Check{Name: "db", Critical: true, Func: func(context.Context) error { return errors.New("down") }})
	srv := serve(t, h)

	code, rep := get(t, srv, "/healthz")
	if code != http.StatusOK || rep.Status != health.StatusOK {
		t.Errorf("/healthz = %d %q, want 200 ok even with a failing critical dependency", code, rep.Status)
	}
	if code, _ := get(t, srv, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d, want 503", code)
	}
}

func TestReadinessCriticalAndNonCritical(t *testing.T) {
	down := errors.New("connection refused")
	tests := []struct {
		name       string
		checks     []health.Check
		wantCode   int
		wantStatus string
		wantFailed []string
	}{
		{
			name:       "no checks",
			wantCode:   http.StatusOK,
			wantStatus: health.StatusOK,
		},
		{
			name: "all pass",
			checks: []health.Check{
				{Name: "db", Critical: true, Func: ok},
				{Name: "cache", Func: ok},
			},
			wantCode:   http.StatusOK,
			wantStatus: health.StatusOK,
		},
		{
			name: "non-critical fails",
			checks: []health.Check{
				{Name: "db", Critical: true, Func: ok},
				{Name: "cache", Func: func(context.Context) error { return down }},
			},
			wantCode:   http.StatusOK,
			wantStatus: health.StatusDegraded,
			wantFailed: []string{"cache"},
		},
		{
			name: "critical fails",
			checks: []health.Check{
				{Name: "db", Critical: true, Func: func(context.Context) error { return down }},
				{Name: "cache", Func: func(context.Context) error { return down }},
			},
			wantCode:   http.StatusServiceUnavailable,
			wantStatus: health.StatusFail,
			wantFailed: []string{"db", "cache"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := health.New()
			for _, c := range tt.checks {
				h.Add(c)
			}
			code, rep := get(t, serve(t, h), "/readyz")
			if code != tt.wantCode || rep.Status != tt.wantStatus {
				t.Errorf("/readyz = %d %q, want %d %q", code, rep.Status, tt.wantCode, tt.wantStatus)
			}
			if !slices.Equal(rep.Failed, tt.wantFailed) {
				t.Errorf("failed = %q, want %q", rep.Failed, tt.wantFailed)
			}
			if len(rep.Checks) != len(tt.checks) {
				t.Fatalf("report has %d checks, want %d", len(rep.Checks), len(tt.checks))
			}
			for _, name := range tt.wantFailed {
				if r := result(t, rep, name); r.Status != "fail" || r.Error != down.Error() {
					t.Errorf("%s: status %q error %q, want fail %q", name, r.Status, r.Error, down)
				}
			}
		})
	}
}

// fakeBreaker mimics runtime/breaker: State() returns a type with String().
type fakeState int

func (s fakeState) String() string { return [...]string{"closed", "open", "half-open"}[s] }

type fakeBreaker struct{ state atomic.Int32 }

func (b *fakeBreaker) State() fakeState { return fakeState(b.state.Load()) }

func TestBreakerOpenFailsReadinessOnlyWhenCritical(t *testing.T) {
	recs, inv := &fakeBreaker{}, &fakeBreaker{}
	h := health.New()
	h.Add(health.BreakerCheck("recommendations", false, health.BreakerOpen(recs)))
	h.Add(health.BreakerCheck("inventory", true, health.BreakerOpen(inv)))
	srv := serve(t, h)

	recs.state.Store(1) // open, non-critical
	code, rep := get(t, srv, "/readyz")
	if code != http.StatusOK || rep.Status != health.StatusDegraded || !slices.Equal(rep.Failed, []string{"recommendations"}) {
		t.Errorf("non-critical breaker open: %d %q failed=%q, want 200 degraded [recommendations]", code, rep.Status, rep.Failed)
	}
	if r := result(t, rep, "recommendations"); r.Error != health.ErrBreakerOpen.Error() {
		t.Errorf("error = %q, want %q", r.Error, health.ErrBreakerOpen)
	}

	inv.state.Store(2) // half-open is not open: still ready
	if code, _ := get(t, srv, "/readyz"); code != http.StatusOK {
		t.Errorf("critical breaker half-open: %d, want 200", code)
	}

	inv.state.Store(1) // open, critical
	code, rep = get(t, srv, "/readyz")
	if code != http.StatusServiceUnavailable || rep.Status != health.StatusFail {
		t.Errorf("critical breaker open: %d %q, want 503 fail", code, rep.Status)
	}

	recs.state.Store(0)
	inv.state.Store(0)
	if code, rep := get(t, srv, "/readyz"); code != http.StatusOK || rep.Status != health.StatusOK {
		t.Errorf("breakers closed: %d %q, want 200 ok", code, rep.Status)
	}
}

func TestChecksRunConcurrently(t *testing.T) {
	// Each check waits until the other has started: run one after the other,
	// the first would wait for its (long) timeout and fail.
	aStarted, bStarted := make(chan struct{}), make(chan struct{})
	wait := func(mine, other chan struct{}) func(context.Context) error {
		return func(ctx context.Context) error {
			close(mine)
			select {
			case <-other:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	h := health.New()
	h.Add(health.Check{Name: "a", Critical: true, Timeout: time.Minute, Func: wait(aStarted, bStarted)})
	h.Add(health.Check{Name: "b", Critical: true, Timeout: time.Minute, Func: wait(bStarted, aStarted)})
	if code, rep := get(t, serve(t, h), "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d %+v, want 200", code, rep)
	}
}

func TestTimeoutDefaultsToThreeSeconds(t *testing.T) {
	var remaining time.Duration
	h := health.New()
	h.Add(health.Check{Name: "db", Func: func(ctx context.Context) error {
		dl, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		remaining = time.Until(dl)
		return nil
	}})
	rep := h.Run(context.Background())
	if rep.Status != health.StatusOK {
		t.Fatalf("status %q: %+v", rep.Status, rep)
	}
	if remaining <= 0 || remaining > health.DefaultTimeout {
		t.Errorf("check deadline in %v, want within (0, %v]", remaining, health.DefaultTimeout)
	}
	if health.DefaultTimeout != 3*time.Second {
		t.Errorf("DefaultTimeout = %v, the article's readiness budget is 3s", health.DefaultTimeout)
	}
}

func TestHungCheckIsAbandonedAtTimeoutAndNotDuplicated(t *testing.T) {
	release := make(chan struct{})
	var started atomic.Int32
	h := health.New()
	// This check ignores its context entirely.
	h.Add(health.Check{Name: "stuck", Critical: true, Timeout: 10 * time.Millisecond, Func: func(context.Context) error {
		started.Add(1)
		<-release
		return nil
	}})
	h.Add(health.Check{Name: "fine", Critical: true, Func: ok})
	srv := serve(t, h)

	for range 3 {
		code, rep := get(t, srv, "/readyz")
		if code != http.StatusServiceUnavailable || !slices.Equal(rep.Failed, []string{"stuck"}) {
			t.Fatalf("/readyz = %d failed=%q, want 503 [stuck]", code, rep.Failed)
		}
		if r := result(t, rep, "stuck"); !strings.Contains(r.Error, context.DeadlineExceeded.Error()) {
			t.Errorf("error = %q, want it to name the deadline", r.Error)
		}
	}
	if n := started.Load(); n != 1 {
		t.Errorf("hung check started %d times, want 1 (later probes join the run in progress)", n)
	}
	close(release)
}

func TestPanickingCheckFailsReadiness(t *testing.T) {
	h := health.New()
	h.Add(health.Check{Name: "buggy", Critical: true, Func: func(context.Context) error { panic("nil map") }})
	code, rep := get(t, serve(t, h), "/readyz")
	if code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d, want 503", code)
	}
	if r := result(t, rep, "buggy"); !strings.Contains(r.Error, "nil map") {
		t.Errorf("error = %q, want the panic value", r.Error)
	}
}

func TestDrain(t *testing.T) {
	h := health.New()
	h.Add(health.Check{Name: "db", Critical: true, Func: ok})
	srv := serve(t, h)
	h.Drain()
	if code, rep := get(t, srv, "/readyz"); code != http.StatusServiceUnavailable || rep.Status != health.StatusDraining {
		t.Errorf("/readyz while draining = %d %q, want 503 draining", code, rep.Status)
	}
	if code, _ := get(t, srv, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while draining = %d, want 200", code)
	}
}

func TestHeadHasNoBody(t *testing.T) {
	srv := serve(t, health.New())
	resp, err := srv.Client().Head(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD /readyz = %d", resp.StatusCode)
	}
}

func TestAddRejectsBadChecks(t *testing.T) {
	for name, add := range map[string]func(h *health.Checker){
		"no name": func(h *health.Checker) { h.Add(health.Check{Func: ok}) },
		"no func": func(h *health.Checker) { h.Add(health.Check{Name: "x"}) },
		"duplicate": func(h *health.Checker) {
			h.Add(health.Check{Name: "x", Func: ok})
			h.Add(health.Check{Name: "x", Func: ok})
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Add did not panic")
				}
			}()
			add(health.New())
		})
	}
}
