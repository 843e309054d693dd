package quiet

import (
	"context"
	"log/slog"
	"net/http"
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

type Watcher struct{ events chan string }

// watch starts a loop that lives as long as the watcher, not as long as
// the call that set it up.
func (w *Watcher) watch(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-w.events:
				slog.Info("event", "name", e)
			}
		}
	}()
}

// Setup starts the watcher's loop on a root of its own.
func (w *Watcher) Setup(ctx context.Context, pool *Pool) {
	w.watch(context.Background())
	pool.StartReaper(context.Background())
}

type Pool struct{ reaperCtx context.Context }

// StartReaper keeps ctx for a reaper that runs until the pool closes.
func (p *Pool) StartReaper(ctx context.Context) { p.reaperCtx = ctx }

// handleQuit stops the process from an admin request: the shutdown stops
// the server that serves the request, so it cannot run on its context.
func handleQuit(w http.ResponseWriter, r *http.Request) {
	exitProcess(context.Background(), "admin request")
	w.WriteHeader(http.StatusAccepted)
}

func exitProcess(ctx context.Context, reason string) {
	slog.Info("exiting", "reason", reason)
	drain(ctx)
}

func drain(ctx context.Context) { <-ctx.Done() }
