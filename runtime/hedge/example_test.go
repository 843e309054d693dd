package hedge_test

import (
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
