package bulkhead_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilvet/resilvet/runtime/adaptive"
	"github.com/resilvet/resilvet/runtime/bulkhead"
)

// One bulkhead per dependency: when recommendations hangs, it can hold only
// its own two slots; pricing keeps its own and is unaffected.
func Example() {
	recommendations := bulkhead.New("recommendations", 2)
	pricing := bulkhead.New("pricing", 2)

	hang := make(chan struct{})
	running := make(chan struct{})
	for i := 0; i < 2; i++ { // two slow calls fill recommendations
		go recommendations.Do(context.Background(), func(context.Context) error {
			running <- struct{}{}
			<-hang
			return nil
		})
		<-running
	}

	err := recommendations.Do(context.Background(), func(context.Context) error { return nil })
	fmt.Println("recommendations:", err, errors.Is(err, bulkhead.ErrFull))
	err = pricing.Do(context.Background(), func(context.Context) error { return nil })
	fmt.Println("pricing:", err)
	close(hang)
	// Output:
	// recommendations: bulkhead: full true
	// pricing: <nil>
}

// A caller may queue briefly for a slot; the wait ends with ErrFull after
// the max wait, or earlier with ctx's error when the request's own
// deadline runs out first.
func ExampleWithMaxWait() {
	inventory := bulkhead.New("inventory", 1, bulkhead.WithMaxWait(50*time.Millisecond))
	release := make(chan struct{})
	started := make(chan struct{})
	go inventory.Do(context.Background(), func(context.Context) error {
		close(started)
		<-release
		return nil
	})
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	fmt.Println(inventory.Do(ctx, func(context.Context) error { return nil }))
	close(release)
	// Output: context deadline exceeded
}

// Size a bulkhead from measured latency instead of a guess: the adaptive
// limit starts at 20, stays within [5, 200] and follows the dependency's
// capacity.
func ExampleWithLimiter() {
	limit := adaptive.New(adaptive.NewVegas(adaptive.VegasConfig{}), adaptive.WithLimits(20, 5, 200))
	inventory := bulkhead.New("inventory", 0, bulkhead.WithLimiter(limit), bulkhead.WithMaxWait(20*time.Millisecond))
	err := inventory.Do(context.Background(), func(context.Context) error { return nil })
	fmt.Println(err, inventory.Max() >= 5)
	// Output: <nil> true
}
