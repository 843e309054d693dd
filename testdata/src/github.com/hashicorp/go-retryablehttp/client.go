// Package retryablehttp is a minimal stand-in for
// github.com/hashicorp/go-retryablehttp: just the signatures the fixtures call.
package retryablehttp

import (
	"context"
	"net/http"
)

type Request struct {
	*http.Request
}

func NewRequest(method, url string, rawBody interface{}) (*Request, error) { return nil, nil }

func NewRequestWithContext(ctx context.Context, method, url string, rawBody interface{}) (*Request, error) {
	return nil, nil
}

type Client struct {
	HTTPClient *http.Client
	RetryMax   int
}

func NewClient() *Client { return &Client{} }

func (c *Client) Do(req *Request) (*http.Response, error) { return nil, nil }

func (c *Client) Get(url string) (*http.Response, error) { return nil, nil }

func (c *Client) Post(url, bodyType string, body interface{}) (*http.Response, error) {
	return nil, nil
}

func (c *Client) StandardClient() *http.Client { return nil }
