// Package unboundedretry defines an Analyzer that reports retry loops that
// hammer, never stop, ignore cancellation, retry permanent errors or leak
// connections.
//
// # Analyzer unboundedretry
//
// unboundedretry: report retry loops with no bound, no backoff, no cancellation or leaked bodies
//
// # What it flags
//
// Retries that make a failing dependency worse. A retry is a loop whose body
// makes a fallible call (one returning an error, or (*http.Response, error))
// and that leaves on success but goes round again on failure; loops over work
// items, pollers on a ticker, worker and read/accept loops are not retries.
// The loop may be any cycle: a for statement (its exits decided by the
// status or by a helper of the package given the outcome, such as
// !s.retryable(res)), a goto back to a label, or a function that calls
// itself again with the same arguments after a failure. A helper that
// compares the attempt counter it is given to a limit bounds the retry, and
// so does a counter or flag parameter of a recursion. Waiting for a state
// (a long poll, a lock held elsewhere, a queued job) and following a
// redirect are not retries.
// For each retry the check reports, once per problem:
//
//   - no bound at all: no attempt limit, no deadline, no ctx.Err()/ctx.Done()
//     exit;
//   - no wait between attempts, or a constant one (time.Sleep(time.Second)); a
//     wait that grows but has no randomness gets a lighter message (clients
//     that failed together retry together);
//   - a wait that ignores cancellation (time.Sleep, <-time.After outside a
//     select with ctx.Done(), or a wait of the package's own that sleeps: a
//     helper such as s.pause(ctx, n), an interface whose implementations
//     here sleep, a function-valued field set to time.Sleep) while a context
//     is in scope: a context.Context variable or parameter, a field holding
//     one (s.ctx), or the context of a request the function was given
//     (r.Context(), job.req.Context()). A delay computed by a helper of the
//     package, or by the function its constructor puts in a backoff field,
//     is judged like an inline one (growing, jittered);
//   - a branch that retries permanent statuses (>= 400, != 200, or a loop that
//     stops only on 200): 400, 401, 403, 404, 409 and 422 never succeed on a
//     second try; 408, 429 and 5xx may;
//   - a response body left open (and undrained) when the next attempt starts,
//     on any path: a status case that logs and continues while the others
//     close, a default that falls through, or a close deferred inside the loop
//     (it runs only when the function returns). Each retry then holds another
//     connection that is never reused. When err != nil the response is nil, so
//     that path needs no close;
//   - a request body the first attempt consumes: one *http.Request with a body
//     sent again without GetBody, or a
//     bytes.Reader/strings.Reader/bytes.Buffer built outside the loop and
//     passed to NewRequest inside it.
//
// A send is not only client.Do: a RoundTripper's RoundTrip, a call of a
// func(*http.Request) (*http.Response, error) value, field or interface
// method (a middleware chain), a function of the package that sends the
// request it is given, a call that returns (*http.Response, error) (a
// pipeline's req.Next()), and a send inside a function the loop hands to a
// circuit breaker or retry library all count.
//
// Calls to retry helpers (cenkalti/backoff v4/v5 Retry, avast/retry-go Do,
// runtime/retry.Do, more with
// -unboundedretry.retry-helpers=importpath.Func,..., or the same flag of
// missingidemkey) are checked for reused request bodies; their policies bound
// and space the attempts. Retries in _test.go files and in test-harness
// packages (e2e, testutil, mocks, ...) are not checked. Wait findings, and the
// no-bound finding of a loop that does not wait, are only made for retries of
// a remote call (an HTTP send, net, database/sql, a function taking a
// context.Context first, or a dial/send/fetch-style name): a local retry such
// as an optimistic-concurrency conflict needs no backoff, and neither does a
// remote update retried only on a write conflict (errors.IsConflict(err),
// status 409): the server answered, and each round some writer wins. A
// package helper whose blind sleep is clamped to at most a second delays a
// cancellation that little and is not reported. A call that is told
// the attempt number (c.process(ctx, cmd, attempt)) or that sleeps itself is
// trusted to back off.
//
// # Why
//
// The article's checkout loop retries three times with no wait, re-sends a
// drained body and leaves 5xx bodies open. During the incident every client
// retries at once, in lockstep, for as long as the dependency is down: the
// retries are the load that keeps it down. Waits must grow, be jittered and
// end with the caller's context.
//
// # Bad
//
//	for {
//		resp, err := client.Do(req)
//		if err != nil {
//			time.Sleep(time.Second)
//			continue
//		}
//		if resp.StatusCode >= 400 {
//			continue
//		}
//		return resp, nil
//	}
//
// # Good
//
//	policy := retry.Policy{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond}
//	for attempt := 1; attempt <= policy.MaxAttempts; attempt++ {
//		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
//		if err != nil {
//			return nil, err
//		}
//		resp, err := client.Do(req)
//		if err == nil && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
//			return resp, nil
//		}
//		if err == nil {
//			io.Copy(io.Discard, resp.Body)
//			resp.Body.Close()
//		}
//		if err := retry.Wait(ctx, retry.Backoff(policy, attempt)); err != nil {
//			return nil, err
//		}
//	}
//
// or simply retry.Do(ctx, policy, fn).
//
// # The fix
//
// Before a continue that leaks a response: io.Copy(io.Discard, resp.Body);
// resp.Body.Close() (adding the io import). A constant time.Sleep(d) in a loop
// with a context and an attempt counter, in a function whose results allow an
// early return ..., err, becomes if err := retry.Wait(ctx,
// retry.Backoff(retry.Policy{BaseDelay: d}, attempt)); err != nil { return
// ..., err } (importing runtime/retry). Other findings are reported without a
// fix.
package unboundedretry
