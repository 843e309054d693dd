package redisstore_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/idempotency/redisstore"
)

// Every replica shares one Redis, so a retry that lands on another replica
// is replayed. The client is yours: here a single node; a Sentinel or
// Cluster client (redis.NewUniversalClient) works the same.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{
		Addr:                  "redis.internal:6379",
		ContextTimeoutEnabled: true, // the request's deadline bounds each store call
		ReadTimeout:           time.Second,
	})
	defer rdb.Close()

	create := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintln(w, "order created")
	})
	// Redis down or stalled: 503 and the handler does not run. A 5xx from
	// the handler, or an answer written after the client left, is not
	// stored: the retry runs again.
	h := idempotency.Middleware(redisstore.New(rdb, redisstore.WithPrefix("orders:")),
		idempotency.WithStoreTimeout(2*time.Second))(create)
	http.Handle("POST /orders", h)
}
