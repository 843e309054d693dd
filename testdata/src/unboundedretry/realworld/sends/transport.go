package sends

import (
	"io"
	"net/http"
)

// retryTransport retries failures and 5xx answers of the transport it
// wraps, so every client built on it retries without knowing.
type retryTransport struct {
	next  http.RoundTripper
	tries int
}

// RoundTrip keeps the body of each 5xx answer open when it tries again:
// every retry pins one more connection.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for try := 0; try < t.tries; try++ {
		resp, err = t.next.RoundTrip(req) // want `response body of a failed attempt is not closed before the next one, so each retry holds another connection that is never reused; drain and close resp.Body before retrying`
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err := pause(req.Context(), try); err != nil {
			return nil, err
		}
	}
	return resp, err
}

// drainingTransport is the fixed twin: the answer it retries is drained and
// closed first.
type drainingTransport struct {
	next  http.RoundTripper
	tries int
}

func (t *drainingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for try := 0; try < t.tries; try++ {
		resp, err = t.next.RoundTrip(req)
		if err == nil && (resp.StatusCode < 500 || try == t.tries-1) {
			return resp, nil
		}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err := pause(req.Context(), try); err != nil {
			return nil, err
		}
	}
	return resp, err
}
