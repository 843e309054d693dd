package idempotency_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/idempotency/internal/storetest"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Conformance(t, idempotency.NewMemoryStore())
}

func TestMemoryStoreOwnership(t *testing.T) {
	var now atomic.Int64
	s := idempotency.NewMemoryStoreClock(func() time.Time { return time.Unix(0, now.Load()) })
	storetest.Ownership(t, s, func(string) { now.Add(int64(2 * time.Minute)) })
}

func TestConcurrentDuplicatesRunOnceMemory(t *testing.T) {
	leakcheck.Check(t)
	storetest.ConcurrentDuplicates(t, idempotency.NewMemoryStore(), 300)
}
