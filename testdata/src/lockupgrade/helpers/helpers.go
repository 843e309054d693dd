// Package helpers holds getter/setter and double-checked shapes split over
// helpers, reduced from a leader elector and a CA-rotating transport.
package helpers

import (
	"context"
	"sync"
	"time"
)

// Record is what an elector last observed in its lease store.
type Record struct {
	Holder      string
	Transitions int
}

// Store is the lease store; Update fails on a conflicting write.
type Store interface {
	Update(ctx context.Context, r Record) error
}

type Elector struct {
	mu    sync.RWMutex
	rec   Record
	at    time.Time
	id    string
	store Store
}

func (e *Elector) get() Record {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.rec
}

func (e *Elector) set(r *Record) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rec = *r
	e.at = time.Now()
}

func (e *Elector) isLeader() bool { return e.get().Holder == e.id }

// Release decides on a stale "am I leader", but what it stores is the
// record the store accepted: the setter replaces the whole value.
func (e *Elector) Release(ctx context.Context) bool {
	if !e.isLeader() {
		return true
	}
	r := Record{Transitions: e.get().Transitions}
	if err := e.store.Update(ctx, r); err != nil {
		return false
	}
	e.set(&r)
	return true
}

// Renew copies a field of the stale record into what the store accepts and
// then observes it.
func (e *Elector) Renew(ctx context.Context) bool {
	if e.isLeader() {
		old := e.get()
		r := Record{Holder: e.id, Transitions: old.Transitions}
		if err := e.store.Update(ctx, r); err == nil {
			e.set(&r)
			return true
		}
	}
	return false
}

// Claim is the positive twin: every caller that saw no holder claims the
// lease locally, and all but the last claim are lost.
func (e *Elector) Claim() {
	if e.get().Holder == "" {
		e.set(&Record{Holder: e.id}) // want `e.rec was read under RLock at line 33 and written after Lock at line 37 without re-checking, so concurrent callers that all saw it missing each create and store their own`
	}
}

// Transport is a rotated connection.
type Transport struct{ ca []byte }

type Holder struct {
	mu      sync.RWMutex
	tr      *Transport
	checked time.Time
	every   time.Duration
	load    func() *Transport
}

// Get is double-checked locking through helpers: the refresh reads the
// check time again under the Lock before replacing the transport.
func (h *Holder) Get() *Transport {
	if t := h.fresh(); t != nil {
		return t
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refreshLocked()
	return h.tr
}

func (h *Holder) fresh() *Transport {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if time.Since(h.checked) < h.every {
		return h.tr
	}
	return nil
}

func (h *Holder) refreshLocked() {
	if time.Since(h.checked) < h.every {
		return // another caller refreshed it
	}
	h.checked = time.Now()
	h.tr = h.load()
}

// GetNoRecheck is the positive twin: its refresh does not look again, so
// every caller that saw a stale transport loads a new one.
func (h *Holder) GetNoRecheck() *Transport {
	if t := h.fresh(); t != nil {
		return t
	}
	h.mu.Lock() // want `h.tr was read under RLock at line 108 and written after Lock without re-checking, so concurrent callers that all saw it missing each create and store their own`
	defer h.mu.Unlock()
	h.reloadLocked()
	return h.tr
}

func (h *Holder) reloadLocked() {
	h.checked = time.Now()
	h.tr = h.load()
}
