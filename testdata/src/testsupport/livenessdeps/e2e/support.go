// Package e2e serves a probe for end-to-end tests that pings their database.
package e2e

import (
	"database/sql"
	"net/http"
)

// Routes registers the probe.
func Routes(mux *http.ServeMux, db *sql.DB) {
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := db.PingContext(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		}
	})
}
