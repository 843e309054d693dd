package quiet

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// BlobStore streams objects of any size: a Client.Timeout would cut a
// large download, so every request carries the caller's context instead.
type BlobStore struct {
	base *url.URL
	hc   *http.Client
}

func NewBlobStore(base *url.URL, rt http.RoundTripper) *BlobStore {
	return &BlobStore{base: base, hc: &http.Client{Transport: rt}}
}

func (b *BlobStore) Get(ctx context.Context, key string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base.JoinPath(key).String(), nil)
	if err != nil {
		return err
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: %s", key, resp.Status)
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

func (b *BlobStore) Delete(ctx context.Context, key string) error {
	req, err := http.NewRequest(http.MethodDelete, b.base.JoinPath(key).String(), nil)
	if err != nil {
		return err
	}
	resp, err := b.hc.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Push builds a client for one upload; the caller's context bounds it.
func Push(ctx context.Context, rt http.RoundTripper, u string, body io.Reader) error {
	hc := &http.Client{Transport: rt}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, body)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Forwarder relays requests that arrive with their own context.
type Forwarder struct{ hc *http.Client }

func NewForwarder() *Forwarder { return &Forwarder{hc: &http.Client{}} }

func (f *Forwarder) Relay(r *http.Request) (*http.Response, error) {
	return f.hc.Do(r)
}

// ClientConfig builds clients with good transports; the caller owns the
// timeout policy of the client it gets.
type ClientConfig struct {
	Proxy       *url.URL
	IdleTimeout time.Duration
}

func (c *ClientConfig) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(c.Proxy),
		IdleConnTimeout: c.IdleTimeout,
	}}
}

func NewPooledClient(maxIdle int) *http.Client {
	hc := &http.Client{}
	hc.Transport = &http.Transport{MaxIdleConnsPerHost: maxIdle}
	return hc
}

// DebugServer serves pprof on loopback only: no remote client reaches it.
func DebugServer(h http.Handler) error {
	srv := &http.Server{Addr: "127.0.0.1:6060", Handler: h}
	return srv.ListenAndServe()
}

func DebugLocal(h http.Handler) error {
	return http.ListenAndServe("localhost:6061", h)
}
