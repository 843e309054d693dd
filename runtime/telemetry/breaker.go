package telemetry

import (
	"github.com/resilvet/resilvet/runtime/breaker"
)

var allStates = [...]breaker.State{breaker.Closed, breaker.Open, breaker.HalfOpen}

// OnBreakerStateChange counts a transition of the breaker named dependency.
// Assign it to breaker.Config.OnStateChange, or use NewBreaker.
func (m *Metrics) OnBreakerStateChange(dependency string, _, to breaker.State) {
	m.breakerChanges.WithLabelValues(dependency, to.String()).Inc()
}

// Breaker exports b's current state as circuit_breaker_state (read at scrape
// time, labelled with b.Name()) and creates its transition counters at zero,
// so that rate() sees the first opening.
func (m *Metrics) Breaker(b *breaker.Breaker) {
	for _, s := range allStates {
		m.breakerChanges.WithLabelValues(b.Name(), s.String())
	}
	m.gauges.add(m.gauges.breakerState, b.Name(), func() float64 { return float64(b.State()) })
}

// NewBreaker is breaker.New with the breaker wired to m: its transitions are
// counted (after cfg's own OnStateChange, if any, runs) and its state exported.
func (m *Metrics) NewBreaker(name string, cfg breaker.Config) *breaker.Breaker {
	counters := make(map[breaker.State]func(), len(allStates))
	for _, s := range allStates {
		counters[s] = m.breakerChanges.WithLabelValues(name, s.String()).Inc
	}
	user := cfg.OnStateChange
	cfg.OnStateChange = func(n string, from, to breaker.State) {
		if user != nil {
			user(n, from, to)
		}
		if inc := counters[to]; inc != nil {
			inc()
		}
	}
	b := breaker.New(name, cfg)
	m.Breaker(b)
	return b
}
