package telemetry_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/telemetry"
)

// The state gauge reports half-open once OpenTimeout has passed, with no
// call needed to move the breaker on: a dashboard (or an alert on
// circuit_breaker_state == 1) must not show a breaker open forever because
// nothing calls the dependency any more.
func TestBreakerGaugeHalfOpenWithoutCalls(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := telemetry.New(reg, "product-page")
	clk := &fakeClock{now: time.Unix(0, 0)}
	b := m.NewBreaker("recommendations", breaker.Config{FailureThreshold: 1, OpenTimeout: time.Second, Clock: clk})
	_ = b.Do(context.Background(), fail)
	require.Equal(t, 1.0, gauge(t, reg, "circuit_breaker_state", "recommendations"))
	clk.elapse(time.Second)
	assert.Equal(t, 2.0, gauge(t, reg, "circuit_breaker_state", "recommendations"), "gauge still open after OpenTimeout")
	assert.Equal(t, 1.0, changes(t, reg, "recommendations", "half-open"))
}
