// Package breaker holds hand-rolled circuit breakers: the read-to-write upgrade that
// "Building Resilient Distributed Systems with Go" calls WRONG, and the shapes that get it right.
package breaker

import (
	"errors"
	"sync"
	"time"
)

type State int

const (
	StateClosed State = iota
	StateOpen
	StateHalfOpen
)

var ErrOpen = errors.New("circuit breaker open")

type CircuitBreaker struct {
	mu        sync.RWMutex
	state     State
	failCount int
	timeout   time.Duration
	openedAt  time.Time
}

// Execute is the article's WRONG version: every goroutine that saw Open
// under the read lock transitions to HalfOpen.
func (cb *CircuitBreaker) Execute(fn func() error) error {
	cb.mu.RLock()
	if cb.state == StateOpen {
		cb.mu.RUnlock()
		cb.mu.Lock() // want `cb.state was read under RLock at line 33 and written after Lock without re-checking, so concurrent callers may each make this change, undoing one made in between; re-check it after Lock or use one Lock for check and update, or use the breaker in github.com/resilvet/resilvet/runtime/breaker`
		cb.state = StateHalfOpen
		cb.mu.Unlock()
	} else {
		cb.mu.RUnlock()
	}
	err := fn()
	cb.record(err)
	return err
}

// record takes the write lock for its whole read-modify-write: fine.
func (cb *CircuitBreaker) record(err error) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if err != nil {
		cb.failCount++
		if cb.failCount >= 5 {
			cb.state = StateOpen
			cb.openedAt = time.Now()
		}
		return
	}
	cb.failCount = 0
	cb.state = StateClosed
}

// Allow reads the state into a local and decides through a switch after
// the read lock is gone.
func (cb *CircuitBreaker) Allow() error {
	cb.mu.RLock()
	st := cb.state
	opened := cb.openedAt
	cb.mu.RUnlock()

	switch st {
	case StateOpen:
		if time.Since(opened) < cb.timeout {
			return ErrOpen
		}
		cb.mu.Lock() // want `cb.state was read under RLock at line 66 and written after Lock without re-checking`
		cb.state = StateHalfOpen
		cb.mu.Unlock()
	case StateHalfOpen:
		return ErrOpen
	}
	return nil
}

// AllowChecked upgrades too, but re-reads the state after Lock: the
// double-checked form is correct.
func (cb *CircuitBreaker) AllowChecked() error {
	cb.mu.RLock()
	st := cb.state
	cb.mu.RUnlock()
	if st != StateOpen {
		return nil
	}
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if cb.state == StateOpen && time.Since(cb.openedAt) >= cb.timeout {
		cb.state = StateHalfOpen
		return nil
	}
	return ErrOpen
}

// State is a plain read accessor.
func (cb *CircuitBreaker) State() State {
	cb.mu.RLock()
	defer cb.mu.RUnlock()
	return cb.state
}

// Reset writes without looking at anything read before: fine.
func (cb *CircuitBreaker) Reset() {
	cb.mu.RLock()
	failures := cb.failCount
	cb.mu.RUnlock()
	logf("resetting after %d failures", failures)

	cb.mu.Lock()
	cb.state = StateClosed
	cb.failCount = 0
	cb.mu.Unlock()
}

// Single is the article's fix: one mutex for check and transition.
type Single struct {
	mu       sync.Mutex
	state    State
	openedAt time.Time
	timeout  time.Duration
}

func (s *Single) Allow() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == StateOpen && time.Since(s.openedAt) <= s.timeout {
		return ErrOpen
	}
	if s.state == StateOpen {
		s.state = StateHalfOpen
	}
	return nil
}

func logf(format string, args ...any) {}
