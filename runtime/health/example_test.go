package health_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/resilvet/resilvet/runtime/health"
)

// A product page needs inventory to serve and can render without
// recommendations, so only inventory's failure takes it out of rotation.
func Example() {
	h := health.New()
	h.Add(health.Check{Name: "inventory-db", Critical: true, Func: func(ctx context.Context) error {
		return nil // e.g. db.PingContext(ctx)
	}})
	recsOpen := true // e.g. health.BreakerOpen(recsBreaker)
	h.Add(health.BreakerCheck("recommendations", false, func() bool { return recsOpen }))

	mux := http.NewServeMux()
	mux.Handle("/healthz", h.Liveness())
	mux.Handle("/readyz", h.Readiness())

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	rep := h.Run(context.Background())
	fmt.Println(rec.Code, rep.Status, rep.Failed)

	h.Add(health.Check{Name: "payments", Critical: true, Func: func(context.Context) error {
		return errors.New("dial tcp: connection refused")
	}})
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	fmt.Println(rec.Code)
	// Output:
	// 200 degraded [recommendations]
	// 503
}
