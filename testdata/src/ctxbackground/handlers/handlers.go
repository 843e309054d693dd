// Package handlers serves HTTP requests and loses the request's context.
package handlers

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"time"
)

type Store struct {
	db *sql.DB
}

type Order struct {
	ID    string `json:"id"`
	Total int64  `json:"total"`
}

func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond) // want `context.Background\(\) drops the deadline of r.Context\(\) in scope; pass r.Context\(\)`
	defer cancel()
	row := s.db.QueryRowContext(ctx, "SELECT id, total FROM orders WHERE id = $1", r.URL.Query().Get("id"))
	var o Order
	if err := row.Scan(&o.ID, &o.Total); err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	_ = json.NewEncoder(w).Encode(o)
}

// Routes registers closures that each have their own request.
func (s *Store) Routes(mux *http.ServeMux) {
	mux.HandleFunc("/orders/count", func(w http.ResponseWriter, req *http.Request) {
		var n int
		if err := s.db.QueryRowContext(context.TODO(), "SELECT count(*) FROM orders").Scan(&n); err != nil { // want `context.TODO\(\) drops the deadline of req.Context\(\) in scope; pass req.Context\(\)`
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]int{"count": n})
	})
	mux.HandleFunc("/orders/ping", func(w http.ResponseWriter, req *http.Request) {
		// Already derived from the request: quiet.
		ctx, cancel := context.WithTimeout(req.Context(), time.Second)
		defer cancel()
		if err := s.db.PingContext(ctx); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})
}

// Export has both a context and a request: the context parameter wins.
func (s *Store) Export(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	rows, err := s.db.QueryContext(context.Background(), "SELECT id, total FROM orders") // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
	if err != nil {
		return err
	}
	defer rows.Close()
	enc := json.NewEncoder(w)
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.Total); err != nil {
			return err
		}
		if err := enc.Encode(o); err != nil {
			return err
		}
	}
	return rows.Err()
}
