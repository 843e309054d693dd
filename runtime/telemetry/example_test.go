package telemetry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resilvet/resilvet/runtime/adaptive"
	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/bulkhead"
	"github.com/resilvet/resilvet/runtime/hedge"
	"github.com/resilvet/resilvet/runtime/retry"
	"github.com/resilvet/resilvet/runtime/telemetry"
)

// Wiring every policy of one dependency to the metrics the alert rules in
// alerts/resilience.yml query, and serving them on /metrics.
func Example() {
	reg := prometheus.NewRegistry()
	m := telemetry.New(reg, "product-page")

	// Breaker: transitions counted, state exported.
	b := m.NewBreaker("recommendations", breaker.Config{FailureThreshold: 1})
	// Bulkhead backed by an adaptive limit: rejections counted, in-flight
	// and capacity read at scrape time, limit changes counted.
	lim := adaptive.New(adaptive.NewAIMD(adaptive.AIMDConfig{}),
		adaptive.WithOnLimitChange(m.OnLimitChange("recommendations")))
	m.Limiter("recommendations", lim)
	bh := m.NewBulkhead("recommendations", 0, bulkhead.WithLimiter(lim))
	// Retries and hedges: attempts and backups counted.
	client := &http.Client{Transport: retry.NewTransport(
		hedge.NewTransport(nil, 0, m.Hedge("recommendations")...),
		m.Retry("recommendations", retry.Policy{}))}
	_ = client // calls to recommendations go through client

	// One failed call: the breaker opens, and the adaptive limit (20 by
	// default) halves on the dropped call.

	_ = bh.Do(context.Background(), func(ctx context.Context) error {
		return b.Do(ctx, func(context.Context) error { return errors.New("timeout") })
	})

	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "circuit_breaker_state") || strings.HasPrefix(line, "bulkhead_max") {
			fmt.Println(line)
		}
	}
	// Output:
	// bulkhead_max_concurrent{dependency="recommendations",service="product-page"} 10
	// circuit_breaker_state{dependency="recommendations",service="product-page"} 1
	// circuit_breaker_state_changes_total{dependency="recommendations",service="product-page",to_state="closed"} 0
	// circuit_breaker_state_changes_total{dependency="recommendations",service="product-page",to_state="half-open"} 0
	// circuit_breaker_state_changes_total{dependency="recommendations",service="product-page",to_state="open"} 1
}
