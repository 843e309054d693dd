// Package ctxbackground forwards a request with a fresh context.
package ctxbackground

import (
	"context"
	"net/http"
)

func Fetch(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil) // want `context.Background\(\) drops the deadline of ctx in scope`
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}
