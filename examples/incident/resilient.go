package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilvet/resilvet/runtime/adaptive"
	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/bulkhead"
	"github.com/resilvet/resilvet/runtime/deadline"
	"github.com/resilvet/resilvet/runtime/health"
	"github.com/resilvet/resilvet/runtime/hedge"
	"github.com/resilvet/resilvet/runtime/retry"
	"github.com/resilvet/resilvet/runtime/telemetry"
)

// The runtime page's budgets: the article's 500 ms for the whole page, and
// per-call caps so the first call cannot eat the others' time.
const (
	pageBudget      = 500 * time.Millisecond
	inventoryBudget = 150 * time.Millisecond
	pricingBudget   = 150 * time.Millisecond
	recsBudget      = 200 * time.Millisecond
	callMargin      = 20 * time.Millisecond // kept back to render the page
	minCall         = 5 * time.Millisecond  // below this a call is not worth starting
	pricingAttempt  = 60 * time.Millisecond // a quote normally takes 3 ms: retry one this late
)

// dependency is one backend behind its own policies.
type dependency struct {
	name    string
	breaker *breaker.Breaker
	bh      *bulkhead.Bulkhead
	client  *http.Client
}

// runtimePage is the product page built with the runtime: a deadline budget
// from the request's context, a breaker and a bulkhead per dependency, an
// adaptive limit on recommendations, hedged inventory reads across two
// replicas, retries (under a budget) for transient errors, and a fallback
// for the one dependency the page can live without.
type runtimePage struct {
	be   *backends
	clk  *clock
	rec  *recorder
	reg  *prometheus.Registry
	base *http.Transport

	inventory, pricing, recs dependency
	invEstimate              *hedge.Estimator
	hedgeOpts                []hedge.Option
	health                   *health.Checker
}

func newRuntimePage(cfg Config) func(*backends, *clock, *recorder) page {
	return func(be *backends, clk *clock, rec *recorder) page {
		p := &runtimePage{
			be: be, clk: clk, rec: rec,
			reg:         prometheus.NewRegistry(),
			base:        &http.Transport{MaxIdleConnsPerHost: 64},
			invEstimate: hedge.NewEstimator(0.95),
		}
		m := telemetry.New(p.reg, "product-page")
		onReject := func(name string) {
			m.OnBulkheadReject(name)
			rec.poolFull(clk.since())
		}
		// Recommendations gets the article's breaker: open after 5
		// consecutive failures, probe once after the open timeout (30 s in
		// the article, scaled to this minute-long replay). The page cannot
		// render without inventory and pricing, so their breakers trip on
		// a failure rate instead: a few timeouts on a busy machine must not
		// turn into seconds of 503s.
		newBreaker := func(name string, critical bool) *breaker.Breaker {
			cfg := breaker.Config{FailureThreshold: 5, OpenTimeout: 2 * time.Second, HalfOpenProbes: 1}
			if critical {
				cfg.FailureThreshold = -1
				cfg.FailureRate, cfg.MinCalls, cfg.Window = 0.5, 20, 5*time.Second
				cfg.OpenTimeout = time.Second
			}
			return m.NewBreaker(name, cfg)
		}
		newClient := func(name string, attempts int, attemptTimeout time.Duration) *http.Client {
			pol := m.Retry(name, retry.Policy{
				MaxAttempts:    attempts,
				BaseDelay:      5 * time.Millisecond,
				MaxDelay:       50 * time.Millisecond,
				Budget:         retry.NewBudget(10, 0.1),
				AttemptTimeout: attemptTimeout,
			})
			// Each call's deadline is cut from the page's budget; the client
			// timeout is only a backstop at the whole budget.
			return &http.Client{Timeout: pageBudget, Transport: retry.NewTransport(p.base, pol)}
		}
		newBulkhead := func(name string, max int, opts ...bulkhead.Option) *bulkhead.Bulkhead {
			b := bulkhead.New(name, max, append([]bulkhead.Option{bulkhead.WithOnReject(onReject)}, opts...)...)
			m.Bulkhead(b)
			return b
		}

		p.inventory = dependency{"inventory", newBreaker("inventory", true), newBulkhead("inventory", 20), newClient("inventory", 3, 0)}
		p.pricing = dependency{"pricing", newBreaker("pricing", true), newBulkhead("pricing", 20), newClient("pricing", 3, pricingAttempt)}

		// Recommendations' concurrency follows its latency: AIMD halves the
		// limit when a call times out or its RTT passes 4x the baseline
		// (the article's 2x trips on scheduling noise alone when loopback
		// calls share two busy cores). The floor of 10 is the postmortem's
		// "tighten the bulkhead floor".
		lim := adaptive.New(adaptive.NewAIMD(adaptive.AIMDConfig{Tolerance: 4}),
			adaptive.WithLimits(20, 10, 50),
			adaptive.WithOnLimitChange(m.OnLimitChange("recommendations")),
			adaptive.WithClassifier(func(ctx context.Context, err error) adaptive.Outcome {
				if errors.Is(err, breaker.ErrOpen) { // never reached the dependency
					return adaptive.Ignore
				}
				return adaptive.DefaultClassifier(ctx, err)
			}))
		m.Limiter("recommendations", lim)
		p.recs = dependency{"recommendations", newBreaker("recommendations", false),
			newBulkhead("recommendations", 0, bulkhead.WithLimiter(lim)), newClient("recommendations", 2, 0)}

		// Readiness: the page cannot serve without inventory and pricing, so
		// their open breakers take it out of rotation; recommendations'
		// only marks it degraded.
		p.health = health.New()
		p.health.Add(health.BreakerCheck("inventory", true, health.BreakerOpen(p.inventory.breaker)))
		p.health.Add(health.BreakerCheck("pricing", true, health.BreakerOpen(p.pricing.breaker)))
		p.health.Add(health.BreakerCheck("recommendations", false, health.BreakerOpen(p.recs.breaker)))

		inv := p.inventory.breaker
		p.hedgeOpts = append(m.Hedge("inventory"),
			hedge.WithEstimator(p.invEstimate),
			hedge.WithBreaker(func() bool { return inv.State() != breaker.Open }))
		return p
	}
}

