package antipatterns

import (
	"errors"
	"sync"
	"time"
)

// BreakerState is the state of the hand-rolled inventory breaker.
type BreakerState int

const (
	BreakerClosed BreakerState = iota
	BreakerOpen
	BreakerHalfOpen
)

// ErrInventoryUnavailable is returned while the breaker is open.
var ErrInventoryUnavailable = errors.New("inventory: circuit open")

// InventoryBreaker guards calls to the inventory service. It is the
// article's WRONG breaker: Call checks the state under the read lock and
// upgrades to the write lock to move to half-open, so every goroutine that
// saw Open while the timeout expired sends its own probe to the recovering
// service.
type InventoryBreaker struct {
	mu        sync.RWMutex
	state     BreakerState
	failures  int
	threshold int
	cooldown  time.Duration
	openedAt  time.Time
}

// NewInventoryBreaker returns a closed breaker that opens after threshold
// consecutive failures and probes again after cooldown.
func NewInventoryBreaker(threshold int, cooldown time.Duration) *InventoryBreaker {
	return &InventoryBreaker{threshold: threshold, cooldown: cooldown}
}

// Call runs fn unless the breaker is open.
func (b *InventoryBreaker) Call(fn func() error) error {
	b.mu.RLock()
	if b.state == BreakerOpen {
		if time.Since(b.openedAt) < b.cooldown {
			b.mu.RUnlock()
			return ErrInventoryUnavailable
		}
		b.mu.RUnlock()
		b.mu.Lock() // other goroutines slip in between RUnlock and Lock
		b.state = BreakerHalfOpen
		b.mu.Unlock()
	} else {
		b.mu.RUnlock()
	}

	err := fn()

	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.failures++
		if b.failures >= b.threshold {
			b.state = BreakerOpen
			b.openedAt = time.Now()
		}
		return err
	}
	b.failures = 0
	b.state = BreakerClosed
	return nil
}
