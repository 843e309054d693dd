// Package missingidemkey defines an Analyzer that reports non-idempotent
// HTTP requests retried without one stable idempotency key.
//
// # Analyzer missingidemkey
//
// missingidemkey: report POST and PATCH requests retried without one stable idempotency key
//
// POST and PATCH are not idempotent (RFC 9110): when a response is lost and
// the request is retried, the server runs the operation twice — a second
// order, a second charge. Retried mutating requests must carry an
// Idempotency-Key header whose value is minted once per operation, so that
// every attempt sends the same key and the server can deduplicate.
//
// Bad:
//
//	for attempt := 1; attempt <= 3; attempt++ {
//		req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
//		req.Header.Set("Idempotency-Key", uuid.NewString()) // new key per attempt
//		...
//	}
//
// Good:
//
//	key := retry.NewKey()
//	for attempt := 1; attempt <= 3; attempt++ {
//		req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
//		req.Header.Set("Idempotency-Key", key)
//		...
//	}
//
// Retries are loops that go round on failure, calls to retry helpers
// (cenkalti/backoff, avast/retry-go, runtime/retry) and go-retryablehttp
// clients. The accepted header names are set with -headers.
package missingidemkey
