package breaker

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/internal/fakeclock"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

// An open breaker must report HalfOpen once OpenTimeout has passed, even
// if no call arrives: a readiness check built on State removes the traffic
// that would otherwise move it on, and the instance stays unready forever.
func TestStateReportsHalfOpenAfterOpenTimeoutWithoutCalls(t *testing.T) {
	var seen []State
	b, clk := tripped(t, Config{OpenTimeout: 10 * time.Second,
		OnStateChange: func(_ string, _, to State) { seen = append(seen, to) }})
	clk.Advance(9 * time.Second)
	assert.Equal(t, Open, b.State())
	clk.Advance(time.Second)
	require.Equal(t, HalfOpen, b.State(), "OpenTimeout passed without a call")
	assert.Equal(t, []State{Open, HalfOpen}, seen, "the hook hears of the move too")

	require.NoError(t, b.Do(context.Background(), ok))
	assert.Equal(t, Closed, b.State())
	assert.Zero(t, clk.Pending(), "no timer left behind")
}

// Hooks are delivered in order and never concurrently, whatever goroutines
// drive the transitions. Run under -race: the flag that makes one goroutine
// the deliverer was once read without the lock. Every goroutine also moves
// the manual clock, so open periods end (and hooks run) on all of them.
func TestHookDeliveryStress(t *testing.T) {
	leakcheck.Check(t)
	var running, overlaps, changes atomic.Int32
	var mu sync.Mutex // guards last and order; overlaps are what the test looks for
	last := Closed
	var order []string
	clk := fakeclock.New()
	b := New("dep", Config{
		FailureThreshold: 1,
		OpenTimeout:      time.Second,
		Clock:            clk,
		OnStateChange: func(_ string, from, to State) {
			if running.Add(1) > 1 {
				overlaps.Add(1)
			}
			mu.Lock()
			if from != last {
				order = append(order, from.String()+">"+to.String()+" after "+last.String())
			}
			last = to
			mu.Unlock()
			changes.Add(1)
			running.Add(-1)
		},
	})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				switch (g + i) % 4 {
				case 0:
					clk.Advance(time.Second)
				case 1:
					_ = b.Do(ctx, ok)
				default:
					_ = b.Do(ctx, fail)
				}
			}
		}()
	}
	wg.Wait()
	require.GreaterOrEqual(t, changes.Load(), int32(1000), "the stress produced too few transitions to mean anything")
	assert.Zero(t, overlaps.Load(), "hooks ran concurrently")
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, order, "hooks saw changes out of order")
}

// IsFailure sees only errors: a predicate written as "not one of these"
// would otherwise count every success as a failure.
func TestIsFailureNotCalledWithNil(t *testing.T) {
	errNotFound := errors.New("not found")
	var calls []error
	b := New("dep", Config{FailureThreshold: 1, IsFailure: func(err error) bool {
		calls = append(calls, err)
		return !errors.Is(err, errNotFound)
	}})
	ctx := context.Background()
	for range 3 {
		require.NoError(t, b.Do(ctx, ok))
	}
	assert.Equal(t, Closed, b.State(), "successes counted as failures")
	assert.Empty(t, calls, "IsFailure called with nil")

	_ = b.Do(ctx, func(context.Context) error { return errNotFound })
	assert.Equal(t, Closed, b.State())
	_ = b.Do(ctx, fail)
	assert.Equal(t, Open, b.State())
	assert.Equal(t, []error{errNotFound, errBoom}, calls)
}

// With the default ProbeTimeout (OpenTimeout), a dependency whose normal
// latency exceeds OpenTimeout must still be able to close the breaker: an
// expired probe frees its slot for another caller, is not cancelled, and
// its late success counts.
func TestSlowProbeSuccessCloses(t *testing.T) {
	leakcheck.Check(t)
	var outcomes []Outcome
	var omu sync.Mutex
	b, clk := tripped(t, Config{OpenTimeout: time.Second, OnCall: func(_ string, o Outcome) {
		omu.Lock()
		outcomes = append(outcomes, o)
		omu.Unlock()
	}})
	clk.Advance(time.Second)
	require.Equal(t, HalfOpen, b.State())

	release := make(chan struct{})
	entered := make(chan struct{})
	done := make(chan error)
	var probeCtxErr error
	go func() {
		done <- b.Do(context.Background(), func(ctx context.Context) error {
			close(entered)
			<-release // takes 2s, twice OpenTimeout
			probeCtxErr = ctx.Err()
			return nil
		})
	}()
	<-entered
	require.ErrorIs(t, b.Do(context.Background(), ok), ErrOpen, "the one slot is taken")
	clk.Advance(2 * time.Second) // past ProbeTimeout (= OpenTimeout)
	require.Equal(t, HalfOpen, b.State(), "an expired probe is not a failure")

	// The slot is free again: a second probe is admitted (and hangs).
	secondIn := make(chan struct{})
	secondOut := make(chan struct{})
	secondDone := make(chan error)
	go func() {
		secondDone <- b.Do(context.Background(), func(context.Context) error {
			close(secondIn)
			<-secondOut
			return errBoom
		})
	}()
	<-secondIn

	close(release)
	require.NoError(t, <-done)
	assert.NoError(t, probeCtxErr, "the slow probe's context was cancelled")
	assert.Equal(t, Closed, b.State(), "the slow probe's success did not count")

	close(secondOut) // a result from the finished half-open period changes nothing
	require.ErrorIs(t, <-secondDone, errBoom)
	assert.Equal(t, Closed, b.State())
	omu.Lock()
	defer omu.Unlock()
	assert.Equal(t, []Outcome{Failure, Rejected, Success, Failure}, outcomes)
}
