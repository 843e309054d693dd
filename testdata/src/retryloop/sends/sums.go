// Package sends pins the send summaries of the retry model: which request
// argument a function sends, whose headers it may change, whose body it
// restores, and whether it hands back an open response.
package sends

import (
	"io"
	"net/http"
)

type client struct {
	hc   *http.Client
	next func(*http.Request) (*http.Response, error)
	rt   http.RoundTripper
}

type result struct {
	resp *http.Response
	err  error
}

func (c *client) do(req *http.Request) (*http.Response, error) { // want `sends=1 changes=0 rewinds=0 open=true`
	return c.hc.Do(req)
}

func (c *client) viaChain(req *http.Request) (*http.Response, error) { // want `sends=1 changes=0 rewinds=0 open=true`
	return c.next(req)
}

func (c *client) viaTransport(req *http.Request) (*http.Response, error) { // want `sends=1 changes=0 rewinds=0 open=true`
	return c.rt.RoundTrip(req.WithContext(req.Context()))
}

// second sends its second argument through the first helper.
func second(c *client, req *http.Request) result { // want `sends=10 changes=0 rewinds=0 open=true`
	resp, err := c.do(req)
	return result{resp: resp, err: err}
}

func (c *client) keyed(req *http.Request, key string) (*http.Response, error) { // want `sends=1 changes=1 rewinds=0 open=true`
	req.Header.Set("Idempotency-Key", key)
	return c.do(req)
}

func (c *client) rewound(req *http.Request) (*result, error) { // want `sends=1 changes=0 rewinds=1 open=true`
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		req.Body = body
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	return &result{resp: resp}, nil
}

// status reads and closes the body: the response it returns is spent.
func (c *client) status(req *http.Request) (*http.Response, error) { // want `sends=1 changes=0 rewinds=0 open=false`
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp, nil
}

// describe only reads the request: it sends nothing.
func describe(req *http.Request) string {
	return req.Method + " " + req.URL.String()
}
