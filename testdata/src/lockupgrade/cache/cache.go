// Package cache holds RWMutex-guarded caches: lost-update and
// insert-twice upgrades, and the double-checked forms that are correct.
package cache

import (
	"log"
	"sync"
	"time"
)

type entry struct {
	val     []byte
	expires time.Time
}

type Cache struct {
	mu      sync.RWMutex
	items   map[string]*entry
	hits    int
	loader  func(key string) ([]byte, error)
	maxSize int
}

// Get refreshes an expired entry after an upgrade, deciding on the entry it
// saw under the read lock: two callers both reload and both overwrite.
func (c *Cache) Get(key string) ([]byte, error) {
	c.mu.RLock()
	e, ok := c.items[key]
	c.mu.RUnlock()
	if ok && time.Now().Before(e.expires) {
		return e.val, nil
	}
	val, err := c.loader(key)
	if err != nil {
		return nil, err
	}
	c.mu.Lock() // want `c.items was read under RLock at line 28 and written after Lock without re-checking, so concurrent callers that all saw it missing each create and store their own, and all but the last are lost; re-check it after Lock or use one Lock for check and update`
	c.items[key] = &entry{val: val, expires: time.Now().Add(time.Minute)}
	c.mu.Unlock()
	return val, nil
}

// CountHit is a lost update: the increment is computed from a stale count.
func (c *Cache) CountHit() {
	c.mu.RLock()
	n := c.hits
	c.mu.RUnlock()
	c.mu.Lock() // want `c.hits was read under RLock at line 46 and written after Lock without re-checking`
	c.hits = n + 1
	c.mu.Unlock()
}

// Evict deletes what it decided to delete under the read lock.
func (c *Cache) Evict(now time.Time) {
	var expired []string
	c.mu.RLock()
	for k, e := range c.items {
		if now.After(e.expires) {
			expired = append(expired, k)
		}
	}
	c.mu.RUnlock()
	if len(expired) == 0 {
		return
	}
	c.mu.Lock() // want `c.items was read under RLock at line 57 and written after Lock without re-checking`
	for _, k := range expired {
		delete(c.items, k)
	}
	c.mu.Unlock()
}

// GetChecked is double-checked locking: after Lock it looks again.
func (c *Cache) GetChecked(key string) ([]byte, error) {
	c.mu.RLock()
	e, ok := c.items[key]
	c.mu.RUnlock()
	if ok {
		return e.val, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		return e.val, nil
	}
	val, err := c.loader(key)
	if err != nil {
		return nil, err
	}
	c.items[key] = &entry{val: val}
	return val, nil
}

// GetViaHelper re-checks through a helper called under the lock.
func (c *Cache) GetViaHelper(key string) []byte {
	c.mu.RLock()
	e, ok := c.items[key]
	c.mu.RUnlock()
	if ok {
		return e.val
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.lookupLocked(key); ok {
		return v
	}
	v := []byte(key)
	c.items[key] = &entry{val: v}
	return v
}

func (c *Cache) lookupLocked(key string) ([]byte, bool) {
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	return e.val, true
}

// Put writes unconditionally: nothing read under the read lock decides it.
func (c *Cache) Put(key string, val []byte) {
	c.mu.RLock()
	size := len(c.items)
	c.mu.RUnlock()
	log.Printf("cache: %d entries before put", size)

	c.mu.Lock()
	c.items[key] = &entry{val: val}
	c.mu.Unlock()
}

// Stats reads two fields and writes nothing.
func (c *Cache) Stats() (int, int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.items), c.hits
}

// Trim re-checks the size it decided on before deleting.
func (c *Cache) Trim() {
	c.mu.RLock()
	over := len(c.items) > c.maxSize
	c.mu.RUnlock()
	if !over {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.items {
		if len(c.items) <= c.maxSize {
			break
		}
		delete(c.items, k)
	}
}

// Rebuild is a copy-on-write lost update: the new map is built from a
// stale snapshot, so entries put in the meantime are dropped.
func (c *Cache) Rebuild(keep func(string) bool) {
	c.mu.RLock()
	old := c.items
	c.mu.RUnlock()
	next := filtered(old, keep)
	c.mu.Lock() // want `c.items was read under RLock at line 161 and written after Lock without re-checking`
	c.items = next
	c.mu.Unlock()
}

func filtered(m map[string]*entry, keep func(string) bool) map[string]*entry {
	out := make(map[string]*entry, len(m))
	for k, v := range m {
		if keep(k) {
			out[k] = v
		}
	}
	return out
}
