// Package cachefix holds the canonical map "lookup miss, then insert"
// upgrades that the suggested fix repairs by looking again after Lock.
package cachefix

import (
	"fmt"
	"sync"
)

type Client struct{ name string }

func dial(name string) (*Client, error) {
	if name == "" {
		return nil, fmt.Errorf("empty name")
	}
	return &Client{name: name}, nil
}

type Registry struct {
	mu      sync.RWMutex
	clients map[string]*Client
}

// Client dials once per name, in intent: two callers that both miss both
// dial and the second overwrites the first's client.
func (r *Registry) Client(name string) (*Client, error) {
	r.mu.RLock()
	c, ok := r.clients[name]
	r.mu.RUnlock()
	if ok {
		return c, nil
	}

	r.mu.Lock() // want `r.clients was read under RLock at line 28 and written after Lock without re-checking`
	defer r.mu.Unlock()
	c, err := dial(name)
	if err != nil {
		return nil, err
	}
	r.clients[name] = c
	return c, nil
}

var (
	handlersMu sync.RWMutex
	handlers   = map[string]func() string{}
)

// Handler lazily registers a default handler in a package-level map.
func Handler(route string) func() string {
	handlersMu.RLock()
	h, found := handlers[route]
	handlersMu.RUnlock()
	if found {
		return h
	}
	handlersMu.Lock() // want `handlers was read under RLock at line 52 and written after Lock without re-checking`
	h = func() string { return route }
	handlers[route] = h
	handlersMu.Unlock()
	return h
}
