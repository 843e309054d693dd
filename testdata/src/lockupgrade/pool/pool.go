// Package pool holds connection pools keyed by address: a pool that dials
// twice, the helper-split shape, and correct pools.
package pool

import "sync"

// Conn is a network connection.
type Conn interface {
	Write(b []byte) (int, error)
	Close() error
}

type Pool struct {
	mu    sync.RWMutex
	conns map[string]Conn
	dial  func(addr string) (Conn, error)
}

// Conn dials a missing connection under the write lock without looking
// again: concurrent callers dial the same address twice and one connection
// leaks.
func (p *Pool) Conn(addr string) (Conn, error) {
	p.mu.RLock()
	conn := p.conns[addr]
	p.mu.RUnlock()
	if conn != nil {
		return conn, nil
	}
	p.mu.Lock() // want `p.conns was read under RLock at line 24 and written after Lock without re-checking`
	defer p.mu.Unlock()
	conn, err := p.dial(addr)
	if err != nil {
		return nil, err
	}
	p.conns[addr] = conn
	return conn, nil
}

// Split is the same race spread over helpers: get reads under RLock, the
// caller decides, create writes under Lock without a re-check.
func (p *Pool) Split(addr string) (Conn, error) {
	if conn, ok := p.get(addr); ok {
		return conn, nil
	}
	return p.create(addr) // want `p.conns was read under RLock at line 51 and written after Lock at line 56 without re-checking`
}

func (p *Pool) get(addr string) (Conn, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	conn, ok := p.conns[addr]
	return conn, ok
}

func (p *Pool) create(addr string) (Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	conn, err := p.dial(addr)
	if err != nil {
		return nil, err
	}
	p.conns[addr] = conn
	return conn, nil
}

// SplitChecked calls a create that re-checks under its lock: correct.
func (p *Pool) SplitChecked(addr string) (Conn, error) {
	if conn, ok := p.get(addr); ok {
		return conn, nil
	}
	return p.getOrCreate(addr)
}

func (p *Pool) getOrCreate(addr string) (Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if conn, ok := p.conns[addr]; ok {
		return conn, nil
	}
	conn, err := p.dial(addr)
	if err != nil {
		return nil, err
	}
	p.conns[addr] = conn
	return conn, nil
}

// Close drops every connection; it reads nothing first.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for addr, c := range p.conns {
		c.Close()
		delete(p.conns, addr)
	}
}

// Len is read-only.
func (p *Pool) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.conns)
}

// Put stores a connection the caller made; it does not depend on get.
func (p *Pool) Put(addr string, c Conn) {
	n := p.Len()
	_ = n
	p.mu.Lock()
	p.conns[addr] = c
	p.mu.Unlock()
}
