// Package nofix does not depend on resilvet: a fix importing its runtime
// would not build here, so the finding comes without one.
package nofix

import (
	"context"
	"errors"
	"net/http"
	"time"
)

func fetch(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Do(req)
		if err == nil {
			return resp, nil
		}
		time.Sleep(time.Second) // want `retry waits a constant time.Second with time.Sleep`
	}
	return nil, errors.New("unavailable")
}
