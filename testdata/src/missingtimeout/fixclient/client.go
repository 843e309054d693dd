// Package fixclient builds API clients that can hang forever on a slow
// server.
package fixclient

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"missingtimeout/fixclient/internal/auth"
)

// defaultClient is shared by every call in the package.
var defaultClient = &http.Client{} // want `long-lived http.Client has no Timeout, so a slow server can hang its callers forever; set Timeout`

var redirectless = http.Client{ // want `long-lived http.Client has no Timeout`
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

type PricingClient struct {
	base *url.URL
	http *http.Client
}

// NewPricingClient stores a client without a timeout in a field.
func NewPricingClient(base *url.URL, rt http.RoundTripper) *PricingClient {
	return &PricingClient{
		base: base,
		http: &http.Client{Transport: auth.Wrap(rt)}, // want `http.Client has no Timeout and sends requests without a deadline \(p.http.Get at line 49\), so a slow server can hang them forever; set Timeout`
	}
}

// inventory is built with new and handed to another package.
var inventory = new(http.Client) // want `long-lived http.Client has no Timeout`

// NewRecommendations builds the client in a variable first.
func NewRecommendations(rt http.RoundTripper) *PricingClient {
	c := &http.Client{ // want `http.Client has no Timeout and sends requests`
		Transport: rt,
		Jar:       nil,
	}
	return &PricingClient{http: c}
}

func (p *PricingClient) Price(sku string) (float64, error) {
	resp, err := p.http.Get(p.base.JoinPath("prices", sku).String())
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("price %s: %s", sku, resp.Status)
	}
	var out struct{ Price float64 }
	return out.Price, json.NewDecoder(resp.Body).Decode(&out)
}

// probe's client is short-lived, but a stalled server hangs Head all the
// same.
func probe(u string) error {
	c := &http.Client{} // want `http.Client has no Timeout and sends requests without a deadline \(c.Head at line 65\)`
	resp, err := c.Head(u)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
