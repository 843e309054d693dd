package telemetry

import (
	"github.com/resilvet/resilvet/runtime/adaptive"
	"github.com/resilvet/resilvet/runtime/bulkhead"
	"github.com/resilvet/resilvet/runtime/hedge"
)

// BulkheadStats is what the gauges read from a bulkhead at scrape time;
// runtime/bulkhead's *Bulkhead satisfies it.
type BulkheadStats interface {
	Name() string
	InFlight() int
	Max() int
}

var (
	_ BulkheadStats = (*bulkhead.Bulkhead)(nil)
	_ LimiterStats  = (*adaptive.Limiter)(nil)
)

// Bulkhead exports b's in-flight calls and capacity as bulkhead_active_calls
// and bulkhead_max_concurrent (labelled with b.Name()), read at scrape time,
// and creates its rejection counter at zero. Count rejections by passing
// m.OnBulkheadReject to bulkhead.WithOnReject.
func (m *Metrics) Bulkhead(b BulkheadStats) {
	name := b.Name()
	m.bulkheadRejections.WithLabelValues(name)
	m.gauges.add(m.gauges.bulkheadActive, name, func() float64 { return float64(b.InFlight()) })
	m.gauges.add(m.gauges.bulkheadMax, name, func() float64 { return float64(b.Max()) })
}

// OnBulkheadReject counts one rejection by the bulkhead named dependency.
// Pass it to bulkhead.WithOnReject.
func (m *Metrics) OnBulkheadReject(dependency string) {
	m.bulkheadRejections.WithLabelValues(dependency).Inc()
}

// LimiterStats is what the gauges read from an adaptive limiter at scrape
// time; runtime/adaptive's *Limiter satisfies it.
type LimiterStats interface {
	Limit() int
	InFlight() int
}

// Limiter exports l's current limit and in-flight calls as
// adaptive_concurrency_limit and adaptive_inflight_calls for dependency.
func (m *Metrics) Limiter(dependency string, l LimiterStats) {
	m.limitChanges.WithLabelValues(dependency, "up")
	m.limitChanges.WithLabelValues(dependency, "down")
	m.gauges.add(m.gauges.adaptiveLimit, dependency, func() float64 { return float64(l.Limit()) })
	m.gauges.add(m.gauges.adaptiveInflight, dependency, func() float64 { return float64(l.InFlight()) })
}

// OnLimitChange returns a hook for the adaptive limiter's limit-change
// listener that counts rises and cuts of dependency's limit.
func (m *Metrics) OnLimitChange(dependency string) func(old, new int) {
	up := m.limitChanges.WithLabelValues(dependency, "up")
	down := m.limitChanges.WithLabelValues(dependency, "down")
	return func(old, new int) {
		switch {
		case new > old:
			up.Inc()
		case new < old:
			down.Inc()
		}
	}
}

// Hedge returns the options that count dependency's hedged requests in
// hedge_requests_total: event="fired" per backup sent, event="won" per call
// a backup won. Pass them to hedge.Do or hedge.NewTransport. To add hooks of
// your own, compose OnHedgeFired and OnHedgeWin instead.
func (m *Metrics) Hedge(dependency string) []hedge.Option {
	return []hedge.Option{
		hedge.WithOnHedge(m.OnHedgeFired(dependency)),
		hedge.WithOnWin(m.OnHedgeWin(dependency)),
	}
}

// OnHedgeFired returns a hook for hedge.WithOnHedge counting backups fired.
func (m *Metrics) OnHedgeFired(dependency string) func() {
	return m.hedgeRequests.WithLabelValues(dependency, "fired").Inc
}

// OnHedgeWin returns a hook for hedge.WithOnWin counting the calls a backup
// (index > 0) won; the original winning is not a hedge win.
func (m *Metrics) OnHedgeWin(dependency string) func(index int) {
	won := m.hedgeRequests.WithLabelValues(dependency, "won")
	return func(index int) {
		if index > 0 {
			won.Inc()
		}
	}
}

// NewBulkhead is bulkhead.New with the bulkhead wired to m: rejections
// counted and its gauges exported. An opts WithOnReject replaces the count.
func (m *Metrics) NewBulkhead(name string, max int, opts ...bulkhead.Option) *bulkhead.Bulkhead {
	opts = append([]bulkhead.Option{bulkhead.WithOnReject(m.OnBulkheadReject)}, opts...)
	b := bulkhead.New(name, max, opts...)
	m.Bulkhead(b)
	return b
}
