// Package livenessdeps defines an Analyzer that reports liveness endpoints
// whose handlers check dependencies.
//
// # Analyzer livenessdeps
//
// livenessdeps: report liveness endpoints that call databases or other services
//
// A liveness probe answers one question: is this process stuck, so that
// restarting it would help? An orchestrator restarts every instance whose
// liveness fails. A liveness handler that pings the database, calls another
// service or checks Redis fails on every instance at once when that
// dependency is slow, and the orchestrator restarts them all: a slow
// dependency becomes a self-inflicted outage, with cold caches and a
// reconnect storm against the dependency that was already struggling.
//
//	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
//		if err := db.PingContext(r.Context()); err != nil {
//			http.Error(w, "db down", http.StatusServiceUnavailable)
//			return
//		}
//		w.WriteHeader(http.StatusOK)
//	})
//
// Keep liveness to the process, and check dependencies in readiness, which
// only takes the instance out of the load balancer:
//
//	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
//		w.WriteHeader(http.StatusOK)
//	})
//	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
//		if err := db.PingContext(r.Context()); err != nil {
//			http.Error(w, "db down", http.StatusServiceUnavailable)
//			return
//		}
//		w.WriteHeader(http.StatusOK)
//	})
//
// github.com/resilvet/resilvet/runtime/health serves both: Liveness checks
// nothing but the process, Readiness runs the dependency checks.
//
// The check finds handlers registered on a liveness path (by default
// /healthz, /livez, /live, /liveness and /health/live, also under a prefix
// such as /api/healthz; set -livenessdeps.paths to change them) through
// net/http (Handle, HandleFunc, ServeMux), chi, gorilla/mux, echo and gin,
// and follows the handler into the functions of its own package that it
// calls. It reports a database/sql call, an HTTP request, a network dial, a
// gRPC call, a Ping method, or a context-taking method of a Redis, Kafka,
// NATS, MongoDB, PostgreSQL or etcd client. Work the handler starts with a
// go statement, and state a background checker stored for it to read, are
// not calls the probe waits for, and stay quiet.
package livenessdeps
