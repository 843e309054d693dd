// Package livenessdeps defines an Analyzer that reports liveness endpoints
// whose handlers check dependencies.
//
// # Analyzer livenessdeps
//
// livenessdeps: report liveness endpoints that call databases or other services
//
// # What it flags
//
// A handler registered on a liveness path whose body, or a function of the
// same package that it calls, waits on something outside the process: a
// database/sql call, an HTTP request, a network dial, a gRPC call, a
// Ping/PingContext method, or a context-taking method of a Redis, Kafka, NATS,
// MongoDB, PostgreSQL (pgx) or etcd client. Liveness paths are /healthz,
// /livez, /live, /liveness and /health/live by default, also under a prefix
// (/api/healthz, but not /video/live); -livenessdeps.paths replaces the list.
// Registrations are recognised through http.Handle(Func), ServeMux (with GET
// /healthz patterns), chi, gorilla/mux (also
// r.Path("/healthz").HandlerFunc(h)), echo and gin; the handler may be a
// function literal, a function or method, http.HandlerFunc(f), what a
// constructor of the package returns, or a type with a ServeHTTP method. The
// finding is on the path, and names the call:
//
//	liveness endpoint /healthz calls the database (s.db.PingContext at line 19): when the database is slow every instance fails liveness and is restarted at once; check only the process here and move the check to the readiness endpoint /readyz
//
// # Why
//
// The article's checklist: /healthz (liveness) checks the process only,
// /readyz (readiness) checks dependencies. An orchestrator restarts an
// instance whose liveness fails. When liveness pings the database, a slow
// database fails it on every instance at once, and the orchestrator restarts
// them all: requests in flight are lost, caches start cold, and every instance
// reconnects to the database that was already struggling — a self-inflicted
// cascade. Failing readiness only takes the instance out of the load balancer
// until the dependency recovers.
//
// # Bad
//
//	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
//		if err := db.PingContext(r.Context()); err != nil {
//			http.Error(w, "db down", http.StatusServiceUnavailable)
//			return
//		}
//		w.WriteHeader(http.StatusOK)
//	})
//
// # Good
//
//	h := health.New() // github.com/resilvet/resilvet/runtime/health
//	h.Add(health.Check{Name: "db", Critical: true, Func: db.PingContext})
//	mux.Handle("/healthz", h.Liveness()) // the process only
//	mux.Handle("/readyz", h.Readiness()) // runs the checks
//
// # The fix
//
// None is suggested: moving a check from liveness to readiness changes what
// the orchestrator does, and the probe configuration lives outside the code.
// Move the dependency check to the readiness handler (or runtime/health's
// Readiness) and keep liveness to the process.
//
// # What stays quiet
//
// Readiness and other paths (/readyz, /health unless added with
// -livenessdeps.paths); work the handler starts with a go statement; a result
// a background checker stored for the handler to read; dependencies a handler
// constructor touches once, before it returns the handler; handlers from other
// packages (runtime/health's Liveness); tests and generated files.
package livenessdeps
