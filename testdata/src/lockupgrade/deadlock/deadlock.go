// Package deadlock holds Lock calls made while the same RWMutex's read lock
// is still held.
package deadlock

import "sync"

type Sessions struct {
	mu   sync.RWMutex
	byID map[string]string
}

// Touch forgets that defer RUnlock keeps the read lock until return.
func (s *Sessions) Touch(id string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.byID[id]; !ok {
		s.mu.Lock() // want `Lock of s.mu while its RLock from line 14 is still held deadlocks; RUnlock first and re-check the state after Lock`
		s.byID[id] = "new"
		s.mu.Unlock()
	}
}

// Upgrade forgets the RUnlock on one path.
func (s *Sessions) Upgrade(id, v string) {
	s.mu.RLock()
	old, ok := s.byID[id]
	if ok && old == v {
		s.mu.RUnlock()
		return
	}
	s.mu.Lock() // want `Lock of s.mu while its RLock from line 25 is still held deadlocks`
	s.byID[id] = v
	s.mu.Unlock()
}

// Set releases before locking and decides again after: fine.
func (s *Sessions) Set(id, v string) {
	s.mu.RLock()
	old, ok := s.byID[id]
	s.mu.RUnlock()
	if ok && old == v {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.byID[id]; ok && cur == v {
		return
	}
	s.byID[id] = v
}

// Pair holds two mutexes: taking one's write lock under the other's read
// lock is not a self-deadlock.
type Pair struct {
	a, b sync.RWMutex
	x, y int
}

func (p *Pair) Copy() {
	p.a.RLock()
	defer p.a.RUnlock()
	p.b.Lock()
	defer p.b.Unlock()
	p.y = p.x
}

// Refresh holds the read lock while a helper takes the write lock.
func (s *Sessions) Refresh(id string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.byID[id]; ok {
		return
	}
	s.add(id) // want `Lock of s.mu \(in add at line 78\) while its RLock from line 69 is still held deadlocks`
}

func (s *Sessions) add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[id] = "new"
}

// Ensure releases the read lock before calling the locking helper.
func (s *Sessions) Ensure(id string) {
	s.mu.RLock()
	_, ok := s.byID[id]
	s.mu.RUnlock()
	if !ok {
		s.addIfMissing(id)
	}
}

func (s *Sessions) addIfMissing(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[id]; !ok {
		s.byID[id] = "new"
	}
}
