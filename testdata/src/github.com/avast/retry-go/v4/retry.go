// Package retry is a minimal stand-in for github.com/avast/retry-go/v4:
// just the signatures the fixtures call.
package retry

import "context"

type RetryableFunc func() error

type Option func()

func Attempts(n uint) Option { return func() {} }

func Context(ctx context.Context) Option { return func() {} }

func Do(retryableFunc RetryableFunc, opts ...Option) error { return retryableFunc() }
