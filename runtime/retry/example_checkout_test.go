package retry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/bulkhead"
	"github.com/resilvet/resilvet/runtime/deadline"
	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/retry"
)

// statusError is an HTTP answer the caller treats as a failed attempt.
type statusError struct{ code int }

func (e *statusError) Error() string { return fmt.Sprintf("order service: %d", e.code) }

// The checkout call of the article "Building Resilient Distributed Systems
// with Go", with every policy of the runtime around it. The request handling
// the checkout has 500ms in all; the call to the order service gets what is
// left less a margin for writing the response. Each attempt passes the
// dependency's breaker (no attempts at all while the order service is known
// to be down) and bulkhead (a slow order service cannot take every goroutine
// of this one), and has its own slice of the budget. One Idempotency-Key
// covers every attempt, so the order service, behind idempotency.Middleware,
// creates exactly one order although it failed twice before answering.
func Example_checkoutAllPolicies() {
	var runs, orders atomic.Int32
	orderService := idempotency.Middleware(idempotency.NewMemoryStore())(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if runs.Add(1) <= 2 { // overloaded for the first two attempts
				http.Error(w, "overloaded", http.StatusServiceUnavailable)
				return
			}
			n := orders.Add(1)
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"order":"o-%d"}`, n)
		}))
	srv := httptest.NewServer(orderService)
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	// One breaker and one bulkhead per dependency, shared by all its calls.
	ordersBreaker := breaker.New("orders", breaker.Config{FailureThreshold: 5, OpenTimeout: 10 * time.Second})
	ordersBulkhead := bulkhead.New("orders", 20, bulkhead.WithMaxWait(20*time.Millisecond))
	policy := retry.Policy{
		MaxAttempts: 4,
		BaseDelay:   5 * time.Millisecond,
		MaxDelay:    20 * time.Millisecond,
		// Retrying into an open breaker only burns the budget.
		Retryable: func(err error) bool { return !errors.Is(err, breaker.ErrOpen) },
	}
	attempts := 0
	policy.OnAttempt = func(retry.Attempt) { attempts++ }

	checkout := func(ctx context.Context, key string) (string, error) {
		// The whole call, every attempt and wait included, leaves 50ms for us.
		ctx, cancel, err := deadline.WithTimeout(ctx, 0, deadline.WithMargin(50*time.Millisecond))
		if err != nil {
			return "", err
		}
		defer cancel()
		var order string
		err = retry.Do(ctx, policy, func(ctx context.Context) error {
			return ordersBreaker.Do(ctx, func(ctx context.Context) error {
				return ordersBulkhead.Do(ctx, func(ctx context.Context) error {
					// At most 200ms per attempt, and none started with under 10ms left.
					actx, acancel, err := deadline.WithTimeout(ctx, 200*time.Millisecond, deadline.WithMinimum(10*time.Millisecond))
					if err != nil {
						return retry.Permanent(err)
					}
					defer acancel()
					req, err := http.NewRequestWithContext(actx, http.MethodPost, srv.URL+"/orders",
						strings.NewReader(`{"sku":"42","amount":"9.99"}`))
					if err != nil {
						return retry.Permanent(err)
					}
					req.Header.Set(idempotency.Header, key) // the same key on every attempt
					resp, err := client.Do(req)
					if err != nil {
						return err
					}
					defer resp.Body.Close()
					body, err := io.ReadAll(resp.Body)
					if err != nil {
						return err
					}
					if resp.StatusCode != http.StatusCreated {
						serr := &statusError{resp.StatusCode}
						if !retry.RetryableStatus(resp.StatusCode) {
							return retry.Permanent(serr)
						}
						return serr
					}
					order = string(body)
					return nil
				})
			})
		})
		return order, err
	}

	// handle serves one incoming checkout request, which has 500ms in all.
	handle := func(key string) {
		ctx, cancel := deadline.Start(context.Background(), 500*time.Millisecond)
		defer cancel()
		order, err := checkout(ctx, key)
		fmt.Println(order, err)
	}

	key := retry.NewKey() // one key per checkout, not per attempt
	handle(key)
	fmt.Println("attempts:", attempts, "handler runs:", runs.Load(), "orders created:", orders.Load())
	fmt.Println("breaker:", ordersBreaker.State(), "bulkhead in flight:", ordersBulkhead.InFlight())

	// The client lost that response and checks out again with the same key:
	// the order service replays the order instead of charging twice.
	attempts = 0
	handle(key)
	fmt.Println("attempts:", attempts, "handler runs:", runs.Load(), "orders created:", orders.Load())
	// Output:
	// {"order":"o-1"} <nil>
	// attempts: 3 handler runs: 3 orders created: 1
	// breaker: closed bulkhead in flight: 0
	// {"order":"o-1"} <nil>
	// attempts: 1 handler runs: 3 orders created: 1
}
