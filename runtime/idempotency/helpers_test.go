package idempotency_test

import (
	"context"
	"time"

	"github.com/resilvet/resilvet/runtime/idempotency"
)

// setCookieKept is a store that adds a Set-Cookie to every record it keeps.
type setCookieKept struct{ idempotency.Store }

func (s *setCookieKept) Complete(ctx context.Context, key, token string, rec *idempotency.Record, ttl time.Duration) error {
	r := *rec
	r.Header = rec.Header.Clone()
	r.Header.Add("Set-Cookie", "session=someone-elses")
	return s.Store.Complete(ctx, key, token, &r, ttl)
}
