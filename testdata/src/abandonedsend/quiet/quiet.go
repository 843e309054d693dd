// Package quiet holds code that gives every sender a way to finish; the
// check must report none of it.
package quiet

import (
	"context"
	"errors"
	"sync"
	"time"
)

type result struct {
	v   string
	err error
}

func fetch(ctx context.Context, key string) (string, error) { return key, ctx.Err() }

// Buffered: one slot for the one sender.
func Buffered(ctx context.Context, key string) (string, error) {
	ch := make(chan result, 1)
	go func() {
		v, err := fetch(ctx, key)
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Hedged: the article's hedging, a slot for each of the two senders.
func Hedged(ctx context.Context, key string, delay time.Duration) (string, error) {
	ch := make(chan result, 2)
	send := func() {
		v, err := fetch(ctx, key)
		ch <- result{v, err}
	}
	go send()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(delay):
	}
	go send()
	r := <-ch
	return r.v, r.err
}

// SenderSelects: the sender gives up with the caller.
func SenderSelects(ctx context.Context, key string) (string, error) {
	ch := make(chan result)
	go func() {
		v, err := fetch(ctx, key)
		select {
		case ch <- result{v, err}:
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// DoneChannel: the caller closes done when it stops listening.
func DoneChannel(key string, d time.Duration) (string, bool) {
	ch := make(chan string)
	done := make(chan struct{})
	defer close(done)
	go func() {
		v, _ := fetch(context.Background(), key)
		select {
		case ch <- v:
		case <-done:
		}
	}()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(d):
		return "", false
	}
}

// AlwaysReceives: the timeout case still waits for the result.
func AlwaysReceives(cancel context.CancelFunc, ch0 chan struct{}, d time.Duration) error {
	errc := make(chan error)
	go func() {
		_, err := fetch(context.Background(), "k")
		errc <- err
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		cancel()
	}
	return <-errc
}

// OneOfTwo: the goroutine sends on exactly one of two channels, so a
// receive from the other means this one will never be sent on.
func OneOfTwo(key string) (string, error) {
	vals := make(chan string)
	errs := make(chan error)
	go func() {
		v, err := fetch(context.Background(), key)
		if err != nil {
			errs <- err
			return
		}
		vals <- v
	}()
	select {
	case v := <-vals:
		return v, nil
	case err := <-errs:
		return "", err
	}
}

// Collect: every sender is received before the loop can leave.
func Collect(keys []string) []string {
	ch := make(chan string)
	for _, k := range keys {
		go func() {
			v, _ := fetch(context.Background(), k)
			ch <- v
		}()
	}
	out := make([]string, 0, len(keys))
	for range keys {
		out = append(out, <-ch)
	}
	return out
}

// SizedFanOut: the channel has a slot per sender, so the early return
// leaves nobody blocked.
func SizedFanOut(keys []string) error {
	errc := make(chan error, len(keys))
	for _, k := range keys {
		go func() {
			_, err := fetch(context.Background(), k)
			errc <- err
		}()
	}
	for range keys {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Counted: a for loop without a condition that returns once it has
// received from every worker.
func Counted(n int, work func(int) int) int {
	results := make(chan int)
	for i := range n {
		go func() { results <- work(i) }()
	}
	sum, got := 0, 0
	for {
		sum += <-results
		got++
		if got == n {
			return sum
		}
	}
}

// WaitGroupFanIn: close after every sender finished, range until closed.
func WaitGroupFanIn(keys []string) []string {
	ch := make(chan string)
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, _ := fetch(context.Background(), k)
			ch <- v
		}()
	}
	go func() { wg.Wait(); close(ch) }()
	var out []string
	for v := range ch {
		out = append(out, v)
	}
	return out
}

type Server struct{ errc chan error }

// Escapes: the channel is kept in a field; someone else may receive.
func (s *Server) Escapes(serve func() error) {
	errc := make(chan error)
	s.errc = errc
	go func() { errc <- serve() }()
}

// Handed: the channel is passed to a function that may receive from it.
func Handed(serve func() error, wait func(chan error) error, d time.Duration) error {
	errc := make(chan error)
	go func() { errc <- serve() }()
	if d <= 0 {
		return errors.New("no time")
	}
	return wait(errc)
}

// Deferred drain: a deferred receive takes the result even on timeout.
func DeferredDrain(d time.Duration) bool {
	ch := make(chan string)
	go func() { v, _ := fetch(context.Background(), "k"); ch <- v }()
	defer func() { <-ch }()
	select {
	case <-time.After(d):
		return false
	}
}

// StartedLater: the early return comes before the goroutine starts.
func StartedLater(key string) (string, error) {
	if key == "" {
		return "", errors.New("empty key")
	}
	ch := make(chan string)
	go func() { v, _ := fetch(context.Background(), key); ch <- v }()
	return <-ch, nil
}

// Unguarded sender but a non-blocking default: the sender can drop the
// value.
func Dropping(ticks <-chan time.Time, d time.Duration) {
	ch := make(chan time.Time)
	go func() {
		for t := range ticks {
			select {
			case ch <- t:
			default:
			}
		}
	}()
	select {
	case <-ch:
	case <-time.After(d):
		return
	}
}

// AllDone: done is closed once every worker has finished, and a worker
// finishes only after its send was received; the loop receives until then.
func AllDone(keys []string) error {
	errc := make(chan error)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := fetch(context.Background(), k); err != nil {
				errc <- err
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	var first error
	for {
		select {
		case <-done:
			return first
		case err := <-errc:
			if first == nil {
				first = err
			}
		}
	}
}
