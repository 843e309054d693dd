// Package testutil counts calls.
package testutil

import "sync"

type Counter struct {
	mu sync.RWMutex
	n  int
}

func (c *Counter) Inc() {
	c.mu.RLock()
	n := c.n
	c.mu.RUnlock()
	c.mu.Lock()
	c.n = n + 1
	c.mu.Unlock()
}
