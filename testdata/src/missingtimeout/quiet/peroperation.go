package quiet

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
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

// Registry reaches its per-operation client through a getter; every
// request carries the caller's context.
type Registry struct {
	mu sync.Mutex
	hc *http.Client
}

func NewRegistry(rt http.RoundTripper) *Registry {
	return &Registry{hc: &http.Client{Transport: rt}}
}

func (r *Registry) client() *http.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hc
}

func (r *Registry) Manifest(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return r.client().Do(req)
}

// CertIdentity is configured with options; its exported Client is the
// caller's to bound, and its requests carry the caller's context.
type CertIdentity struct {
	Client *http.Client
}

type CertOption func(*CertIdentity)

func WithCertTransport(rt http.RoundTripper) CertOption {
	return func(i *CertIdentity) {
		if i.Client == nil {
			i.Client = &http.Client{}
		}
		i.Client.Transport = rt
	}
}
