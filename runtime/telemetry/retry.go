package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilvet/resilvet/runtime/retry"
)

// OnRetryAttempt returns a hook for retry.Policy.OnAttempt that counts every
// attempt against dependency in retry_attempts_total{outcome}.
func (m *Metrics) OnRetryAttempt(dependency string) func(retry.Attempt) {
	success := m.retryAttempts.WithLabelValues(dependency, string(retry.OutcomeSuccess))
	again := m.retryAttempts.WithLabelValues(dependency, string(retry.OutcomeRetry))
	failure := m.retryAttempts.WithLabelValues(dependency, string(retry.OutcomeFailure))
	return func(a retry.Attempt) {
		var c prometheus.Counter
		switch a.Outcome {
		case retry.OutcomeSuccess:
			c = success
		case retry.OutcomeRetry:
			c = again
		case retry.OutcomeFailure:
			c = failure
		default:
			c = m.retryAttempts.WithLabelValues(dependency, string(a.Outcome))
		}
		c.Inc()
	}
}

// Retry returns p with its attempts counted against dependency (after p's
// own OnAttempt, if any, runs).
func (m *Metrics) Retry(dependency string, p retry.Policy) retry.Policy {
	count := m.OnRetryAttempt(dependency)
	user := p.OnAttempt
	if user == nil {
		p.OnAttempt = count
		return p
	}
	p.OnAttempt = func(a retry.Attempt) {
		user(a)
		count(a)
	}
	return p
}
