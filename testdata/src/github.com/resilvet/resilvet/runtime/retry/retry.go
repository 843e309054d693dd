// Package retry holds the signatures of resilvet's runtime/retry that the
// fixtures call. FixedIsClean replaces this file by the real package.
package retry

import (
	"context"
	"time"
)

type Policy struct {
	MaxAttempts         int
	BaseDelay, MaxDelay time.Duration
}

func Backoff(p Policy, attempt int) time.Duration { return p.BaseDelay }

func Wait(ctx context.Context, d time.Duration) error { return ctx.Err() }

func NewKey() string { return "" }

func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error { return fn(ctx) }
