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
// Inside a function that has a context.Context parameter (or an *http.Request
// parameter, whose Context method returns the request's context), including
// closures nested in it, a call to context.Background or context.TODO that is
// passed as an argument, used as the parent of WithTimeout, WithDeadline,
// WithCancel or WithValue, or stored in a local variable that is used later
// starts a new root context and drops the caller's deadline and cancellation:
//
//	func (svc *Service) CallDownstream(ctx context.Context) error {
//		newCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
//		defer cancel()
//		return svc.downstream.Call(newCtx)
//	}
//
// Derive from the context in scope instead; the tighter deadline wins:
//
//	func (svc *Service) CallDownstream(ctx context.Context) error {
//		callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
//		defer cancel()
//		return svc.downstream.Call(callCtx)
//	}
//
// The suggested fix replaces the call with the context in scope (ctx or
// r.Context()). Work started with a go statement that the function does not
// wait for deliberately outlives the caller; there the fix is
// context.WithoutCancel(ctx), which keeps the caller's values (trace IDs) but
// not its cancellation.
//
// The check stays quiet in tests, main, init and package-level variables, for
// a context parameter named _, where the parameter is shadowed or reassigned,
// in deferred cleanup, once the code has waited for a context to be done
// (graceful shutdown needs a fresh context), in closures shared by several
// callers (sync.Once, singleflight), for contexts stored in fields or
// returned, for calls that return nothing and only log, measure or trace (or
// a function of the package that uses its context for nothing else), and
// for a trace root continued from a message's headers with a propagator's
// Extract.
package ctxbackground
