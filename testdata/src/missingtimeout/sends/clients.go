// Package sends talks to servers through clients and dialers that have
// no timeout, in functions that have no caller context to bound them.
package sends

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// Status builds a client for one call: short-lived, but a stalled server
// hangs Get all the same.
func Status(u string) (int, error) {
	cli := &http.Client{} // want `http.Client has no Timeout and sends requests without a deadline \(cli.Get at line 17\), so a slow server can hang them forever; set Timeout`
	resp, err := cli.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Upload sends a request that carries no context at all.
func Upload(u, body string) error {
	cli := &http.Client{CheckRedirect: noRedirect} // want `http.Client has no Timeout and sends requests without a deadline \(cli.Do at line 32\)`
	req, err := http.NewRequest(http.MethodPut, u, strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := cli.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Sync hands a context to the request, but a root one with no deadline.
func Sync(u string) error {
	ctx := context.Background()
	cli := new(http.Client) // want `http.Client has no Timeout and sends requests without a deadline \(cli.Do at line 47\)`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	resp, err := cli.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Mirror passes the client's Get on as a function value.
func Mirror(urls []string, w io.Writer) error {
	cli := &http.Client{Transport: http.DefaultTransport} // want `http.Client has no Timeout and sends requests without a deadline \(cli.Get at line 57\)`
	return each(urls, cli.Get, w)
}

func each(urls []string, get func(string) (*http.Response, error), w io.Writer) error {
	for _, u := range urls {
		resp, err := get(u)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Fetch calls http.Get through a variable.
func Fetch(u string, post bool) (*http.Response, error) {
	get := http.Get
	if post {
		return http.Post(u, "text/plain", nil) // want `http.Post uses http.DefaultClient`
	}
	return get(u) // want `get holds http.Get, which uses http.DefaultClient with no timeout; use an http.Client with a Timeout or a request with a deadline`
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Bounded sends carry a deadline of their own: quiet.
func Bounded(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cli := &http.Client{}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := cli.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Caller bounds every request with its own context: quiet.
func Caller(ctx context.Context, u string) error {
	cli := &http.Client{Transport: http.DefaultTransport}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := cli.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Unused method values and clients handed to other packages are not sends.
func Handles() {
	cli := &http.Client{}
	_ = cli.Get
	register(http.Get)
}

var getters []func(string) (*http.Response, error)

func register(f func(string) (*http.Response, error)) { getters = append(getters, f) }

type tagKey struct{}

// Tag adds a value to the request's own context, which has no deadline.
func Tag(u string) error {
	cli := &http.Client{} // want `http.Client has no Timeout and sends requests without a deadline \(cli.Do at line 137\)`
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req = req.WithContext(context.WithValue(req.Context(), tagKey{}, "tag"))
	resp, err := cli.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
