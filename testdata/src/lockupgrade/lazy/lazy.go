// Package lazy holds lazily built clients guarded by an RWMutex.
package lazy

import (
	"sync"
	"time"
)

// Client stands in for an expensive client (connections, TLS state).
type Client struct {
	Timeout time.Duration
}

type Factory struct {
	mu      sync.RWMutex
	client  *Client
	built   int
	timeout time.Duration
}

// Client builds the client after an upgrade without looking again: two
// callers build two clients and the first is thrown away.
func (f *Factory) Client() *Client {
	f.mu.RLock()
	c := f.client
	f.mu.RUnlock()
	if c != nil {
		return c
	}
	f.mu.Lock() // want `f.client was read under RLock at line 25 and written after Lock without re-checking`
	defer f.mu.Unlock()
	f.client = &Client{Timeout: f.timeout}
	f.built++
	return f.client
}

// ClientChecked is the double-checked form.
func (f *Factory) ClientChecked() *Client {
	f.mu.RLock()
	c := f.client
	f.mu.RUnlock()
	if c != nil {
		return c
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.client == nil {
		f.client = &Client{Timeout: f.timeout}
		f.built++
	}
	return f.client
}

// ClientOneLock takes the write lock for check and build.
func (f *Factory) ClientOneLock() *Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.client == nil {
		f.client = &Client{Timeout: f.timeout}
	}
	return f.client
}

// Builder keeps its client behind a helper that re-checks under the lock.
type Builder struct {
	mu     sync.RWMutex
	client *Client
}

func (b *Builder) Client() *Client {
	b.mu.RLock()
	if c := b.client; c != nil {
		b.mu.RUnlock()
		return c
	}
	b.mu.RUnlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ensureLocked()
}

func (b *Builder) ensureLocked() *Client {
	if b.client == nil {
		b.client = &Client{}
	}
	return b.client
}

// Config has a lazily parsed value in a package variable.
var (
	configMu sync.RWMutex
	config   map[string]string
)

func Setting(key string) string {
	configMu.RLock()
	cfg := config
	configMu.RUnlock()
	if cfg == nil {
		configMu.Lock() // want `config was read under RLock at line 97 and written after Lock without re-checking`
		config = map[string]string{"mode": "default"}
		cfg = config
		configMu.Unlock()
	}
	return cfg[key]
}
