package antipatterns

import "net/http"

// Probes serves the orchestrator's liveness probe, and makes it depend on
// the inventory service: when that service is slow, every instance fails
// liveness and is restarted at once.
func Probes(mux *http.ServeMux, inventoryURL string) {
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		resp, err := inventoryClient.Get(inventoryURL + "/healthz")
		if err != nil {
			http.Error(w, "inventory unavailable", http.StatusServiceUnavailable)
			return
		}
		resp.Body.Close()
		w.WriteHeader(http.StatusOK)
	})
}
