// Package telemetry exports the resilience runtime's state as Prometheus
// metrics, under the names the alert rules in alerts/resilience.yml use:
//
//	circuit_breaker_state_changes_total{service,dependency,to_state}  counter
//	circuit_breaker_state{service,dependency}                          gauge: 0 closed, 1 open, 2 half-open
//	bulkhead_active_calls{service,dependency}                          gauge
//	bulkhead_max_concurrent{service,dependency}                        gauge
//	bulkhead_rejections_total{service,dependency}                      counter
//	retry_attempts_total{service,dependency,outcome}                   counter: success, retry, failure
//	hedge_requests_total{service,dependency,event}                     counter: fired, won
//	adaptive_concurrency_limit{service,dependency}                     gauge
//	adaptive_inflight_calls{service,dependency}                        gauge
//	adaptive_limit_changes_total{service,dependency,direction}         counter: up, down
//
// It is the only runtime package that depends on client_golang; the policies
// themselves know nothing of it. Wiring goes through the policies' hooks
// (breaker.Config.OnStateChange, bulkhead.WithOnReject,
// retry.Policy.OnAttempt, ...), which cost nothing when left nil, and
// through gauges read at scrape time (in-flight calls, limits, breaker
// state), so the call path never touches a metric for them.
//
// Counter children are resolved once when a dependency is wired, so a hook
// firing is a single atomic add.
package telemetry

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics is the set of resilience collectors for one service. Create one
// per process with New and wire each policy to it.
type Metrics struct {
	service string

	breakerChanges     *prometheus.CounterVec
	bulkheadRejections *prometheus.CounterVec
	retryAttempts      *prometheus.CounterVec
	hedgeRequests      *prometheus.CounterVec
	limitChanges       *prometheus.CounterVec

	gauges *gauges
}

// New registers the collectors on reg and labels every series with
// service="<service>". It panics if reg already holds metrics of the same
// names, as prometheus.MustRegister does.
func New(reg prometheus.Registerer, service string) *Metrics {
	constLabels := prometheus.Labels{"service": service}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: constLabels}, labels)
	}
	m := &Metrics{
		service: service,
		breakerChanges: counter("circuit_breaker_state_changes_total",
			"Circuit breaker state transitions, by the state entered.", "dependency", "to_state"),
		bulkheadRejections: counter("bulkhead_rejections_total",
			"Calls rejected because the dependency's bulkhead was full.", "dependency"),
		retryAttempts: counter("retry_attempts_total",
			"Attempts made by retry policies, by outcome: success, retry (another attempt follows) or failure (the call gives up).",
			"dependency", "outcome"),
		hedgeRequests: counter("hedge_requests_total",
			"Hedged requests: backups fired, and backups whose result won.", "dependency", "event"),
		limitChanges: counter("adaptive_limit_changes_total",
			"Changes of an adaptive concurrency limit, by direction (up or down).", "dependency", "direction"),
		gauges: newGauges(constLabels),
	}
	reg.MustRegister(m.breakerChanges, m.bulkheadRejections, m.retryAttempts, m.hedgeRequests, m.limitChanges, m.gauges)
	return m
}

// Service returns the service label given to New.
func (m *Metrics) Service() string { return m.service }

// gauges is a collector whose values are read from the policies at scrape
// time, like a set of GaugeFuncs that can grow as dependencies are wired.
type gauges struct {
	breakerState, bulkheadActive, bulkheadMax, adaptiveLimit, adaptiveInflight *prometheus.Desc

	mu      sync.Mutex
	sources []gaugeSource
}

type gaugeSource struct {
	desc       *prometheus.Desc
	dependency string
	read       func() float64
}

func newGauges(constLabels prometheus.Labels) *gauges {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"dependency"}, constLabels)
	}
	return &gauges{
		breakerState:     desc("circuit_breaker_state", "Current circuit breaker state: 0 closed, 1 open, 2 half-open."),
		bulkheadActive:   desc("bulkhead_active_calls", "Calls currently holding a bulkhead slot."),
		bulkheadMax:      desc("bulkhead_max_concurrent", "Bulkhead capacity: the most calls allowed in flight."),
		adaptiveLimit:    desc("adaptive_concurrency_limit", "Current limit of an adaptive concurrency limiter."),
		adaptiveInflight: desc("adaptive_inflight_calls", "Calls currently holding an adaptive limiter token."),
	}
}

func (g *gauges) add(desc *prometheus.Desc, dependency string, read func() float64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, s := range g.sources {
		if s.desc == desc && s.dependency == dependency {
			g.sources[i].read = read // re-wiring a dependency replaces it
			return
		}
	}
	g.sources = append(g.sources, gaugeSource{desc, dependency, read})
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.breakerState
	ch <- g.bulkheadActive
	ch <- g.bulkheadMax
	ch <- g.adaptiveLimit
	ch <- g.adaptiveInflight
}

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	sources := append([]gaugeSource(nil), g.sources...)
	g.mu.Unlock()
	for _, s := range sources { // read outside the lock: a source may be slow
		ch <- prometheus.MustNewConstMetric(s.desc, prometheus.GaugeValue, s.read(), s.dependency)
	}
}
