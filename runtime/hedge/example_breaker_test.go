package hedge_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/hedge"
)

// Hedged reads of a stock service, gated by its circuit breaker. While the
// breaker is closed, a read stuck on a slow replica is hedged and the backup
// wins. Once the breaker opens (the service is failing as a whole), a stuck
// read is not hedged: a backup would only add load to a service already
// going down, so the read waits for its original call.
func ExampleWithBreaker() {
	stock := breaker.New("stock", breaker.Config{FailureThreshold: 3, OpenTimeout: time.Minute})

	var hedges atomic.Int32
	gateChecked := make(chan bool, 1) // lets the example wait for the gate, not a clock
	opts := []hedge.Option{
		hedge.WithBreaker(func() bool {
			ok := stock.State() != breaker.Open
			gateChecked <- ok
			return ok
		}),
		hedge.WithOnHedge(func() { hedges.Add(1) }),
	}

	// The first call of each read hits a stuck replica: it answers only when
	// released, or gives up when cancelled. Backups answer at once.
	var calls atomic.Int32
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	read := func(ctx context.Context) (string, error) {
		return breaker.Call(ctx, stock, func(ctx context.Context) (string, error) {
			if calls.Add(1) == 1 {
				entered <- struct{}{}
				select {
				case <-release:
					return "7 (slow replica)", nil
				case <-ctx.Done():
					return "", ctx.Err()
				}
			}
			return "7 (backup)", nil
		})
	}
	ctx := context.Background()

	v, err := hedge.Do(ctx, 10*time.Millisecond, read, opts...)
	<-entered
	fmt.Println("closed:", v, err, "hedge allowed:", <-gateChecked, "hedges:", hedges.Load())

	// A second read gets stuck; meanwhile other calls fail and open the breaker.
	calls.Store(0)
	type result struct {
		v   string
		err error
	}
	done := make(chan result)
	go func() {
		v, err := hedge.Do(ctx, 10*time.Millisecond, read, opts...)
		done <- result{v, err}
	}()
	<-entered
	for range 3 {
		_ = stock.Do(ctx, func(context.Context) error { return errors.New("stock service: 503") })
	}
	allowed := <-gateChecked // the hedge delay passed with the breaker open
	close(release)
	r := <-done
	fmt.Println(stock.State().String()+":", r.v, r.err, "hedge allowed:", allowed, "hedges:", hedges.Load())
	// Output:
	// closed: 7 (backup) <nil> hedge allowed: true hedges: 1
	// open: 7 (slow replica) <nil> hedge allowed: false hedges: 1
}
