package realworld

import (
	"errors"
	"io"
	"net/http"

	"github.com/cenkalti/backoff/v4"
)

// token re-sends one request whose body variable is declared and never
// set: the request has no body, so there is nothing for the first attempt
// to consume.
func token(hc *http.Client, tokenURL string) (*http.Response, error) {
	var form io.ReadWriter
	req, err := http.NewRequest(http.MethodPost, tokenURL, form)
	if err != nil {
		return nil, err
	}
	var resp *http.Response
	err = backoff.Retry(func() error {
		resp, err = hc.Do(req)
		return err
	}, backoff.NewExponentialBackOff())
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, errors.New(resp.Status)
	}
	return resp, nil
}
