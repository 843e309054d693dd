package health_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/health"
	"github.com/resilvet/resilvet/runtime/internal/fakeclock"
)

// A critical BreakerCheck on a real breaker: once the breaker opens,
// readiness takes the instance out of rotation, so no call arrives to move
// the breaker on. It must become ready again when OpenTimeout has passed,
// or the instance stays unready forever.
func TestCriticalBreakerCheckRecoversWithoutCalls(t *testing.T) {
	clk := fakeclock.New()
	b := breaker.New("inventory", breaker.Config{FailureThreshold: 1, OpenTimeout: 10 * time.Second, Clock: clk})
	h := health.New()
	h.Add(health.BreakerCheck("inventory", true, health.BreakerOpen(b)))
	ctx := context.Background()

	require.True(t, h.Run(ctx).Ready())
	_ = b.Do(ctx, func(context.Context) error { return errors.New("down") })
	rep := h.Run(ctx)
	require.False(t, rep.Ready())
	assert.Equal(t, []string{"inventory"}, rep.Failed)

	clk.Advance(10 * time.Second)
	rep = h.Run(ctx)
	assert.True(t, rep.Ready(), "still unready after OpenTimeout with no call: %+v", rep)
	assert.Equal(t, breaker.HalfOpen, b.State())
}
