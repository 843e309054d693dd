package waits

import (
	"context"
	"errors"
	"time"
)

var errUnavailable = errors.New("unavailable")

// maxPause is a variable so that tests can shorten it.
var maxPause = 100 * time.Millisecond

// Watcher opens watch streams on a server.
type Watcher interface {
	Watch(ctx context.Context) (func() error, error)
}

// Stream is a watch stream that reopens on its own context.
type Stream struct {
	ctx    context.Context
	remote Watcher
}

// pauseIfUnavailable sleeps a growing pause capped at 100ms: a cancelled
// context is noticed at the next attempt, a moment later.
func (s *Stream) pauseIfUnavailable(pause time.Duration, err error) time.Duration {
	if errors.Is(err, errUnavailable) {
		pause += pause / 4
		if pause > maxPause {
			pause = maxPause
		}
		time.Sleep(pause)
	}
	return pause
}

// reopen checks its context before each attempt; the short blind pause
// delays a close by at most 100ms.
func (s *Stream) reopen() (func() error, error) {
	pause := time.Millisecond
	for {
		select {
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		default:
		}
		recv, err := s.remote.Watch(s.ctx)
		if err == nil {
			return recv, nil
		}
		pause = s.pauseIfUnavailable(pause, err)
	}
}

// backoffIfUnavailable is the twin: its pause grows without a cap.
func (s *Stream) backoffIfUnavailable(pause time.Duration, err error) time.Duration {
	if errors.Is(err, errUnavailable) {
		pause *= 2
		time.Sleep(pause)
	}
	return pause
}

func (s *Stream) reopenSlowly() (func() error, error) {
	pause := time.Millisecond
	for {
		select {
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		default:
		}
		recv, err := s.remote.Watch(s.ctx)
		if err == nil {
			return recv, nil
		}
		pause = s.backoffIfUnavailable(pause, err) // want `s.backoffIfUnavailable, which sleeps without watching the context, in a retry loop ignores cancellation of s.ctx`
	}
}
