// Package rate is a stand-in for golang.org/x/time/rate with the part the
// fixtures use: a limiter whose Wait blocks until the next request may go.
package rate

import "context"

// Limit is events per second.
type Limit float64

// Limiter paces events.
type Limiter struct{ limit Limit }

// NewLimiter returns a limiter of r events per second.
func NewLimiter(r Limit, b int) *Limiter { return &Limiter{limit: r} }

// Wait blocks until the limiter lets one event through or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error { return ctx.Err() }
