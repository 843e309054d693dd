// Package health serves the two probes every service needs: /healthz
// (liveness: is this process able to serve at all) and /readyz (readiness:
// can it serve traffic now, given its dependencies).
//
// Liveness never looks at dependencies: a liveness probe that fails when a
// database is slow makes the orchestrator restart every replica at once,
// turning a degraded dependency into a full outage. Readiness runs the
// registered checks concurrently, each bounded by its own timeout (3s by
// default), and fails only when a check marked critical fails. Non-critical
// failures (an open breaker in front of a dependency the service can degrade
// without) are reported in the JSON body but keep the instance in rotation.
//
//	h := health.New()
//	h.Add(health.Check{Name: "db", Critical: true, Func: db.PingContext})
//	h.Add(health.BreakerCheck("recommendations", false, health.BreakerOpen(recsBreaker)))
//	mux.Handle("/healthz", h.Liveness())
//	mux.Handle("/readyz", h.Readiness())
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds a check whose Timeout is zero.
const DefaultTimeout = 3 * time.Second

// Status values used in reports.
const (
	StatusOK       = "ok"       // every check passed
	StatusDegraded = "degraded" // only non-critical checks failed: still ready
	StatusFail     = "fail"     // a critical check failed: not ready
	StatusDraining = "draining" // Drain was called: not ready
)

// ErrBreakerOpen is the error a BreakerCheck reports while the breaker is open.
var ErrBreakerOpen = errors.New("circuit breaker open")

// Check is one readiness check.
type Check struct {
	Name     string
	Critical bool          // a failure makes the instance not ready
	Timeout  time.Duration // 0 means DefaultTimeout
	// Func reports the dependency's health. It should honour ctx; one that
	// does not is abandoned at the timeout and reported as failed.
	Func func(ctx context.Context) error
}

// Result is the outcome of one check in a Report.
type Result struct {
	Name       string  `json:"name"`
	Critical   bool    `json:"critical"`
	Status     string  `json:"status"` // "ok" or "fail"
	Error      string  `json:"error,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// Report is the JSON body served by the readiness handler.
type Report struct {
	Status string   `json:"status"`
	Failed []string `json:"failed,omitempty"` // names of failed checks, critical or not
	Checks []Result `json:"checks"`
}

// Ready reports whether the report allows serving traffic.
func (r Report) Ready() bool { return r.Status == StatusOK || r.Status == StatusDegraded }

// Checker holds the readiness checks. Its methods are safe for concurrent use.
type Checker struct {
	mu       sync.Mutex
	checks   []*entry
	draining atomic.Bool
}

type entry struct {
	Check
	mu       sync.Mutex
	inflight *run // the run in progress, shared by concurrent probes
}

type run struct {
	done chan struct{}
	err  error
}

// New returns a Checker with no checks: ready until checks are added.
func New() *Checker { return &Checker{} }

// Add registers a check. It panics on a missing name or func, or a duplicate
// name, since those are programming errors found at start-up.
func (c *Checker) Add(ch Check) {
	if ch.Name == "" || ch.Func == nil {
		panic("health: check needs a Name and a Func")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.checks {
		if e.Name == ch.Name {
			panic(fmt.Sprintf("health: duplicate check %q", ch.Name))
		}
	}
	c.checks = append(c.checks, &entry{Check: ch})
}

// Drain makes readiness fail from now on, so load balancers stop sending
// traffic before a graceful shutdown. Liveness is unaffected.
func (c *Checker) Drain() { c.draining.Store(true) }

// Run executes every check concurrently and returns the report. It returns
// once each check has finished or hit its timeout, whichever comes first.
func (c *Checker) Run(ctx context.Context) Report {
	c.mu.Lock()
	checks := append([]*entry(nil), c.checks...)
	c.mu.Unlock()

	results := make([]Result, len(checks))
	var wg sync.WaitGroup
	for i, e := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.run(ctx)
		}()
	}
	wg.Wait()

	rep := Report{Status: StatusOK, Checks: results}
	for _, r := range results {
		if r.Status == StatusOK {
			continue
		}
		rep.Failed = append(rep.Failed, r.Name)
		if r.Critical {
			rep.Status = StatusFail
		} else if rep.Status == StatusOK {
			rep.Status = StatusDegraded
		}
	}
	if c.draining.Load() {
		rep.Status = StatusDraining
	}
	return rep
}

// run executes the check, or joins a run already in progress so that a
// check that ignores its context cannot pile up goroutines probe after probe.
func (e *entry) run(ctx context.Context) Result {
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()

	e.mu.Lock()
	r := e.inflight
	if r == nil {
		r = &run{done: make(chan struct{})}
		e.inflight = r
		// The check gets its own context: a probe joining this run must not
		// be cut short because the probe that started it went away.
		checkCtx, checkCancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		go func() {
			defer checkCancel()
			err := call(checkCtx, e.Func)
			e.mu.Lock()
			r.err = err
			e.inflight = nil
			e.mu.Unlock()
			close(r.done)
		}()
	}
	e.mu.Unlock()

	res := Result{Name: e.Name, Critical: e.Critical, Status: StatusOK}
	var err error
	select {
	case <-r.done:
		err = r.err
	case <-ctx.Done():
		err = fmt.Errorf("check did not finish: %w", context.Cause(ctx))
	}
	res.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		res.Status = StatusFail
		res.Error = err.Error()
	}
	return res
}

// call runs fn and turns a panic into an error: a broken check must fail
// readiness, not crash the process it is reporting on.
func call(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("check panicked: %v", p)
		}
	}()
	return fn(ctx)
}

// Liveness returns the /healthz handler: 200 while the process can run a
// handler at all. It deliberately checks no dependency.
func (c *Checker) Liveness() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, http.StatusOK, struct {
			Status string `json:"status"`
		}{StatusOK})
	})
}

// Readiness returns the /readyz handler: 200 with the report when ready,
// 503 with the report (naming the failed checks) when not.
func (c *Checker) Readiness() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := c.Run(r.Context())
		code := http.StatusOK
		if !rep.Ready() {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, r, code, rep)
	})
}

func writeJSON(w http.ResponseWriter, r *http.Request, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if r.Method == http.MethodHead {
		return
	}
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do about it
}

// BreakerCheck is a check that fails while isOpen reports true. Mark it
// critical only when the service cannot serve without the dependency: a
// non-critical dependency's open breaker is a degradation the service
// already handles with a fallback, not a reason to leave rotation.
//
// A critical BreakerCheck takes the instance out of rotation, so the calls
// that would move the breaker on stop arriving: isOpen must turn false by
// itself once the breaker may probe again. runtime/breaker's State does
// (it reports half-open as soon as OpenTimeout has passed, with no call).
func BreakerCheck(name string, critical bool, isOpen func() bool) Check {
	return Check{
		Name:     name,
		Critical: critical,
		Func: func(context.Context) error {
			if isOpen() {
				return ErrBreakerOpen
			}
			return nil
		},
	}
}

// BreakerOpen adapts any breaker whose State method returns a value printing
// as "open" (such as runtime/breaker's) to the predicate BreakerCheck needs,
// without this package importing the breaker.
func BreakerOpen[S fmt.Stringer](b interface{ State() S }) func() bool {
	return func() bool { return b.State().String() == "open" }
}
