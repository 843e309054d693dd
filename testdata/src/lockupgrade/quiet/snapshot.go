package quiet

import "sync"

// snapStore hands out its snapshot and a channel closed when it changes.
type snapStore struct {
	mu      sync.RWMutex
	cur     int
	changed chan struct{}
}

func (s *snapStore) observe() (int, <-chan struct{}) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur, s.changed
}

func (s *snapStore) update(v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v <= s.cur {
		return
	}
	s.cur = v
	close(s.changed)
	s.changed = make(chan struct{})
}
