// Package realworld holds minimal shapes reduced from real fixes of this
// leak; each file names the shape it stands for.
package realworld

import (
	"errors"
	"time"
)

// A hand-rolled circuit breaker whose Call gives the protected function a
// deadline: when the deadline wins, the function's goroutine stays blocked
// on its result forever (the shape fixed in a Go circuit breaker library by
// buffering the result channel).

var ErrTimeout = errors.New("breaker: call timed out")

type Breaker struct {
	Timeout  time.Duration
	failures int
}

func (b *Breaker) Call(fn func() error) error {
	c := make(chan error)
	go func() {
		c <- fn() // want `send on c blocks forever once the select at line 27 takes <-time.After\(b.Timeout\) and returns: .*make\(chan error, 1\)`
	}()
	select {
	case err := <-c:
		if err != nil {
			b.failures++
		}
		return err
	case <-time.After(b.Timeout):
		b.failures++
		return ErrTimeout
	}
}
