// Package fixrequest sends requests whose context has no deadline on the
// default client.
package fixrequest

import (
	"context"
	"net/http"
)

// Report posts a usage report from a background job that has no caller
// context.
func Report(u string) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req) // want `http.DefaultClient.Do has no timeout and the request's context has no deadline, so a slow server can hang it forever; derive the context with context.WithTimeout`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
