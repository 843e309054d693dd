// Package effects holds upgrades whose stale decision does or does not
// reach the write, in twins: each quiet shape next to the one that loses an
// update or repeats a side effect.
package effects

import (
	"errors"
	"reflect"
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
	return c.setSeeds(defaults) // want `c.seeds was read under RLock at line 24 and written after Lock at line 57 without re-checking, so concurrent callers that all saw it missing each create and store their own`
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
	s.mu.Lock() // want `s.running was read under RLock at line 75 and written after Lock without re-checking, so concurrent callers each start the goroutine at line 83`
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
		s.mu.Lock() // want `s.closed was read under RLock at line 104 and written after Lock without re-checking, so concurrent callers each close the channel at line 110, and the second close panics`
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
	l.mu.Lock() // want `l.settled was read under RLock at line 128 and written after Lock without re-checking, so concurrent callers each apply the update of l.total at line 135`
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
		p.mu.Lock() // want `p.phase was read under RLock at line 182 and written after Lock without re-checking, so concurrent callers may each make this change, undoing one made in between`
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

// codecs memoises per type the fields an encoder walks: concurrent misses
// compute the same fields and store equal values.
var (
	codecsMu sync.RWMutex
	codecs   = map[reflect.Type][]int{}
)

func fieldsOf(t reflect.Type) []int {
	codecsMu.RLock()
	f, ok := codecs[t]
	codecsMu.RUnlock()
	if ok {
		return f
	}
	f = make([]int, t.NumField())
	for i := range f {
		f[i] = i
	}
	codecsMu.Lock()
	codecs[t] = f
	codecsMu.Unlock()
	return f
}

// sessions is the twin keyed by name: each miss opens a session, and all
// but the last stored are lost without being closed.
var (
	sessionsMu sync.RWMutex
	sessions   = map[string]*Server{}
)

func sessionFor(name string) *Server {
	sessionsMu.RLock()
	s, ok := sessions[name]
	sessionsMu.RUnlock()
	if ok {
		return s
	}
	s = &Server{done: make(chan struct{})}
	sessionsMu.Lock() // want `sessions was read under RLock at line 237 and written after Lock without re-checking, so concurrent callers that all saw it missing each create and store their own`
	sessions[name] = s
	sessionsMu.Unlock()
	return s
}

// Hub keeps a stack of scopes, reduced from an error-reporting SDK.
type Hub struct {
	mu    sync.RWMutex
	stack []*scope
}

type scope struct{ tags map[string]string }

func (s *scope) clone() *scope {
	c := &scope{tags: make(map[string]string, len(s.tags))}
	for k, v := range s.tags {
		c.tags[k] = v
	}
	return c
}

func (h *Hub) top() *scope {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.stack[len(h.stack)-1]
}

// Push clones the top it read under RLock, then appends to the stack as it
// is after Lock: a layer pushed in between is kept.
func (h *Hub) Push() {
	next := h.top().clone()
	h.mu.Lock()
	h.stack = append(h.stack, next)
	h.mu.Unlock()
}

// Replace is Push's twin that builds the new stack from the stale one: a
// layer pushed in between is lost.
func (h *Hub) Replace() {
	h.mu.RLock()
	old := h.stack
	h.mu.RUnlock()
	next := append(old[:len(old):len(old)], &scope{})
	h.mu.Lock() // want `h.stack was read under RLock at line 284 and written after Lock without re-checking, so concurrent callers lose an update: the value written is computed from the stale read`
	h.stack = next
	h.mu.Unlock()
}

// Token and SetToken are a client's accessors: each is atomic, and Unwrap,
// which composes them, is the caller's sequence, not a stale upgrade.
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.seeds) == 0 {
		return ""
	}
	return c.seeds[0]
}

func (c *Client) SetToken(t string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seeds = []string{t}
}

func (c *Client) Unwrap(wrapping string) {
	if c.Token() == "" {
		c.SetToken(wrapping)
	}
}

// Conn reads its options under RLock, reduced from a database client's
// handshake: when the server lacks a feature in auto mode, the feature is
// switched off.
type Conn struct {
	optMu sync.RWMutex
	opt   *Options
}

type Options struct {
	Feature *FeatureConfig
}

type FeatureConfig struct{ Mode int }

const (
	modeAuto = iota
	modeOn
	modeOff
)

// Handshake writes the constant its decision was about (Mode != modeOff),
// through the same fields: a re-check could only find it off already.
func (c *Conn) Handshake(supported bool) {
	c.optMu.RLock()
	enabled := c.opt.Feature != nil && c.opt.Feature.Mode != modeOff
	c.optMu.RUnlock()
	if enabled && !supported {
		c.optMu.Lock()
		c.opt.Feature.Mode = modeOff
		c.optMu.Unlock()
	}
}

// Promote is its twin that writes another constant: a switch-off in
// between is undone.
func (c *Conn) Promote() {
	c.optMu.RLock()
	enabled := c.opt.Feature != nil && c.opt.Feature.Mode != modeOff
	c.optMu.RUnlock()
	if enabled {
		c.optMu.Lock() // want `c.opt was read under RLock at line 352 and written after Lock without re-checking, so concurrent callers may each make this change, undoing one made in between`
		c.opt.Feature.Mode = modeOn
		c.optMu.Unlock()
	}
}
