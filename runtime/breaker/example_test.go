package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/bulkhead"
	"github.com/resilvet/resilvet/runtime/deadline"
)

// One breaker per dependency: when inventory keeps failing, checkout stops
// waiting on it and falls back at once instead of spending a timeout per
// request.
func Example() {
	inventory := breaker.New("inventory", breaker.Config{
		FailureThreshold: 5,                // five failures in a row open it
		OpenTimeout:      30 * time.Second, // then one probe after 30s
		OnStateChange: func(name string, from, to breaker.State) {
			fmt.Printf("%s: %s -> %s\n", name, from, to)
		},
	})
	down := errors.New("inventory: connection refused")
	stock := func(ctx context.Context) (int, error) { return 0, down }

	for i := 0; i < 7; i++ {
		n, err := breaker.Call(context.Background(), inventory, stock)
		if errors.Is(err, breaker.ErrOpen) {
			fmt.Println("call", i, "rejected: serve cached stock")
			continue
		}
		fmt.Println("call", i, n, err)
	}
	// Output:
	// call 0 0 inventory: connection refused
	// call 1 0 inventory: connection refused
	// call 2 0 inventory: connection refused
	// call 3 0 inventory: connection refused
	// inventory: closed -> open
	// call 4 0 inventory: connection refused
	// call 5 rejected: serve cached stock
	// call 6 rejected: serve cached stock
}

// A failure-rate breaker suits high-volume dependencies where a few errors
// are normal: it opens when half the calls of the last 10 seconds failed,
// once at least 20 were made, and treats calls slower than 2s as failures.
// Canceled requests are never held against the dependency.
func ExampleConfig_failureRate() {
	search := breaker.New("search", breaker.Config{
		FailureRate:    0.5,
		MinCalls:       20,
		Window:         10 * time.Second,
		SlowCall:       2 * time.Second,
		HalfOpenProbes: 3, // three successes in a row before trusting it again
	})
	err := search.Do(context.Background(), func(ctx context.Context) error { return nil })
	fmt.Println(err, search.State())
	// Output: <nil> closed
}

// The layering the article's incident timeline relies on, for one
// dependency: the request's deadline bounds everything, the bulkhead caps
// how many requests can be stuck on inventory (so pricing and
// recommendations keep their own goroutines), and the breaker inside it
// fails fast while inventory is down. With the bulkhead outside, its own
// ErrFull never counts as a failure of the dependency.
func Example_layered() {
	inventory := breaker.New("inventory", breaker.Config{SlowCall: time.Second})
	slots := bulkhead.New("inventory", 30, bulkhead.WithMaxWait(10*time.Millisecond))

	checkStock := func(ctx context.Context, sku string) (int, error) {
		ctx, cancel, err := deadline.WithTimeout(ctx, 200*time.Millisecond, deadline.WithMinimum(20*time.Millisecond))
		defer cancel()
		if err != nil {
			return 0, err // too late to be worth asking
		}
		n := 0
		err = slots.Do(ctx, func(ctx context.Context) error {
			n, err = breaker.Call(ctx, inventory, func(ctx context.Context) (int, error) {
				return 7, nil // the real call, e.g. an HTTP request made with ctx
			})
			return err
		})
		return n, err
	}

	ctx, cancel := deadline.Start(context.Background(), 500*time.Millisecond)
	defer cancel()
	fmt.Println(checkStock(ctx, "sku-42"))
	// Output: 7 <nil>
}
