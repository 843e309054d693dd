// Package backoff is a minimal stand-in for github.com/cenkalti/backoff/v5:
// just the signatures the fixtures call.
package backoff

import (
	"context"
	"time"
)

type BackOff interface {
	NextBackOff() time.Duration
	Reset()
}

type ExponentialBackOff struct{ InitialInterval time.Duration }

func NewExponentialBackOff() *ExponentialBackOff { return &ExponentialBackOff{} }

func (b *ExponentialBackOff) NextBackOff() time.Duration { return b.InitialInterval }
func (b *ExponentialBackOff) Reset()                     {}

type Operation[T any] func() (T, error)

type RetryOption func()

func WithBackOff(b BackOff) RetryOption { return func() {} }

func WithMaxTries(n uint) RetryOption { return func() {} }

func Retry[T any](ctx context.Context, operation Operation[T], opts ...RetryOption) (T, error) {
	return operation()
}

func Permanent(err error) error { return err }
