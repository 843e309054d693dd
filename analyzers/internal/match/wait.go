package match

import (
	"go/types"
	"regexp"
)

// WaitCall says how a call waits, for the checks that look at the waits
// between the attempts of a retry.
type WaitCall int

const (
	NotWait WaitCall = iota // not a wait
	// Sleep is time.Sleep: nothing but the clock ends it.
	Sleep
	// Timer is a standard timer (time.After, Tick, NewTimer, NewTicker,
	// AfterFunc, Timer.Reset): a channel or callback the caller can select
	// on beside a context's Done.
	Timer
	// Named is a function or method whose name says it waits or computes a
	// wait (sleep, wait, backoff, delay, pause): a wait of the code's own
	// making, which a package-local summary may see into.
	Named
)

// waitName matches the names of functions that wait or compute a wait.
var waitName = regexp.MustCompile(`(?i)sleep|wait|backoff|delay|pause`)

// workWaits are types whose Wait blocks until other work finishes, not
// for a while: joining goroutines or a child process is no pause between
// attempts.
var workWaits = [][2]string{
	{"sync", "WaitGroup"}, {"sync", "Cond"}, {"os/exec", "Cmd"}, {"os", "Process"},
	{"golang.org/x/sync/errgroup", "Group"},
}

// WaitOf says how a call of obj waits: a function or method, or a
// function-valued variable or field (c.sleep(d)), which waits only by name.
func WaitOf(obj types.Object) WaitCall {
	switch obj := obj.(type) {
	case *types.Func:
		if obj != nil {
			return funcWait(obj)
		}
	case *types.Var:
		if obj != nil && isFunc(obj.Type()) && waitName.MatchString(obj.Name()) {
			return Named
		}
	}
	return NotWait
}

func isFunc(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

func funcWait(fn *types.Func) WaitCall {
	switch {
	case IsFunc(fn, "time", "Sleep"):
		return Sleep
	case IsFunc(fn, "time", "After", "Tick", "NewTimer", "NewTicker", "AfterFunc") || IsMethod(fn, "time", "Timer", "Reset"):
		return Timer
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		for _, t := range workWaits {
			if IsNamed(sig.Recv().Type(), t[0], t[1]) {
				return NotWait
			}
		}
	}
	if waitName.MatchString(fn.Name()) {
		return Named
	}
	return NotWait
}

var attemptName = regexp.MustCompile(`(?i)attempt|retr|tries|try`)

// AttemptName reports whether a variable's name says it counts attempts
// (attempt, retries, tries, try).
func AttemptName(name string) bool { return attemptName.MatchString(name) }
