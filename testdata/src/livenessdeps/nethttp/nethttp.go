package nethttp

import (
	"database/sql"
	"net/http"
	"time"
)

type Server struct {
	db       *sql.DB
	client   *http.Client
	upstream string
}

const livePath = "/livez"

func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { // want `liveness endpoint /healthz calls the database \(s.db.PingContext at line 19\): when the database is slow every instance fails liveness and is restarted at once; check only the process here and move the check to the readiness endpoint /readyz`
		if err := s.db.PingContext(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.Handle(livePath, http.HandlerFunc(s.live))     // want `liveness endpoint /livez calls an HTTP service \(s.client.Do at line 44\)`
	mux.HandleFunc("GET /api/healthz", s.handleHealth) // want `liveness endpoint /api/healthz calls the database \(s.db.QueryRowContext at line 54\)`
	mux.Handle("/health/live", &depHandler{db: s.db})  // want `liveness endpoint /health/live calls the database \(h.db.Ping at line 62\)`
	http.Handle("/liveness", s.probe(2*time.Second))   // want `liveness endpoint /liveness calls the database \(s.db.PingContext at line 70\)`
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := s.db.PingContext(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		}
	})
}

func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	if !s.upstreamUp(r) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func (s *Server) upstreamUp(r *http.Request) bool {
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, s.upstream, nil)
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	var one int
	if err := s.db.QueryRowContext(r.Context(), "SELECT 1").Scan(&one); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

type depHandler struct{ db *sql.DB }

func (h *depHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.db.Ping() != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

// probe builds the handler: only what it returns runs per request.
func (s *Server) probe(timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.db.PingContext(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
}
