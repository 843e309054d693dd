package telemetry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/resilvet/resilvet/runtime/adaptive"
	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/bulkhead"
	"github.com/resilvet/resilvet/runtime/hedge"
	"github.com/resilvet/resilvet/runtime/retry"
	"github.com/resilvet/resilvet/runtime/telemetry"
)

var errDown = errors.New("connection refused")

func fail(context.Context) error    { return errDown }
func succeed(context.Context) error { return nil }

// fakeClock drives the breaker's open timeout without sleeping.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []func()
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timers = append(c.timers, f)
	return func() bool { return false }
}

// elapse advances past every pending timer and fires them.
func (c *fakeClock) elapse(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	fs := c.timers
	c.timers = nil
	c.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

func TestBreakerTransitionsAndState(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := telemetry.New(reg, "product-page")
	clk := &fakeClock{now: time.Unix(0, 0)}
	var userSaw []string
	b := m.NewBreaker("recommendations", breaker.Config{
		FailureThreshold: 2,
		OpenTimeout:      time.Second,
		Clock:            clk,
		OnStateChange: func(_ string, from, to breaker.State) {
			userSaw = append(userSaw, from.String()+"->"+to.String())
		},
	})
	ctx := context.Background()

	// Series exist at zero before anything happens, so rate() sees the first opening.
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP circuit_breaker_state Current circuit breaker state: 0 closed, 1 open, 2 half-open.
# TYPE circuit_breaker_state gauge
circuit_breaker_state{dependency="recommendations",service="product-page"} 0
# HELP circuit_breaker_state_changes_total Circuit breaker state transitions, by the state entered.
# TYPE circuit_breaker_state_changes_total counter
circuit_breaker_state_changes_total{dependency="recommendations",service="product-page",to_state="closed"} 0
circuit_breaker_state_changes_total{dependency="recommendations",service="product-page",to_state="half-open"} 0
circuit_breaker_state_changes_total{dependency="recommendations",service="product-page",to_state="open"} 0
`), "circuit_breaker_state", "circuit_breaker_state_changes_total"); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		_ = b.Do(ctx, fail)
	}
	if b.State() != breaker.Open {
		t.Fatalf("breaker %v after 2 failures, want open", b.State())
	}
	if got := changes(t, reg, "recommendations", "open"); got != 1 {
		t.Errorf("to_state=open = %v, want 1", got)
	}
	if got := gauge(t, reg, "circuit_breaker_state", "recommendations"); got != 1 {
		t.Errorf("circuit_breaker_state = %v, want 1 (open)", got)
	}

	// Probe after the open timeout: half-open, then closed on success.
	clk.elapse(time.Second)
	if err := b.Do(ctx, succeed); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if b.State() != breaker.Closed {
		t.Fatalf("breaker %v after a good probe, want closed", b.State())
	}
	for state, want := range map[string]float64{"open": 1, "half-open": 1, "closed": 1} {
		if got := changes(t, reg, "recommendations", state); got != want {
			t.Errorf("to_state=%s = %v, want %v", state, got, want)
		}
	}
	if got := gauge(t, reg, "circuit_breaker_state", "recommendations"); got != 0 {
		t.Errorf("circuit_breaker_state = %v, want 0 (closed)", got)
	}
	if want := []string{"closed->open", "open->half-open", "half-open->closed"}; !slices.Equal(userSaw, want) {
		t.Errorf("the config's own OnStateChange saw %q, want %q", userSaw, want)
	}
}

func changes(t *testing.T, reg *prometheus.Registry, dependency, state string) float64 {
	t.Helper()
	return sampleValue(t, reg, "circuit_breaker_state_changes_total", map[string]string{"dependency": dependency, "to_state": state})
}

func gauge(t *testing.T, reg *prometheus.Registry, name, dependency string) float64 {
	t.Helper()
	return sampleValue(t, reg, name, map[string]string{"dependency": dependency})
}

// sampleValue gathers reg and returns the value of the one sample of name
// whose labels include want.
func sampleValue(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range want {
				if got[k] != v {
					continue metrics
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no sample %s%v", name, want)
	return 0
}

func TestRetryAttemptsByOutcome(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := telemetry.New(reg, "checkout")
	var userCalls int
	p := m.Retry("payments", retry.Policy{
		MaxAttempts: 3,
		BaseDelay:   time.Nanosecond,
		OnAttempt:   func(retry.Attempt) { userCalls++ },
	})
	ctx := context.Background()

	// Two failures then a success: retry, retry, success.
	calls := 0
	if err := retry.Do(ctx, p, func(context.Context) error {
		calls++
		if calls < 3 {
			return errDown
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Always failing: retry, retry, failure.
	if err := retry.Do(ctx, p, fail); !errors.Is(err, errDown) {
		t.Fatalf("err = %v, want %v", err, errDown)
	}

	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP retry_attempts_total Attempts made by retry policies, by outcome: success, retry (another attempt follows) or failure (the call gives up).
# TYPE retry_attempts_total counter
retry_attempts_total{dependency="payments",outcome="failure",service="checkout"} 1
retry_attempts_total{dependency="payments",outcome="retry",service="checkout"} 4
retry_attempts_total{dependency="payments",outcome="success",service="checkout"} 1
`), "retry_attempts_total"); err != nil {
		t.Error(err)
	}
	if userCalls != 6 {
		t.Errorf("the policy's own OnAttempt ran %d times, want 6", userCalls)
	}
}

