// Package faultproxy drives a fault-injecting proxy for the module's
// functional tests; only app_test.go imports it, so its client is quiet.
package faultproxy

import "net/http"

// Client talks to the proxy's control API.
type Client struct {
	hc       *http.Client
	endpoint string
}

// New returns a client for the proxy at endpoint.
func New(endpoint string) *Client {
	return &Client{hc: &http.Client{}, endpoint: endpoint}
}

// Reset removes every fault.
func (c *Client) Reset() error {
	resp, err := c.hc.Post(c.endpoint+"/reset", "", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
