// Package quiet holds RWMutex code that must not be reported.
package quiet

import (
	"log"
	"sync"
	"time"
)

// Registry uses sync.Mutex only.
type Registry struct {
	mu    sync.Mutex
	names map[string]int
}

func (r *Registry) Add(name string) int {
	r.mu.Lock()
	n, ok := r.names[name]
	r.mu.Unlock()
	if ok {
		return n
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[name] = len(r.names)
	return r.names[name]
}

// Router reads its routes under one mutex and updates its metrics under
// another.
type Router struct {
	routesMu sync.RWMutex
	routes   map[string]string

	statsMu sync.RWMutex
	misses  map[string]int
}

func (r *Router) Resolve(path string) (string, bool) {
	r.routesMu.RLock()
	target, ok := r.routes[path]
	r.routesMu.RUnlock()
	if !ok {
		r.statsMu.Lock()
		r.misses[path]++
		r.statsMu.Unlock()
	}
	return target, ok
}

// Server has unrelated read sections and a write that does not depend on
// them.
type Server struct {
	mu       sync.RWMutex
	addr     string
	started  time.Time
	requests int
	closed   bool
}

func (s *Server) Describe() string {
	s.mu.RLock()
	addr := s.addr
	s.mu.RUnlock()

	s.mu.RLock()
	up := time.Since(s.started)
	s.mu.RUnlock()
	return addr + " up " + up.String()
}

// Serve logs what it saw under the read lock and then records a request
// unconditionally.
func (s *Server) Serve() {
	s.mu.RLock()
	n := s.requests
	s.mu.RUnlock()
	if n%1000 == 0 {
		log.Printf("served %d requests", n)
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
}

// Close decides on one field and writes another.
func (s *Server) Close() {
	s.mu.RLock()
	addr := s.addr
	s.mu.RUnlock()
	if addr == "" {
		return
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// Restart re-reads the state it acts on after Lock, through a switch.
func (s *Server) Restart() {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if !closed {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.closed:
		return
	default:
		s.closed = false
		s.started = time.Now()
	}
}

// Reload builds new state entirely under the write lock.
func (s *Server) Reload(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addr == addr {
		return
	}
	s.addr = addr
	s.started = time.Now()
}

// Each value of a locally held struct: no upgrade, just reads.
func (s *Server) Snapshot() Server {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Server{addr: s.addr, started: s.started, requests: s.requests, closed: s.closed}
}

// Watch runs in a loop: every write re-reads first.
func (s *Server) Watch(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Second):
		}
		s.mu.RLock()
		closed := s.closed
		s.mu.RUnlock()
		if closed {
			continue
		}
		s.mu.Lock()
		if !s.closed {
			s.requests = 0
		}
		s.mu.Unlock()
	}
}
