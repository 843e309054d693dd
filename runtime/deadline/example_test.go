package deadline_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilvet/resilvet/runtime/deadline"
)

// The article's budget: the handler has 500 ms in all; the product
// lookup may use at most 200 ms of it, and the recommendations call gets
// whatever is left, less 20 ms kept back to render the page.
func Example() {
	ctx, cancel := deadline.Start(context.Background(), 500*time.Millisecond)
	defer cancel()

	pctx, pcancel, err := deadline.WithTimeout(ctx, 200*time.Millisecond)
	if err != nil {
		return
	}
	left, _ := deadline.Remaining(pctx)
	fmt.Println("product call may take up to 200ms:", left <= 200*time.Millisecond)
	pcancel()

	rctx, rcancel, err := deadline.WithTimeout(ctx, 0, deadline.WithMargin(20*time.Millisecond))
	if err != nil {
		return
	}
	defer rcancel()
	left, _ = deadline.Remaining(rctx)
	fmt.Println("recommendations get the rest:", left > 200*time.Millisecond && left <= 480*time.Millisecond)
	// Output:
	// product call may take up to 200ms: true
	// recommendations get the rest: true
}

// Don't start a call that cannot finish: with 30 ms left and calls that
// need at least 50 ms, fail fast (and serve a fallback) instead of adding
// load to the dependency.
func ExampleWithMinimum() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := deadline.Timeout(ctx, time.Second, deadline.WithMinimum(50*time.Millisecond))
	fmt.Println(errors.Is(err, deadline.ErrBudgetExhausted))
	// Output: true
}
