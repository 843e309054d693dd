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

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/retry"
)

// The article's checkout call, made safe: a deadline for the whole call,
// retries on transient failures only, and one idempotency key for every
// attempt, so the order service (deduplicating with idempotency.Middleware)
// creates one order however many attempts reach it.
func Example_checkout() {
	var runs atomic.Int32
	orderService := idempotency.Middleware(idempotency.NewMemoryStore())(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if runs.Add(1) <= 2 { // overloaded for the first two attempts
				http.Error(w, "overloaded", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"order":"o-1"}`)
		}))
	srv := httptest.NewServer(orderService)
	defer srv.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()

	client := &http.Client{Transport: retry.NewTransport(base, retry.Policy{
		MaxAttempts: 4,
		BaseDelay:   10 * time.Millisecond,
		MaxDelay:    time.Second,
	})}

	// The caller's budget covers every attempt and every wait.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	checkout := func(key string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/orders",
			strings.NewReader(`{"sku":"42","amount":"9.99"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(retry.KeyHeader, key) // omit it and the transport mints one per call
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println("checkout failed:", err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, string(body), "replayed:", resp.Header.Get(idempotency.ReplayedHeader) == "true")
	}

	key := retry.NewKey() // one key per checkout, not per attempt
	checkout(key)
	// The client lost the response and tries the whole checkout again: same key,
	// so the service replays the order instead of charging twice.
	checkout(key)
	fmt.Println("handler runs:", runs.Load())
	// Output:
	// 201 {"order":"o-1"} replayed: false
	// 201 {"order":"o-1"} replayed: true
	// handler runs: 3
}

func ExampleDo() {
	errUnavailable := errors.New("inventory unavailable")
	errNotFound := errors.New("no such sku")
	attempts := 0
	err := retry.Do(context.Background(), retry.Policy{MaxAttempts: 5, BaseDelay: time.Millisecond},
		func(ctx context.Context) error {
			attempts++
			if attempts < 3 {
				return errUnavailable // transient: retried
			}
			return retry.Permanent(errNotFound) // will not change: stop now
		})
	fmt.Println(err, "after", attempts, "attempts")
	// Output: no such sku after 3 attempts
}

// A hand-written loop that must stay a loop: bounded attempts, jittered
// exponential backoff, and a wait that ends with the context.
func ExampleWait() {
	ctx := context.Background()
	p := retry.Policy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
	for attempt := 1; attempt <= 3; attempt++ {
		fmt.Println("attempt", attempt)
		if attempt == 3 {
			break
		}
		if err := retry.Wait(ctx, retry.Backoff(p, attempt)); err != nil {
			fmt.Println(err)
			return
		}
	}
	// Output:
	// attempt 1
	// attempt 2
	// attempt 3
}

func ExampleNewKey() {
	fmt.Println(len(retry.NewKey()), retry.NewKey() != retry.NewKey())
	// Output: 32 true
}
