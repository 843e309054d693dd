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
