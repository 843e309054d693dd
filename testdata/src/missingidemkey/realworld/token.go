package realworld

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// fetchToken asks the authorization server for a client-credentials token:
// asking twice mints two tokens and changes nothing, so it needs no key.
// The endpoint's path is in a local variable built up before the request.
func fetchToken(ctx context.Context, hc *http.Client, issuer, assertion string) (*http.Response, error) {
	q := url.Values{}
	q.Set("grant_type", "client_credentials")
	q.Set("client_assertion", assertion)
	tokenURL := issuer + "/oauth2/v1/token"
	tokenURL += "?" + q.Encode()
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, nil)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Do(req)
		if err == nil {
			return resp, nil
		}
		time.Sleep(time.Second)
	}
	return nil, context.DeadlineExceeded
}
