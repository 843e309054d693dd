// Package redisstore keeps idempotency records in Redis, so that every
// replica of a service sees the same keys: a retry that lands on another
// instance is replayed, not run again.
//
// It takes a go-redis client that you configured (redis.NewClient,
// redis.NewFailoverClient for Sentinel, redis.NewClusterClient, or
// redis.NewUniversalClient), so TLS, ACL users, pool sizes, timeouts, health
// checks and reconnection are the client's: a pooled connection that the
// server closed (its idle timeout, a restart) is detected and replaced, and a
// command that failed on a broken connection is resent, instead of failing
// the request. This package is a separate import so that
// runtime/idempotency alone does not pull go-redis into a build.
//
// Each operation is one Lua script on one key (redis.NewScript, run with
// EVALSHA and EVAL as fallback), so it is atomic on the server: Reserve takes
// the key only if it is absent, and Complete and Release act only while the
// key is absent or holds the caller's owner token. A key is the prefix and a
// digest of the middleware's key in braces, a Cluster hash tag: the
// operation's data hash to one slot, and works the same on Cluster.
//
// # Failures
//
//   - Redis unreachable, or failing: Reserve returns an error and the
//     middleware answers 503 without running the handler (it fails closed).
//   - Redis slower than the request's deadline: with ContextTimeoutEnabled
//     set on the client, Reserve gives up at the deadline and the request gets
//     503. The SET may still have landed, so the middleware releases the key
//     with the request's owner token under its own short timeout
//     (idempotency.WithStoreTimeout); a retry then runs instead of getting 409
//     until the in-flight TTL ends. Without ContextTimeoutEnabled the client's
//     ReadTimeout bounds each call instead.
//   - A command resent after a lost reply: Reserve treats a key already
//     holding its own token as reserved by it, Complete and Release are
//     idempotent, so a resend never turns into a 409 or a lost result.
//   - Redis restarted without persistence: records are lost with it. A
//     request whose reservation vanished still stores its result when it
//     completes, so a retry sees it; a retry arriving in between runs the
//     handler again. Use persistence (AOF) or replicas where that matters.
//   - Client abort and 5xx: the middleware decides, whatever the store.
//     An answer written after the request's context ended is not stored and
//     the key is released; so are 5xx answers unless
//     idempotency.WithStoreServerErrors(true). See the runtime/idempotency
//     package documentation.
package redisstore
