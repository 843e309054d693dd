package idempotency

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The one test that needs the memory store's insides; every other test of
// the package is in package idempotency_test and shares storetest.
func TestMemoryStoreSweepsExpired(t *testing.T) {
	var now atomic.Int64
	s := NewMemoryStoreClock(func() time.Time { return time.Unix(0, now.Load()) }).(*memoryStore)
	for i := range sweepEvery {
		_, _, err := s.Reserve(context.Background(), fmt.Sprint(i), "fp", "t", time.Second)
		require.NoError(t, err)
	}
	now.Add(int64(2 * time.Second))
	for i := range sweepEvery {
		_, _, err := s.Reserve(context.Background(), fmt.Sprint("new", i), "fp", "t", time.Hour)
		require.NoError(t, err)
	}
	assert.Len(t, s.m, sweepEvery, "expired entries are swept")
}
