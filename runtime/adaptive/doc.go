// Package adaptive provides self-tuning concurrency limits: instead of a
// bulkhead size someone guessed once, the limit follows what the dependency
// can serve right now, shrinking within a few samples when latency rises or
// calls are dropped and growing back when it is healthy.
//
// A Limiter gives one Token per call while fewer than Limit() calls are in
// flight; the caller reports how the call went (Success with its RTT,
// Dropped, or Ignore), and an Algorithm turns the samples into the next
// limit, kept within [min, max]:
//
//   - NewAIMD: additive increase, multiplicative decrease (the controller of
//     the article "Building Resilient Distributed Systems with Go"). Simple
//     and quick to back off; saw-tooths between the capacity and twice it.
//   - NewVegas: estimates the queue at the dependency from the no-load
//     RTT and keeps it small. Steady near capacity; needs a stable
//     baseline latency.
//   - NewGradient2: compares short- and long-term RTT. No baseline needed,
//     copes with latency that drifts; settles somewhat above capacity.
//
// Use Limiter.Do directly to shed load (ErrLimited at once), or back a
// bulkhead with it (bulkhead.WithLimiter) to let callers queue briefly; both
// may share one Limiter, and OnRelease tells a bulkhead of every slot freed.
// A Token is released once: a second Finish (a defer plus an explicit call,
// or a copy of the Token) does nothing, so in-flight accounting cannot
// drift below the calls really running.
// Acquire and release allocate nothing: a CAS to take a slot, and a short
// critical section to update the algorithm when a call finishes.
//
// # Where the article's AdaptiveLimit is weak
//
// Its minimum RTT is never forgotten, so a dependency that becomes
// permanently slower (a bigger payload, a failover to a far region) is
// throttled to the floor forever; here the baseline is re-learned
// periodically. Its release func must be called exactly once but nothing
// releases the slot when the call panics; Limiter.Do does.
package adaptive
