// Package realworld holds minimal shapes reduced from real reports of this
// mistake; each file names the shape it stands for.
package realworld

import (
	"database/sql"
	"encoding/json"
	"net/http"

	"github.com/redis/go-redis/v9"
)

// One handler with every dependency check, served on all four probe paths:
// a database blip fails liveness and restarts every pod (the shape of an
// agent template whose /livez ran the full dependency checks).

type Deps struct {
	DB    *sql.DB
	Redis *redis.Client
}

func (d *Deps) full(w http.ResponseWriter, r *http.Request) {
	status := map[string]string{"database": "ok", "redis": "ok"}
	code := http.StatusOK
	if err := d.DB.PingContext(r.Context()); err != nil {
		status["database"], code = err.Error(), http.StatusServiceUnavailable
	}
	if err := d.Redis.Ping(r.Context()).Err(); err != nil {
		status["redis"], code = err.Error(), http.StatusServiceUnavailable
	}
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(status)
}

func (d *Deps) Mount(mux *http.ServeMux) {
	mux.HandleFunc("/health", d.full)
	mux.HandleFunc("/healthz", d.full) // want `liveness endpoint /healthz calls the database \(d.DB.PingContext at line 25\): .* move the check to the readiness endpoint /readyz`
	mux.HandleFunc("/readyz", d.full)
	mux.HandleFunc("/livez", d.full) // want `liveness endpoint /livez calls the database`
}
