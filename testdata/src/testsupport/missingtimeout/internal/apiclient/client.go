// Package apiclient is internal but production code imports it (app.go),
// so its long-lived client is reported.
package apiclient

import "net/http"

// Client calls the upstream API.
type Client struct {
	hc *http.Client
}

// New returns a client.
func New() *Client {
	return &Client{hc: &http.Client{}} // want `http.Client has no Timeout and sends requests without a deadline`
}

// Ping asks the upstream API whether it is up.
func (c *Client) Ping(url string) error {
	resp, err := c.hc.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
