package realworld

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// A liveness handler made to ping the database "so that postgres-down is
// not a false green", with a short timeout and a few seconds of caching.
// The cache bounds the pings, not the restarts: every instance still fails
// liveness together while the database is slow (the shape of a server
// whose /health liveness handler was changed to ping its pool).

type Pool interface {
	Ping(ctx context.Context) error
}

type liveness struct {
	pool    Pool
	mu      sync.Mutex
	checked time.Time
	err     error
}

func (l *liveness) compute(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.checked) < 3*time.Second {
		return l.err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	l.err, l.checked = l.pool.Ping(ctx), time.Now()
	return l.err
}

func (l *liveness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := l.compute(r.Context()); err != nil {
		http.Error(w, `{"status":"error"}`, http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte(`{"status":"ok"}`))
}

func Serve(mux *http.ServeMux, pool Pool) {
	mux.Handle("/healthz", &liveness{pool: pool}) // want `liveness endpoint /healthz calls a dependency \(l.pool.Ping at line 35\)`
}
