package ignored

import (
	"database/sql"
	"net/http"
)

func Routes(mux *http.ServeMux, db *sql.DB) {
	//resilvet:ignore livenessdeps the database is embedded (sqlite in the same process)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if db.PingContext(r.Context()) != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
}
