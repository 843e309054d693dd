package realworld

import (
	"context"
	"database/sql"
	"net/http"
)

// A frontend whose health endpoint, used for liveness and readiness alike,
// runs a connection test against its database through a client of its own
// package (the shape of a cloud service frontend, where a reviewer asked to
// keep the database out of the health check).

type dbClient struct{ db *sql.DB }

func (c *dbClient) connectionTest(ctx context.Context) error {
	return c.db.PingContext(ctx)
}

type Frontend struct {
	db *dbClient
}

func (f *Frontend) healthz(w http.ResponseWriter, r *http.Request) {
	if err := f.db.connectionTest(r.Context()); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (f *Frontend) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", f.healthz) // want `liveness endpoint /healthz calls the database \(c.db.PingContext at line 17\)`
	return mux
}
