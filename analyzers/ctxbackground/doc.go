// Package ctxbackground defines an Analyzer that reports context.Background
// and context.TODO used where a caller's context is already in scope.
//
// A function that receives a context.Context (or an *http.Request, whose
// Context carries the client's deadline) and then starts a new root context
// cuts the work it does off from the caller's deadline and cancellation: the
// caller gives up after 500ms but the downstream call keeps a connection busy
// for its own, unrelated timeout. This is the mistake that the article
// "Building Resilient Distributed Systems with Go" marks "WRONG: creates
// new context, loses parent deadline".
//
// # Analyzer ctxbackground
//
// ctxbackground: report context.Background and context.TODO where a caller's context is in scope
//
// # What it flags
//
// context.Background() and context.TODO() inside a function that already has a
// caller's context in scope — a context.Context parameter, or an *http.Request
// parameter (whose r.Context() is cancelled when the client goes away) —
// including closures nested in such a function. It reports the new root when
// it is passed as an argument, used as the parent of
// WithTimeout/WithDeadline/WithCancel/WithValue, or stored in a local variable
// that is used later. The message names the context in scope:
//
//	context.Background() drops the deadline of ctx in scope; pass ctx
//	context.TODO() drops the deadline of r.Context() in scope; pass r.Context()
//	context.Background() in a goroutine drops the values of ctx in scope; pass context.WithoutCancel(ctx)
//
// # Why
//
// The article's timeout-propagation section: a client with a 500ms budget
// calls a service that starts context.WithTimeout(context.Background(),
// 2*time.Second). The client gives up, but the downstream call keeps its
// goroutine and pooled connection for two more seconds. Under a slow
// dependency every request does the same, the pool is exhausted, and the
// slowness cascades to every caller — "slow is worse than crashed". Deriving
// from the caller's context means the tighter deadline always wins.
//
// # Bad
//
//	func (svc *Service) CallDownstream(ctx context.Context) error {
//		newCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
//		defer cancel()
//		return svc.downstream.Call(newCtx)
//	}
//
// # Good
//
//	func (svc *Service) CallDownstream(ctx context.Context) error {
//		callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
//		defer cancel()
//		return svc.downstream.Call(callCtx)
//	}
//
// # The fix
//
// The suggested fix replaces the call with the context in scope (ctx, or
// r.Context() in a handler). Inside a go statement (or a time.AfterFunc
// callback) that the function does not wait for (no later select on
// ctx.Done(), no WaitGroup/errgroup Wait) the work deliberately outlives the
// caller, so the fix is context.WithoutCancel(ctx) instead: it drops the
// cancellation but keeps the request's values such as trace IDs (offered only
// for files at Go 1.21 or later).
//
// # What stays quiet
//
// Tests (_test.go) and generated files; main, init and package-level
// variables; functions with no context in scope; a context parameter named _
// (or unnamed); a parameter that is shadowed at the call or reassigned from
// something else (if ctx == nil { ctx = context.Background() }, ctx =
// context.Background()); deferred cleanup; code that runs after a context is
// done (<-ctx.Done() followed by a graceful Shutdown, a select case on
// ctx.Done(), if ctx.Err() != nil, context.AfterFunc), where the caller's
// context is already cancelled; a goroutine that only hands back an error,
// which the function awaits in a select that returns on ctx.Done() (ctx
// bounds the wait; the work, such as a Close, runs to completion on purpose);
// closures run once for many callers (sync.Once,
// sync.OnceFunc, singleflight); a new root kept in a struct, a field or
// returned (a worker's own lifetime), or used to build a long-lived object (a
// call that returns no error and whose result is kept, such as an OAuth2 token
// source); calls that return nothing and only log, measure or trace (slog,
// log, loggers, metrics and tracing packages and types, Info…/Observe…-style
// names), or a function of the package that uses its context for nothing else
// — a helper that returns nothing but does I/O with its context is reported; a
// trace root continued from a message's headers (ctx = propagator.Extract(ctx,
// carrier)); context.WithoutCancel(ctx) and anything already derived from the
// caller's context. Go's lostcancel (run by plain go vet) already reports
// discarded cancel functions; run both.
package ctxbackground