// TestScrapeNamesMatchAlertRules scrapes a real /metrics endpoint on
// loopback and checks every metric the alert rules query is exported.
func TestScrapeNamesMatchAlertRules(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	wireAll(t, reg)

	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	scraped := string(body)

	rules, err := os.ReadFile("../../alerts/resilience.yml")
	if err != nil {
		t.Fatal(err)
	}
	// Metric names in the rules: identifiers followed by { or [ or whitespace
	// that start with one of our prefixes.
	names := regexp.MustCompile(`\b((?:circuit_breaker|bulkhead|retry|hedge|adaptive)_[a-z_]+)\b`).
		FindAllString(string(rules), -1)
	if len(names) < 4 {
		t.Fatalf("found only %q in the rules", names)
	}
	for _, name := range names {
		if !regexp.MustCompile(`(?m)^` + name + `\{[^}]*service="product-page"`).MatchString(scraped) {
			t.Errorf("the rules query %s, but the scrape has no such series:\n%s", name, scraped)
		}
	}
}

func TestHooksDoNotAllocate(t *testing.T) {
	m := telemetry.New(prometheus.NewRegistry(), "svc")
	onAttempt := m.OnRetryAttempt("payments")
	a := retry.Attempt{Num: 1, Outcome: retry.OutcomeRetry}
	if n := testing.AllocsPerRun(100, func() { onAttempt(a) }); n != 0 {
		t.Errorf("retry hook: %v allocs per attempt, want 0", n)
	}
	m.Bulkhead(bulkhead.New("inventory", 1))
	if n := testing.AllocsPerRun(100, func() { m.OnBulkheadReject("inventory") }); n != 0 {
		t.Errorf("bulkhead rejection hook: %v allocs per rejection, want 0", n)
	}
	onLimit := m.OnLimitChange("inventory")
	if n := testing.AllocsPerRun(100, func() { onLimit(10, 9) }); n != 0 {
		t.Errorf("limit hook: %v allocs per change, want 0", n)
	}
}

