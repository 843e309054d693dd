package hedge_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/resilvet/resilvet/runtime/hedge"
)

// A product page reads stock from a replica set whose first answer is stuck
// behind a slow query: the hedge fires after the observed p95 (10ms until the
// estimator has samples) and the fast answer wins; the stuck request is
// cancelled, and no hedging happens while the breaker is open.
func ExampleNewTransport() {
	var n atomic.Int32
	stock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done() // the slow replica, until the client gives up on it
			return
		}
		fmt.Fprint(w, `{"sku":42,"stock":7}`)
	}))
	defer stock.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()

	var breakerOpen atomic.Bool // stands in for the dependency's circuit breaker
	var hedges atomic.Int32
	client := &http.Client{Transport: hedge.NewTransport(base, 10*time.Millisecond,
		hedge.WithEstimator(hedge.NewEstimator(0.95)),
		hedge.WithBreaker(func() bool { return !breakerOpen.Load() }),
		hedge.WithOnHedge(func() { hedges.Add(1) }),
	)}
	resp, err := client.Get(stock.URL + "/stock/42")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body), "hedges:", hedges.Load())
	// Output: {"sku":42,"stock":7} hedges: 1
}

// A call that lost the race and panics afterwards cannot take Do's caller
// down with it, nor the process: the panic is recovered and handed to the
// hook (here a log line; without the hook it goes to slog.Default).
func ExampleWithOnLatePanic() {
	reported := make(chan any, 1)
	release := make(chan struct{})
	var calls atomic.Int32
	v, err := hedge.Do(context.Background(), 0, func(ctx context.Context) (string, error) {
		if calls.Add(1) == 1 {
			<-release // stuck, then crashes on a nil map once it wakes
			var m map[string]int
			m["x"]++
		}
		return "from the backup", nil
	}, hedge.WithOnLatePanic(func(p any, stack []byte) { reported <- p }))
	fmt.Println(v, err)
	close(release)
	fmt.Println("recovered:", <-reported)
	// Output:
	// from the backup <nil>
	// recovered: assignment to entry in nil map
}
