// Package breaker is a circuit breaker: it stops calling a dependency that
// keeps failing, so callers fail in microseconds instead of holding
// goroutines, connections and their own callers' deadlines for a full
// timeout each.
//
// A Breaker starts Closed and counts outcomes. It opens after
// Config.FailureThreshold consecutive failures, or when the failure ratio
// over Config.Window reaches Config.FailureRate (once Config.MinCalls calls
// were seen). While Open every call is rejected with ErrOpen. When
// Config.OpenTimeout has passed it moves to HalfOpen by itself (State, the
// hooks and a readiness check see it at once, with no call needed), and
// exactly Config.HalfOpenProbes calls are let through; every other caller
// still gets ErrOpen. If all probes succeed the breaker closes and one failed
// probe opens it again. A probe still running after Config.ProbeTimeout gives
// its slot to the next caller, so a hung dependency can never wedge the
// breaker half-open; the slow probe is not cancelled and its result still
// counts when it arrives, so a dependency that is slow but working can close
// the breaker even when its normal latency exceeds the timeout.
//
// Use one Breaker per dependency (per downstream service, or per host), put
// it outside the retry loop so retries stop when the dependency is down, and
// give the calls a deadline (see runtime/deadline): a breaker only turns slow
// failures into fast ones if slow calls end.
//
// The closed path costs two atomic loads and allocates nothing; transitions
// take a mutex. OnStateChange and the slog record run outside every
// internal lock, in order and never two at once, and may call back into the
// breaker. The move to HalfOpen is reported from the timer that makes it
// (a goroutine of the Clock's), the other changes from the call that caused
// them.
//
// # Where the article's breaker is wrong
//
// The "fixed" Execute of the article "Building Resilient Distributed Systems
// with Go" moves Open to HalfOpen under the mutex but then lets every caller
// through while HalfOpen: there is no probe count, so once the reset timeout
// elapses all waiting callers hit the recovering dependency at once — the
// thundering herd it set out to prevent. A panic in fn is worse: its
// deferred Unlock then runs on an already unlocked mutex, which is a fatal
// error that no recover can catch. This package admits exactly
// HalfOpenProbes, tracks them by generation so a late result from an earlier
// state cannot corrupt the current one, and counts a panic as a failure
// before re-raising it.
package breaker
