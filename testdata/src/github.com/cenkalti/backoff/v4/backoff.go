// Package backoff is a minimal stand-in for github.com/cenkalti/backoff/v4:
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

type ExponentialBackOff struct {
	InitialInterval time.Duration
	MaxElapsedTime  time.Duration
}

func NewExponentialBackOff() *ExponentialBackOff { return &ExponentialBackOff{} }

func (b *ExponentialBackOff) NextBackOff() time.Duration { return b.InitialInterval }
func (b *ExponentialBackOff) Reset()                     {}

type Operation func() error

type Notify func(error, time.Duration)

func Retry(o Operation, b BackOff) error { return o() }

func RetryNotify(o Operation, b BackOff, n Notify) error { return o() }

func WithContext(b BackOff, ctx context.Context) BackOff { return b }

func WithMaxRetries(b BackOff, max uint64) BackOff { return b }

func Permanent(err error) error { return err }
