// Package missingidemkey defines an Analyzer that reports non-idempotent
// HTTP requests retried without one stable idempotency key.
//
// # Analyzer missingidemkey
//
// missingidemkey: report POST and PATCH requests retried without one stable idempotency key
//
// # What it flags
//
// POST and PATCH requests (not idempotent, RFC 9110) sent inside a retry — a
// retry loop, a retry helper's function, or a go-retryablehttp client; sent
// with client.Do, a RoundTripper, a func(*http.Request) (*http.Response,
// error) value or interface method, a function of the package that sends
// the request unchanged, or inside a function handed to a circuit breaker —
// when:
//
//   - no Idempotency-Key header is set on the request (accepted names:
//     -headers, default Idempotency-Key,X-Idempotency-Key), or the send cannot
//     carry headers (http.Post, Client.Post);
//   - the key is generated inside the retry (uuid.New(), rand, time.Now(),
//     retry.NewKey(), a counter, the attempt number, or a function of the
//     package that returns such a value, as makeKey() or
//     fmt.Sprint(time.Now().UnixNano())), so every attempt carries a new key
//     — including a request rebuilt per attempt from a fresh key;
//   - a helper of the package that sets the key to a fresh value (setKey(req),
//     c.sign(req)) is called inside the retry.
//
// GET, HEAD, PUT and DELETE retries, keys derived deterministically from the
// operation (the article's generateIdempotencyKey(userID, productID, amount),
// a digest of the payload), and requests whose headers are set by a helper
// the check cannot see into (of another package) are left alone.
//
// # Why
//
// Retrying a POST whose response was lost runs it twice: a second order, a
// second charge. The article's fix is one key per operation, sent on every
// attempt, so the server deduplicates.
//
// # Bad
//
//	for attempt := 1; attempt <= 3; attempt++ {
//		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(order))
//		req.Header.Set("Idempotency-Key", uuid.NewString()) // a new key per attempt
//		resp, err := client.Do(req)
//		// return on success, wait before the next attempt
//	}
//
// # Good
//
//	key := retry.NewKey() // once per operation
//	for attempt := 1; attempt <= 3; attempt++ {
//		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(order))
//		req.Header.Set("Idempotency-Key", key)
//		resp, err := client.Do(req)
//		// return on success, wait before the next attempt
//	}
//
// # The fix
//
// A key defined inside the loop (key := uuid.NewString()) that depends on
// nothing the loop makes is moved above the loop. A missing header is added
// right after the request is built (after its error check) with idempotencyKey
// := retry.NewKey() minted above the loop, importing runtime/retry.
package missingidemkey
