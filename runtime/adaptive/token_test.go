package adaptive

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A second release of a token (or of a copy) must not free a slot that
// another call holds: in-flight never goes negative and the limit is kept.
func TestTokenReleaseIsIdempotent(t *testing.T) {
	l := New(NewAIMD(AIMDConfig{}), WithLimits(2, 1, 2))
	ctx := context.Background()
	a, ok := l.TryAcquire()
	require.True(t, ok)
	copyOfA := a
	a.Finish(ctx, nil)
	a.Finish(ctx, nil)
	copyOfA.Success()
	copyOfA.Dropped()
	copyOfA.Ignore()
	assert.Equal(t, 0, l.InFlight(), "in-flight drifted")

	// The slot is reused by the next tokens; the stale token still does nothing.
	b, ok := l.TryAcquire()
	require.True(t, ok)
	c, ok := l.TryAcquire()
	require.True(t, ok)
	a.Finish(ctx, nil)
	assert.Equal(t, 2, l.InFlight(), "a stale token freed a held slot")
	_, ok = l.TryAcquire()
	assert.False(t, ok, "admitted over the limit")
	b.Success()
	c.Success()
	assert.Equal(t, 0, l.InFlight())

	var zero Token // what a refused TryAcquire returns
	zero.Finish(ctx, nil)
	zero.Success()
	assert.Equal(t, 0, l.InFlight())
}

// Concurrent double releases of copies are still counted once.
func TestTokenConcurrentDoubleRelease(t *testing.T) {
	l := New(NewAIMD(AIMDConfig{}), WithLimits(50, 1, 100))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2000 {
				tok, ok := l.TryAcquire()
				if !ok {
					continue
				}
				dup := tok
				var inner sync.WaitGroup
				inner.Add(2)
				go func() { defer inner.Done(); tok.Ignore() }()
				go func() { defer inner.Done(); dup.Ignore() }()
				inner.Wait()
				require.GreaterOrEqual(t, l.InFlight(), 0)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 0, l.InFlight())
}

func TestOnReleaseListeners(t *testing.T) {
	l := New(NewAIMD(AIMDConfig{}))
	var n1, n2 int
	stop1 := l.OnRelease(func() { n1++ })
	l.OnRelease(func() { n2++ })
	_ = l.Do(context.Background(), func(context.Context) error { return nil })
	tok, _ := l.TryAcquire()
	tok.Ignore()
	tok.Ignore() // not a release
	assert.Equal(t, 2, n1)
	assert.Equal(t, 2, n2)
	stop1()
	_ = l.Do(context.Background(), func(context.Context) error { return nil })
	assert.Equal(t, 2, n1, "called after stop")
	assert.Equal(t, 3, n2)
}
