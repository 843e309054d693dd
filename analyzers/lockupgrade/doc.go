// Package lockupgrade defines an Analyzer that reports sync.RWMutex
// read-to-write upgrades that act on state read under the read lock.
//
// # Analyzer lockupgrade
//
// lockupgrade: report RWMutex read-to-write upgrades that act on stale state
//
// State read under RLock may change between RUnlock and Lock: other goroutines
// slip through the gap. Code that then writes the state based on what it read,
// without reading it again after Lock, transitions a circuit breaker twice,
// inserts the same cache entry twice or dials the same connection twice:
//
//	cb.mu.RLock()
//	if cb.state == StateOpen {
//		cb.mu.RUnlock()
//		cb.mu.Lock()
//		cb.state = StateHalfOpen // several goroutines get here
//		cb.mu.Unlock()
//	}
//
// Re-check the state after Lock (double-checked locking) or take one Lock for
// both the check and the update:
//
//	cb.mu.Lock()
//	if cb.state == StateOpen {
//		cb.state = StateHalfOpen
//	}
//	cb.mu.Unlock()
//
// The check also follows values through helpers of the same package (get under
// RLock in one method, insert under Lock in another) and reports Lock called
// while the same mutex's RLock is still held, which deadlocks.
package lockupgrade
