package auth

import "net/http"

type transport struct{ next http.RoundTripper }

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer token")
	return t.next.RoundTrip(r)
}

// Wrap adds credentials to every request.
func Wrap(next http.RoundTripper) http.RoundTripper { return transport{next} }
