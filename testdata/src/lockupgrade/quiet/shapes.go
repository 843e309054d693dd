package quiet

import (
	"context"
	"errors"
	"log"
	"sync"
)

type Subscription struct {
	mu        sync.Mutex
	sid       int64
	delivered int
	max       int
}

// Conn serialises all subscription changes with mu; subsMu only lets the
// reader goroutine look subscriptions up without mu.
type Conn struct {
	mu     sync.Mutex
	subsMu sync.RWMutex
	subs   map[int64]*Subscription
	shards []string
}

// Unsubscribe holds mu around the read and the removal: no other writer
// can slip in.
func (nc *Conn) Unsubscribe(sid int64) error {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	nc.subsMu.RLock()
	s := nc.subs[sid]
	nc.subsMu.RUnlock()
	if s == nil {
		return errors.New("invalid subscription")
	}
	nc.subsMu.Lock()
	delete(nc.subs, s.sid)
	nc.subsMu.Unlock()
	return nil
}

// SetShards replaces the shards from a snapshot; setMu serialises callers.
func (nc *Conn) SetShards(setMu *sync.Mutex, add string) {
	setMu.Lock()
	defer setMu.Unlock()
	nc.subsMu.RLock()
	existing := nc.shards
	nc.subsMu.RUnlock()
	next := append(append([]string(nil), existing...), add)
	nc.subsMu.Lock()
	nc.shards = next
	nc.subsMu.Unlock()
}

// Deliver decides on the subscription's own counters (guarded by its own
// mutex), then removes it; the delete is idempotent.
func (nc *Conn) Deliver(sid int64) {
	nc.subsMu.RLock()
	sub := nc.subs[sid]
	nc.subsMu.RUnlock()
	if sub == nil {
		return
	}
	sub.mu.Lock()
	done := sub.delivered >= sub.max
	sub.mu.Unlock()
	if done {
		nc.subsMu.Lock()
		delete(nc.subs, sid)
		nc.subsMu.Unlock()
	}
}

// Dialer hands the context read under RLock to a dial; the dial's error
// is not a decision about the context.
type Dialer struct {
	mu   sync.RWMutex
	ctx  context.Context
	err  error
	dial func(context.Context) error
}

func (d *Dialer) Run() {
	d.mu.RLock()
	ctx := d.ctx
	d.mu.RUnlock()
	if err := d.dial(ctx); err != nil {
		d.mu.Lock()
		d.ctx = nil
		d.err = err
		d.mu.Unlock()
	}
}

// Files re-validates under the write lock, on a sibling map, that the
// decision taken under the read lock still holds.
type Files struct {
	mu       sync.RWMutex
	byID     map[uint32]string
	doomed   []uint32
	refcount int
}

func (f *Files) Retire(id uint32) error {
	f.mu.RLock()
	for _, d := range f.doomed {
		if d == id {
			f.mu.RUnlock()
			return errors.New("already retired")
		}
	}
	f.mu.RUnlock()

	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.byID[id]; !ok {
		return errors.New("unknown file")
	}
	f.doomed = append(f.doomed, id)
	return nil
}

// Names returns a copy and an error; only the copy carries the read.
func (f *Files) Names() ([]string, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.byID == nil {
		return nil, errors.New("closed")
	}
	out := make([]string, 0, len(f.byID))
	for _, n := range f.byID {
		out = append(out, n)
	}
	return out, nil
}

// Reset fails early on the helper's error, then replaces the map without
// using the names it read.
func (f *Files) Reset() error {
	names, err := f.Names()
	if err != nil {
		return err
	}
	log.Printf("resetting %d files", len(names))
	f.mu.Lock()
	f.byID = map[uint32]string{}
	f.mu.Unlock()
	return nil
}