// wireAll wires one policy of each kind for service product-page and makes
// each produce at least one event.
func wireAll(t *testing.T, reg prometheus.Registerer) *telemetry.Metrics {
	t.Helper()
	m := telemetry.New(reg, "product-page")
	ctx := context.Background()

	b := m.NewBreaker("recommendations", breaker.Config{FailureThreshold: 1})
	_ = b.Do(ctx, fail)

	bh := m.NewBulkhead("inventory", 1)
	_ = bh.Do(ctx, func(ctx context.Context) error {
		if err := bh.Do(ctx, succeed); !errors.Is(err, bulkhead.ErrFull) {
			t.Errorf("second call in a full bulkhead: %v, want ErrFull", err)
		}
		return nil
	})

	_ = retry.Do(ctx, m.Retry("pricing", retry.Policy{MaxAttempts: 2, BaseDelay: time.Nanosecond}), fail)

	lim := adaptive.New(adaptive.NewAIMD(adaptive.AIMDConfig{}),
		adaptive.WithLimits(40, 1, 100), adaptive.WithOnLimitChange(m.OnLimitChange("inventory")))
	m.Limiter("inventory", lim)
	if tok, ok := lim.TryAcquire(); ok {
		tok.Dropped()
	}

	hedgeOnce(t, m.Hedge("inventory"))
	return m
}

// hedgeOnce runs a hedged call whose first call to start never answers, so
// a backup fires.
func hedgeOnce(t *testing.T, opts []hedge.Option) {
	t.Helper()
	var calls atomic.Int32
	v, err := hedge.Do(context.Background(), time.Millisecond, func(ctx context.Context) (int, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done()
			return 0, ctx.Err()
		}
		return 1, nil
	}, opts...)
	if err != nil || v != 1 {
		t.Fatalf("hedge.Do = %v, %v; want the answering call's 1", v, err)
	}
}

func TestBulkheadAndLimiterGauges(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := telemetry.New(reg, "product-page")
	ctx := context.Background()

	// Hold three of ten slots while scraping: the gauges read the bulkhead.
	bh := m.NewBulkhead("inventory", 10)
	release := make(chan struct{})
	var started, done sync.WaitGroup
	for range 3 {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			_ = bh.Do(ctx, func(context.Context) error {
				started.Done()
				<-release
				return nil
			})
		}()
	}
	started.Wait()

	lim := adaptive.New(adaptive.NewAIMD(adaptive.AIMDConfig{}),
		adaptive.WithLimits(40, 1, 100), adaptive.WithOnLimitChange(m.OnLimitChange("recommendations")))
	m.Limiter("recommendations", lim)
	held, ok := lim.TryAcquire()
	if !ok {
		t.Fatal("limiter refused its first token")
	}
	dropped, _ := lim.TryAcquire()
	dropped.Dropped() // halves the limit: 40 -> 20

	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP adaptive_concurrency_limit Current limit of an adaptive concurrency limiter.