func (p *runtimePage) Close() { p.base.CloseIdleConnections() }

// call runs one dependency call inside its budget, bulkhead and breaker.
// The bulkhead is outermost so that its own shedding (ErrFull) is never
// mistaken by the breaker for the dependency failing.
func (p *runtimePage) call(ctx context.Context, d dependency, budget time.Duration, fn func(context.Context) error) error {
	cctx, cancel, err := deadline.WithTimeout(ctx, budget, deadline.WithMargin(callMargin), deadline.WithMinimum(minCall))
	defer cancel()
	if err != nil {
		return err
	}
	return d.bh.Do(cctx, func(ctx context.Context) error {
		return d.breaker.Do(ctx, fn)
	})
}

// Readiness serves /readyz.
func (p *runtimePage) Readiness() http.Handler { return p.health.Readiness() }

func (p *runtimePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/readyz":
		p.health.Readiness().ServeHTTP(w, r)
		return
	case "/healthz":
		p.health.Liveness().ServeHTTP(w, r)
		return
	}
	ctx, cancel := deadline.Start(r.Context(), pageBudget)
	defer cancel()

	// Inventory: hedged across the two replicas once the first is slower
	// than its observed p95 (10 ms until the estimate warms up).
	err := p.call(ctx, p.inventory, inventoryBudget, func(ctx context.Context) error {
		var n atomic.Int32
		_, err := hedge.Do(ctx, 10*time.Millisecond, func(ctx context.Context) (struct{}, error) {
			replica := p.be.inventory[(n.Add(1)-1)%2]
			return struct{}{}, fetch(ctx, p.inventory.client, replica+"/stock/42")
		}, p.hedgeOpts...)
		return err
	})
	if err != nil {
		http.Error(w, "inventory: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	err = p.call(ctx, p.pricing, pricingBudget, func(ctx context.Context) error {
		// A POST: the retry transport mints one Idempotency-Key and sends
		// it on every attempt, so a retry after a lost answer is replayed.
		return send(ctx, p.pricing.client, http.MethodPost, p.be.pricing+"/quote", quoteBody)
	})
	if err != nil {
		http.Error(w, "pricing: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	err = p.call(ctx, p.recs, recsBudget, func(ctx context.Context) error {
		return fetch(ctx, p.recs.client, p.be.recommendations+"/for/42")
	})
	if err != nil {
		// The page is useful without recommendations: degrade, don't fail.
		w.Header().Set("X-Degraded", "recommendations")
	}
	w.Write([]byte("<html>product 42</html>\n"))
}

// metricsLine summarises the run from the page's own Prometheus registry.
func (p *runtimePage) metricsLine() string {
	sum := func(name string, match map[string]string) float64 {
		mfs, err := p.reg.Gather()
		if err != nil {
			return 0
		}
		var total float64
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
		next:
			for _, m := range mf.GetMetric() {
				for _, lp := range m.GetLabel() {
					if v, ok := match[lp.GetName()]; ok && v != lp.GetValue() {
						continue next
					}
				}
				total += m.GetCounter().GetValue()
			}
		}
		return total
	}
	return fmt.Sprintf("breaker openings %.0f (recommendations %.0f), bulkhead rejections %.0f, retries %.0f, hedges fired %.0f won %.0f, adaptive limit cuts %.0f",
		sum("circuit_breaker_state_changes_total", map[string]string{"to_state": "open"}),
		sum("circuit_breaker_state_changes_total", map[string]string{"to_state": "open", "dependency": "recommendations"}),
		sum("bulkhead_rejections_total", nil),
		sum("retry_attempts_total", map[string]string{"outcome": "retry"}),
		sum("hedge_requests_total", map[string]string{"event": "fired"}),
		sum("hedge_requests_total", map[string]string{"event": "won"}),
		sum("adaptive_limit_changes_total", map[string]string{"direction": "down"}))
}
