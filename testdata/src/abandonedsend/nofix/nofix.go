package nofix

import (
	"context"
	"time"
)

type Event struct{ Seq int }

// Tail streams events until the caller stops listening; the producer keeps
// sending with no way out, and no buffer holds an unbounded stream.
func Tail(ctx context.Context, poll func() []Event, handle func(Event) bool) error {
	events := make(chan Event)
	go func() {
		for {
			for _, e := range poll() {
				events <- e // want `send on events blocks forever once the select at line 22 takes <-ctx.Done\(\) and returns: the goroutine leaks with all it holds; give events one slot per sender or have the sender select on ctx.Done\(\)`
			}
		}
	}()
	for {
		select {
		case e := <-events:
			if !handle(e) {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

type Replica struct{ addr string }

func (r Replica) Get(ctx context.Context, key string) (string, error) { return r.addr + key, nil }

// FirstOf asks two named replicas; the slice literal has no name to size
// the channel with.
func FirstOf(ctx context.Context, a, b Replica, key string, d time.Duration) (string, bool) {
	ch := make(chan string)
	for _, r := range []Replica{a, b} {
		go func() {
			v, _ := r.Get(ctx, key)
			ch <- v // want `send on ch blocks forever once the select at line 47 takes <-time.After\(d\) and returns: .*give ch one slot per sender or have the sender select on ctx.Done\(\)`
		}()
	}
	select {
	case v := <-ch:
		return v, true
	case <-time.After(d):
		return "", false
	}
}
