// Package livenessdeps serves a liveness probe that pings the database.
package livenessdeps

import (
	"database/sql"
	"net/http"
)

// Routes registers the probe.
func Routes(mux *http.ServeMux, db *sql.DB) {
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { // want `liveness endpoint /healthz calls the database`
		if err := db.PingContext(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		}
	})
}
