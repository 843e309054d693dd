// Package testutil forwards a request with a fresh context.
package testutil

import (
	"context"
	"net/http"
)

func Fetch(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}
