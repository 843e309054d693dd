package retry

import (
	"math"
	"sync/atomic"
)

// Budget throttles retries across many calls, as gRPC's retry throttling
// does: a token bucket holding up to MaxTokens; every failed attempt takes
// one token, every success gives back Ratio tokens, and retries are allowed
// only while more than half the bucket is full. When most calls fail, the
// bucket drains and each call makes a single attempt, so retries stop adding
// load to a dependency that is already struggling; successes refill it.
//
// A Budget is safe for concurrent use and allocates nothing. A nil *Budget
// allows every retry.
type Budget struct {
	max   int64 // capacity in milli-tokens
	ratio int64 // milli-tokens returned per success
	// tokens is the current fill in milli-tokens (fixed point keeps it atomic).
	tokens atomic.Int64
}

// Defaults of NewBudget, the values gRPC documents as an example.
const (
	DefaultBudgetTokens = 10
	DefaultBudgetRatio  = 0.1
)

// NewBudget returns a full budget of maxTokens tokens refilled by ratio per
// success. Non-positive arguments take the defaults (10 tokens, 0.1).
func NewBudget(maxTokens, ratio float64) *Budget {
	if maxTokens <= 0 || math.IsNaN(maxTokens) {
		maxTokens = DefaultBudgetTokens
	}
	if ratio <= 0 || math.IsNaN(ratio) {
		ratio = DefaultBudgetRatio
	}
	b := &Budget{max: int64(maxTokens * 1000), ratio: int64(ratio * 1000)}
	if b.ratio < 1 {
		b.ratio = 1
	}
	b.tokens.Store(b.max)
	return b
}

// Tokens returns the current fill, for metrics.
func (b *Budget) Tokens() float64 {
	if b == nil {
		return math.Inf(1)
	}
	return float64(b.tokens.Load()) / 1000
}

func (b *Budget) allow() bool {
	return b == nil || b.tokens.Load() > b.max/2
}

func (b *Budget) failure() {
	if b == nil {
		return
	}
	for {
		t := b.tokens.Load()
		n := max(t-1000, 0)
		if t == n || b.tokens.CompareAndSwap(t, n) {
			return
		}
	}
}

func (b *Budget) success() {
	if b == nil {
		return
	}
	for {
		t := b.tokens.Load()
		n := min(t+b.ratio, b.max)
		if t == n || b.tokens.CompareAndSwap(t, n) {
			return
		}
	}
}
