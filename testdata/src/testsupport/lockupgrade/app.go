// Package lockupgrade counts calls.
package lockupgrade

import "sync"

type Counter struct {
	mu sync.RWMutex
	n  int
}

func (c *Counter) Inc() {
	c.mu.RLock()
	n := c.n
	c.mu.RUnlock()
	c.mu.Lock() // want `c.n was read under RLock at line 13 and written after Lock without re-checking`
	c.n = n + 1
	c.mu.Unlock()
}
