// Package helper is an in-house retry helper, registered with -retry-helpers.
package helper

import "context"

func Retry(ctx context.Context, attempts int, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
	}
	return err
}
