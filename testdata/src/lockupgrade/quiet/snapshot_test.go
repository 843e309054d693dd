package quiet

import "testing"

// A test observes and then updates, one call after the other: nothing runs
// concurrently with it, so its sequence is no upgrade race.
func TestSnapshotNotifies(t *testing.T) {
	s := &snapStore{changed: make(chan struct{})}
	_, changed := s.observe()
	select {
	case <-changed:
		t.Fatal("notified before any update")
	default:
	}
	s.update(2)
	if _, ok := <-changed; ok {
		t.Fatal("channel not closed")
	}
}
