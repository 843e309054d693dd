// Package ignored shows the ignore directive silencing a finding.
package ignored

import "sync"

type Counter struct {
	mu    sync.RWMutex
	peak  int
	label string
}

// Observe may lose a peak; the author accepts an approximate maximum.
func (c *Counter) Observe(v int) {
	c.mu.RLock()
	peak := c.peak
	c.mu.RUnlock()
	if v <= peak {
		return
	}
	//resilvet:ignore lockupgrade an approximate peak is fine for this gauge
	c.mu.Lock()
	c.peak = v
	c.mu.Unlock()
}

// Rename is reported: the directive covers only the line below it.
// It appends to the label it read, losing a concurrent rename.
func (c *Counter) Rename(name string) {
	c.mu.RLock()
	cur := c.label
	c.mu.RUnlock()
	if cur == name {
		return
	}
	c.mu.Lock() // want `c.label was read under RLock at line 30 and written after Lock without re-checking`
	c.label = cur + "/" + name
	c.mu.Unlock()
}
