package ignored

import (
	"net/http"
)

func Health(u string) (int, error) {
	//resilvet:ignore missingtimeout the health endpoint is on localhost and answers in microseconds
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func Serve(mux *http.ServeMux) error {
	return http.ListenAndServe("localhost:6060", mux) //resilvet:ignore missingtimeout pprof listener on loopback only
}

func Debug(mux *http.ServeMux) error {
	//resilvet:ignore ctxbackground a directive for another check does not silence this one
	return http.ListenAndServe(":6060", mux) // want `http.ListenAndServe cannot set read timeouts`
}

func Metrics(mux *http.ServeMux) error {
	//resilvet:ignore missingtimeout // want `resilvet:ignore directive for missingtimeout has no reason; add why the finding is safe to ignore`
	return http.ListenAndServe(":9090", mux) // want `http.ListenAndServe cannot set read timeouts`
}

// Admin's server was judged under gosec's rule for the same finding.
func Admin(mux *http.ServeMux) error {
	srv := &http.Server{Addr: ":7070", Handler: mux} // #nosec G112 -- reached through the sidecar only
	return srv.ListenAndServe()
}

// Status silences another gosec rule, and a bare #nosec names none.
func Status(mux *http.ServeMux) error {
	go http.ListenAndServe(":7071", mux)     // #nosec G104 // want `http.ListenAndServe cannot set read timeouts`
	return http.ListenAndServe(":7072", mux) // #nosec // want `http.ListenAndServe cannot set read timeouts`
}

// Probe names the serve-function rule.
func Probe(mux *http.ServeMux) error {
	// #nosec G114 -- the probe port is not exposed
	return http.ListenAndServe(":7073", mux)
}
