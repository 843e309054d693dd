// Package idempotency makes retried requests safe on the server: a request
// carrying an Idempotency-Key runs its handler once; a repeat with the same
// key and the same request gets the stored response replayed instead of a
// second order or a second charge.
//
// Responses live in a Store: NewMemoryStore for one process, or the Redis
// store in the redisstore subpackage to share them between replicas (a retry
// may land on another instance). Importing this package alone adds no
// dependency beyond the standard library.
//
// # Whose key is it
//
// A key is only unique per client: two clients may pick the same one (a
// reused test key, a key copied from a log line). Without WithScope, the
// middleware scopes every key by a SHA-256 digest of the credentials the
// request carries: its Authorization header and its session cookies (the
// names given to WithSessionCookies, by default the common ones listed
// there). Two clients with different credentials never see each other's
// responses. A request with none of these shares one key space with every
// other anonymous request. When the credentials change between a request
// and its retry (a bearer token refreshed in between) the retry is a new
// request; give WithScope a stable identity, such as the authenticated user
// id, in that case or when the service authenticates by other means.
//
// Set-Cookie is never stored and never replayed: the first response carries
// it to its client, a replay carries none.
//
// # What is stored and what is not
//
// A response is stored for replay only when the handler finished with the
// request still alive and the answer is final:
//
//   - Client abort. A response produced after the request's context ended
//     (the client went away, or a deadline set around the handler passed) is
//     not stored, and nor is "nothing written" once the context ended: the
//     reservation is released so that the client's retry runs the handler
//     again. A handler that honours r.Context() has given up its work by
//     then; one that finished the work anyway and wrote its answer too late
//     will run again on the retry. A response whose status was written while
//     the request was alive is stored, even if the client left while the body
//     was being sent.
//   - Server errors. 408, 429, 502, 503 and 504 ask the client to try again
//     and are never stored. Other 5xx answers are not stored either by
//     default: the key is released and a retry runs the handler again. With
//     WithStoreServerErrors(true) they are stored and replayed, for handlers
//     whose 500 can mean "partly done, do not repeat".
//   - Panics release the key and are re-raised.
//
// # When the store fails
//
// The middleware fails closed. If Reserve fails (the store is down, slow
// past the request's deadline, or answers garbage) the request gets 503 and
// the handler does not run. Because the reservation may have landed although
// its reply was lost, the middleware then releases it with the request's own
// owner token, under a fresh context bounded by WithStoreTimeout, so a retry
// is not refused with 409 for the whole in-flight TTL.
//
// Complete and Release run after the handler, under a context detached from
// the request (a client that left must not cancel the bookkeeping) and
// bounded by WithStoreTimeout. If Complete fails, the response has already
// been sent; the error goes to WithOnError and the key stays reserved until
// WithInFlightTTL ends, so repeats get 409 rather than a second run.
package idempotency
