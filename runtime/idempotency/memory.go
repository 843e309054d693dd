package idempotency

import (
	"context"
	"sync"
	"time"
)

// NewMemoryStore returns a Store kept in this process's memory: fine for a
// single replica or tests; use a shared store when retries may reach another
// replica.
func NewMemoryStore() Store { return NewMemoryStoreClock(time.Now) }

// NewMemoryStoreClock is NewMemoryStore with an injected clock (for tests of
// expiry).
func NewMemoryStoreClock(now func() time.Time) Store {
	return &memoryStore{now: now, m: map[string]memEntry{}}
}

type memoryStore struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]memEntry
	ops int
}

type memEntry struct {
	rec     Record
	owner   string // the token of the request that reserved or completed it
	expires time.Time
}

// sweepEvery bounds memory: expired entries are dropped every so many writes.
const sweepEvery = 1024

// live returns key's entry if it has not expired. s.mu is held.
func (s *memoryStore) live(key string, now time.Time) (memEntry, bool) {
	e, ok := s.m[key]
	return e, ok && now.Before(e.expires)
}

func (s *memoryStore) Reserve(_ context.Context, key, fp, token string, ttl time.Duration) (*Record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if e, ok := s.live(key, now); ok {
		rec := e.rec
		rec.Header = rec.Header.Clone()
		return &rec, false, nil
	}
	s.m[key] = memEntry{rec: Record{Fingerprint: fp}, owner: token, expires: now.Add(ttl)}
	s.sweep(now)
	return nil, true, nil
}

func (s *memoryStore) Complete(_ context.Context, key, token string, rec *Record, ttl time.Duration) error {
	r := *rec
	r.Header = rec.Header.Clone()
	r.Body = append([]byte(nil), rec.Body...)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if e, ok := s.live(key, now); ok && e.owner != token {
		return ErrNotOwner
	}
	s.m[key] = memEntry{rec: r, owner: token, expires: now.Add(ttl)}
	return nil
}

func (s *memoryStore) Release(_ context.Context, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live(key, s.now()); ok && e.owner != token {
		return ErrNotOwner
	}
	delete(s.m, key)
	return nil
}

func (s *memoryStore) sweep(now time.Time) {
	s.ops++
	if s.ops%sweepEvery != 0 {
		return
	}
	for k, e := range s.m {
		if !now.Before(e.expires) {
			delete(s.m, k)
		}
	}
}
