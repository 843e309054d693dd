package quiet

import (
	"context"
	"log/slog"
	"time"
)

type Metrics interface {
	ObserveLatency(ctx context.Context, route string, d time.Duration)
}

type Handler struct {
	log     *slog.Logger
	metrics Metrics
}

func (h *Handler) noteLatency(ctx context.Context, route string, start time.Time) {
	h.metrics.ObserveLatency(ctx, route, time.Since(start))
}

// Serve reports on fresh contexts once the request is over: logging and
// metrics cannot act on cancellation, and a cancelled request context
// would drop the record.
func (h *Handler) Serve(ctx context.Context, route string) {
	start := time.Now()
	h.log.InfoContext(context.Background(), "serving", "route", route)
	h.metrics.ObserveLatency(context.Background(), route, time.Since(start))
	h.noteLatency(context.Background(), route, start)
	remember(context.Background(), route)
}

// remember ignores its context: nothing is lost by passing a fresh one.
func remember(_ context.Context, route string) { seen[route] = true }

var seen = map[string]bool{}