# TYPE adaptive_concurrency_limit gauge
adaptive_concurrency_limit{dependency="recommendations",service="product-page"} 20
# HELP adaptive_inflight_calls Calls currently holding an adaptive limiter token.
# TYPE adaptive_inflight_calls gauge
adaptive_inflight_calls{dependency="recommendations",service="product-page"} 1
# HELP adaptive_limit_changes_total Changes of an adaptive concurrency limit, by direction (up or down).
# TYPE adaptive_limit_changes_total counter
adaptive_limit_changes_total{dependency="recommendations",direction="down",service="product-page"} 1
adaptive_limit_changes_total{dependency="recommendations",direction="up",service="product-page"} 0
# HELP bulkhead_active_calls Calls currently holding a bulkhead slot.
# TYPE bulkhead_active_calls gauge
bulkhead_active_calls{dependency="inventory",service="product-page"} 3
# HELP bulkhead_max_concurrent Bulkhead capacity: the most calls allowed in flight.
# TYPE bulkhead_max_concurrent gauge
bulkhead_max_concurrent{dependency="inventory",service="product-page"} 10
# HELP bulkhead_rejections_total Calls rejected because the dependency's bulkhead was full.
# TYPE bulkhead_rejections_total counter
bulkhead_rejections_total{dependency="inventory",service="product-page"} 0
`)); err != nil {
		t.Error(err)
	}
	held.Success()

	// Fill the rest and overflow once: one rejection counted.
	for range 7 {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			_ = bh.Do(ctx, func(context.Context) error {
				started.Done()
				<-release
				return nil
			})
		}()
	}
	started.Wait()
	if err := bh.Do(ctx, succeed); !errors.Is(err, bulkhead.ErrFull) {
		t.Fatalf("call into a full bulkhead: %v, want ErrFull", err)
	}
	close(release)
	done.Wait()
	if got := sampleValue(t, reg, "bulkhead_rejections_total", map[string]string{"dependency": "inventory"}); got != 1 {
		t.Errorf("bulkhead_rejections_total = %v, want 1", got)
	}
	if got := gauge(t, reg, "bulkhead_active_calls", "inventory"); got != 0 {
		t.Errorf("bulkhead_active_calls after release = %v, want 0", got)
	}
}

func TestHedgeCounters(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := telemetry.New(reg, "product-page")
	won := m.OnHedgeWin("inventory")
	// Which call answers first is up to the scheduler (the original's
	// goroutine may start after the backup's), so record the winner too.
	var winner int
	opts := []hedge.Option{
		hedge.WithOnHedge(m.OnHedgeFired("inventory")),
		hedge.WithOnWin(func(i int) { winner = i; won(i) }),
	}
	hedgeOnce(t, opts)
	wantWon := 0
	if winner > 0 {
		wantWon = 1
	}
	// A call answered before the delay fires no backup.
	if _, err := hedge.Do(context.Background(), time.Hour, func(context.Context) (int, error) { return 1, nil }, m.Hedge("inventory")...); err != nil {
		t.Fatal(err)
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(fmt.Sprintf(`
# HELP hedge_requests_total Hedged requests: backups fired, and backups whose result won.
# TYPE hedge_requests_total counter
hedge_requests_total{dependency="inventory",event="fired",service="product-page"} 1
hedge_requests_total{dependency="inventory",event="won",service="product-page"} %d
`, wantWon)), "hedge_requests_total"); err != nil {
		t.Error(err)
	}

	// The win hook itself: only a backup's win counts.
	for _, i := range []int{0, 1, 2, 0} {
		won(i)
	}
	if got := sampleValue(t, reg, "hedge_requests_total", map[string]string{"event": "won"}); got != float64(wantWon+2) {
		t.Errorf("won = %v after backups 1 and 2 won, want %v", got, wantWon+2)
	}
}

func TestUnusedMetricsExportNothing(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	telemetry.New(reg, "idle")
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 0 {
		t.Errorf("a service with nothing wired exports %d series (err %v), want 0", n, err)
	}
}

func TestPlainBreakerHook(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := telemetry.New(reg, "checkout")
	b := breaker.New("payments", breaker.Config{FailureThreshold: 1, OnStateChange: m.OnBreakerStateChange})
	m.Breaker(b)
	_ = b.Do(context.Background(), fail)
	if got := sampleValue(t, reg, "circuit_breaker_state_changes_total", map[string]string{"dependency": "payments", "to_state": "open"}); got != 1 {
		t.Errorf("to_state=open = %v, want 1", got)
	}
	if got := gauge(t, reg, "circuit_breaker_state", "payments"); got != 1 {
		t.Errorf("circuit_breaker_state = %v, want 1", got)
	}
}

// TestExposition writes the text exposition of every metric, wired as in
// wireAll, to the file named by RESILVET_EXPOSITION, so that
// tools/promtool/promtool.sh can lint it with `promtool check metrics`.
func TestExposition(t *testing.T) {
	path := os.Getenv("RESILVET_EXPOSITION")
	if path == "" {
		t.Skip("set RESILVET_EXPOSITION to a file name to write the exposition")
	}
	reg := prometheus.NewPedanticRegistry()
	wireAll(t, reg)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := expfmt.NewEncoder(f, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
