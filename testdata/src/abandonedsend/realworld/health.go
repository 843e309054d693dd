package realworld

import (
	"context"
	"time"
)

// A health checker that runs each check with a timeout and moves on to the
// next check when it expires: the check's goroutine is left blocked on its
// result channel, one per probe (the shape reported against a Go health
// check library).

type Check struct {
	Name    string
	Timeout time.Duration
	Run     func(ctx context.Context) error
}

type Status struct {
	Name string
	OK   bool
	Err  string
}

func Measure(ctx context.Context, checks []Check) []Status {
	var out []Status
	for _, c := range checks {
		resCh := make(chan error)
		go func() {
			resCh <- c.Run(ctx) // want `send on resCh blocks forever once the select at line 34 takes <-timer.C and never receives again: .*make\(chan error, 1\)`
		}()
		timer := time.NewTimer(c.Timeout)
		st := Status{Name: c.Name}
		select {
		case <-timer.C:
			st.Err = "timed out"
		case err := <-resCh:
			timer.Stop()
			st.OK = err == nil
			if err != nil {
				st.Err = err.Error()
			}
		}
		out = append(out, st)
	}
	return out
}
