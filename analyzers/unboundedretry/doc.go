// Package unboundedretry defines an Analyzer that reports retry loops that
// hammer, never stop, ignore cancellation, retry permanent errors or leak
// connections.
//
// # Analyzer unboundedretry
//
// unboundedretry: report retry loops with no bound, no backoff, no cancellation or leaked bodies
//
// A retry of a failing dependency must stop (an attempt limit, a deadline or
// the caller's ctx), wait longer each time with random jitter so that clients
// do not retry in lockstep, wake up when ctx is cancelled, retry only
// transient outcomes (408, 429, 5xx, timeouts; never 400/401/403/404/409/422),
// drain and close each failed response before the next attempt, and send a
// request body that is still there on the second attempt.
//
// Bad:
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
// Good:
//
//	for attempt := 1; attempt <= 5; attempt++ {
//		resp, err := client.Do(req)
//		if err == nil && resp.StatusCode < 500 && resp.StatusCode != 429 {
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
// Calls to retry helpers (cenkalti/backoff, avast/retry-go, runtime/retry) are
// checked for request bodies reused across attempts; their policies bound and
// space the attempts.
package unboundedretry
