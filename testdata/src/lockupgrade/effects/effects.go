// Package effects holds upgrades whose stale decision does or does not
// reach the write, in twins: each quiet shape next to the one that loses an
// update or repeats a side effect.
package effects

import (
	"errors"
	"sync"
)

// Client fails over across seed brokers, reduced from a Kafka client: when
// no seed is left it puts the dead ones back.
type Client struct {
	mu    sync.RWMutex
	seeds []string
	dead  []string
}

func (c *Client) firstSeed() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.seeds) > 0 {
		return c.seeds[0]
	}
	return ""
}

// Resurrect decides on a stale "no seed left", but the helper computes the
// new list from the lists it reads again under its Lock: a second caller
// appends nothing.
func (c *Client) Resurrect() error {
	if c.firstSeed() != "" {
		return nil
	}
	c.resurrect()
	return errors.New("out of brokers")
}

func (c *Client) resurrect() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seeds = append(c.seeds, c.dead...)
	c.dead = nil
}

// Reseed is its twin with a helper that stores what the caller gives it:
// two callers that saw no seed each replace the list.
func (c *Client) Reseed(defaults []string) error {
	if c.firstSeed() != "" {
		return nil
	}
	return c.setSeeds(defaults) // want `c.seeds was read under RLock at line 23 and written after Lock at line 56 without re-checking, so concurrent callers that all saw it missing each create and store their own`
}

func (c *Client) setSeeds(seeds []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seeds = append([]string(nil), seeds...)
	return nil
}

// Server has start and stop flags.
type Server struct {
	mu      sync.RWMutex
	running bool
	closed  bool
	done    chan struct{}
}

// Start decides on a stale "not running": every concurrent caller starts
// the loop.
func (s *Server) Start() {
	s.mu.RLock()
	running := s.running
	s.mu.RUnlock()
	if running {
		return
	}
	s.mu.Lock() // want `s.running was read under RLock at line 74 and written after Lock without re-checking, so concurrent callers each start the goroutine at line 82`
	s.running = true
	s.mu.Unlock()
	go s.loop()
}

// MarkRunning is Start's twin without the goroutine: writing true again
// where another caller wrote true changes nothing.
func (s *Server) MarkRunning() {
	s.mu.RLock()
	running := s.running
	s.mu.RUnlock()
	if running {
		return
	}
	s.mu.Lock()
	s.running = true
	s.mu.Unlock()
}

// Close closes the channel under a stale "not closed": a second caller
// closes it again and panics.
func (s *Server) Close() {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if !closed {
		s.mu.Lock() // want `s.closed was read under RLock at line 103 and written after Lock without re-checking, so concurrent callers each close the channel at line 109, and the second close panics`
		s.closed = true
		s.mu.Unlock()
		close(s.done)
	}
}

func (s *Server) loop() { <-s.done }

// Ledger settles payments once.
type Ledger struct {
	mu      sync.RWMutex
	settled map[string]bool
	total   int
	seen    map[string]struct{}
}

// Settle applies the amount on a stale "not settled": two concurrent
// callers both add it.
func (l *Ledger) Settle(id string, amount int) {
	l.mu.RLock()
	done := l.settled[id]
	l.mu.RUnlock()
	if done {
		return
	}
	l.mu.Lock() // want `l.settled was read under RLock at line 127 and written after Lock without re-checking, so concurrent callers each apply the update of l.total at line 134`
	l.settled[id] = true
	l.total += amount
	l.mu.Unlock()
}

// MarkSettled is Settle's twin that only records the flag.
func (l *Ledger) MarkSettled(id string) {
	l.mu.RLock()
	done := l.settled[id]
	l.mu.RUnlock()
	if done {
		return
	}
	l.mu.Lock()
	l.settled[id] = true
	l.mu.Unlock()
}

// See inserts into a set on a miss: a second insert of the same key
// changes nothing.
func (l *Ledger) See(id string) {
	l.mu.RLock()
	_, ok := l.seen[id]
	l.mu.RUnlock()
	if ok {
		return
	}
	l.mu.Lock()
	l.seen[id] = struct{}{}
	l.mu.Unlock()
}

// Phase is a state machine: writing a constant on a decision about another
// value undoes a change made in between.
type Phase struct {
	mu    sync.RWMutex
	phase int
}

const (
	idle = iota
	draining
	stopped
)

// Drain moves an idle phase to draining; a Stop in between is undone.
func (p *Phase) Drain() {
	p.mu.RLock()
	ph := p.phase
	p.mu.RUnlock()
	if ph == idle {
		p.mu.Lock() // want `p.phase was read under RLock at line 181 and written after Lock without re-checking, so concurrent callers may each make this change, undoing one made in between`
		p.phase = draining
		p.mu.Unlock()
	}
}

// Stop writes the constant its decision was about: a re-check could only
// find it stopped already.
func (p *Phase) Stop() {
	p.mu.RLock()
	ph := p.phase
	p.mu.RUnlock()
	if ph != stopped {
		p.mu.Lock()
		p.phase = stopped
		p.mu.Unlock()
	}
}
