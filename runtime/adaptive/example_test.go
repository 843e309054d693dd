package adaptive_test

import (
	"context"
	"fmt"

	"github.com/resilvet/resilvet/runtime/adaptive"
)

// Shed load in front of a dependency: calls beyond the current limit fail
// at once with ErrLimited, and the limit follows the dependency's latency.
func Example() {
	var seen []string
	limit := adaptive.New(adaptive.NewAIMD(adaptive.AIMDConfig{}),
		adaptive.WithLimits(10, 2, 100),
		adaptive.WithOnLimitChange(func(old, new int) { seen = append(seen, fmt.Sprint(old, "->", new)) }))

	overloaded := fmt.Errorf("inventory: 503")
	_ = limit.Do(context.Background(), func(ctx context.Context) error { return overloaded })
	fmt.Println(limit.Limit(), limit.InFlight(), seen)
	// Output: 5 0 [10->5]
}

// Report outcomes by hand when the call is not a single function, such as a
// stream: Success feeds its RTT to the algorithm, Dropped shrinks the limit,
// Ignore gives the slot back without a sample.
func ExampleLimiter_TryAcquire() {
	limit := adaptive.New(adaptive.NewGradient2(adaptive.Gradient2Config{}))
	tok, ok := limit.TryAcquire()
	if !ok {
		fmt.Println("shed")
		return
	}
	// ... do the work ...
	tok.Success()
	fmt.Println(limit.InFlight())
	// Output: 0
}
