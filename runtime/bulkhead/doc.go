// Package bulkhead caps the calls in flight to one dependency, so a slow
// dependency can exhaust only its own share of goroutines and connections
// while calls to healthy dependencies go on (the per-service pools of the
// article "Building Resilient Distributed Systems with Go": recommendations
// 50, inventory 100, pricing 75).
//
// Give each dependency its own Bulkhead sized from its latency and the
// throughput you need (Little's law: slots ≈ requests/s × latency), reject
// at once (the default) on paths that have a fallback, and use WithMaxWait
// to queue briefly where a short wait beats an error. A waiting caller
// leaves when its context ends, returning ctx.Err(); a wait that reaches the
// max wait returns ErrFull. With WithLimiter the size is not a guess: an
// adaptive.Limiter retunes it from observed latency. The limiter may also be
// used directly (Limiter.Do) or by other bulkheads: a slot any of them frees
// goes to this bulkhead's queue too (adaptive.Limiter.OnRelease).
//
// Do allocates nothing when a slot is free (one CAS to take it, one atomic
// add to give it back); only a caller that has to wait allocates.
//
// # Where the article's bulkhead is wrong
//
// Its Execute selects over the semaphore send, ctx.Done() and a default
// case. A select with a default never blocks, so whenever the semaphore is
// full it returns "bulkhead full" at once: the ctx.Done() case only fires if
// ctx happened to be done already, and there is no way to wait for a slot.
// Here waiting is explicit (WithMaxWait), bounded by both the max wait and
// ctx, and a slot freed while callers wait goes to the oldest of them
// (unless a new arrival takes it in the same instant).
package bulkhead
