// Package quiet holds health endpoints written as the article asks; the
// check must report none of them.
package quiet

import (
	"context"
	"database/sql"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/resilvet/resilvet/runtime/health"
)

type Server struct {
	db      *sql.DB
	dbOK    atomic.Bool
	started time.Time
	checker *health.Checker
}

func (s *Server) Routes(mux *http.ServeMux) {
	// Liveness: the process only.
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	// Readiness may check dependencies.
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := s.db.PingContext(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	// The runtime's probes: Liveness checks nothing but the process.
	mux.Handle("/livez", s.checker.Liveness())
	mux.Handle("/ready", s.checker.Readiness())
	// A background checker stores the result; the probe only reads it.
	mux.HandleFunc("/liveness", s.cached)
	// /health is not a liveness path by default.
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if s.db.PingContext(r.Context()) != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	// A live video stream is not a probe.
	mux.HandleFunc("/video/live", func(w http.ResponseWriter, r *http.Request) {
		rows, err := s.db.QueryContext(r.Context(), "SELECT url FROM streams")
		if err == nil {
			rows.Close()
		}
	})
	// The probe starts a refresh but does not wait for it.
	mux.HandleFunc("/health/live", func(w http.ResponseWriter, r *http.Request) {
		go s.refresh(context.WithoutCancel(r.Context()))
		w.WriteHeader(http.StatusOK)
	})
}

func (s *Server) cached(w http.ResponseWriter, r *http.Request) {
	if time.Since(s.started) < 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Watch pings the database in the background.
func (s *Server) Watch(ctx context.Context) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.refresh(ctx)
		}
	}
}

func (s *Server) refresh(ctx context.Context) {
	s.dbOK.Store(s.db.PingContext(ctx) == nil)
}

// NewLiveness builds the liveness handler: the database is opened once, at
// construction, not per probe.
func NewLiveness(dsn string) (http.Handler, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}), nil
}

func Mount(mux *http.ServeMux, dsn string) error {
	h, err := NewLiveness(dsn)
	if err != nil {
		return err
	}
	mux.Handle("/livez", h)
	return nil
}

// Client is an API client; its health call passes the path and a decoder.
type Client struct{ base string }

func (c *Client) call(ctx context.Context, path string, decode func(*sql.Rows) error) error {
	return nil
}

func (c *Client) Health(ctx context.Context, db *sql.DB) error {
	return c.call(ctx, "/healthz", func(*sql.Rows) error {
		return db.PingContext(ctx)
	})
}
