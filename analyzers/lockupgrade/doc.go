// Package lockupgrade defines an Analyzer that reports sync.RWMutex
// read-to-write upgrades that act on state read under the read lock.
//
// # Analyzer lockupgrade
//
// lockupgrade: report RWMutex read-to-write upgrades that act on stale state
//
// # What it flags
//
// Code that reads state under a sync.RWMutex's RLock, releases the read lock,
// takes the write lock and then writes that state based on what it read,
// without reading it again after Lock. The state is anything the mutex sits
// next to: a sibling field of the same struct (and map or slice elements
// reached through it), or, for a package-level mutex, a package variable. The
// read value may reach the write through locals, v, ok := m[k], a switch, an
// early return, a lost update (c.n = n + 1), or a helper of the same package:
// get() reading under RLock, the caller deciding, create() writing under Lock
// (reported at the call of create). It also flags Lock while the same mutex's
// RLock is still held on some path (often defer mu.RUnlock() followed by
// mu.Lock(), or a helper that locks called under the read lock), which
// deadlocks.
//
// Messages:
//
//	c.items was read under RLock at line 28 and written after Lock without re-checking; re-check it after Lock or use one Lock for check and update
//	Lock of s.mu while its RLock from line 14 is still held deadlocks; RUnlock first and re-check the state after Lock
//	Lock of s.mu (in add at line 78) while its RLock from line 69 is still held deadlocks; ...
//
// # Why
//
// The article's section "The Race Condition Most Implementations Get Wrong":
// between RUnlock and Lock other goroutines slip through. Each saw the breaker
// Open, so each moves it to HalfOpen and sends a probe, and the herd of probes
// knocks the recovering dependency over again. The same gap makes caches load
// twice, pools dial the same address twice and leak a connection, and counters
// lose increments.
//
// # Bad
//
//	// every goroutine that saw Open transitions and probes
//	cb.mu.RLock()
//	if cb.state == StateOpen {
//		cb.mu.RUnlock()
//		cb.mu.Lock()
//		cb.state = StateHalfOpen
//		cb.mu.Unlock()
//	} else {
//		cb.mu.RUnlock()
//	}
//
// # Good
//
//	// one Lock for check and transition
//	cb.mu.Lock()
//	if cb.state == StateOpen && time.Since(cb.openedAt) > cb.timeout {
//		cb.state = StateHalfOpen
//	}
//	cb.mu.Unlock()
//
//	// or double-checked locking: the decision is taken again after Lock
//	c.mu.RLock()
//	v, ok := c.m[k]
//	c.mu.RUnlock()
//	if ok {
//		return v, nil
//	}
//	c.mu.Lock()
//	defer c.mu.Unlock()
//	if v, ok := c.m[k]; ok {
//		return v, nil
//	}
//	c.m[k] = build(k)
//
// # What stays quiet
//
// Reading the state again after Lock silences the check when that read decides
// something (a branch or a returned value), including through a helper called
// under the lock (if v, ok := c.lookupLocked(k); ok). It also stays quiet when
// the write is guarded by a branch on other state of the same mutex read after
// Lock (the author re-validated), when another mutex's write lock is held
// across both the read and the write (callers are serialised), when the only
// write is a delete of a key that was seen present (deleting twice is
// harmless), and when the stale value only reaches the write through a call
// that takes it as an argument (dial(ctx)'s error is not a decision about ctx)
// or through fields of an object read from the state (that object has its own
// synchronisation). When the state is a hand-rolled circuit breaker's (a state
// field in a package with a half-open constant), the message points at
// github.com/resilvet/resilvet/runtime/breaker, which does its transitions
// under one lock.
//
// # The fix
//
// For the canonical map "lookup miss, then insert" (v, ok := m[k] under RLock,
// then if ok { return ... }, then Lock), the suggested fix inserts the
// re-check right after Lock (or after its defer mu.Unlock()): if v, ok :=
// m[k]; ok { mu.Unlock(); return v, ... }. Other shapes need a decision only
// the author can make, so they get no fix.
package lockupgrade
