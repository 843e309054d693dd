// Package quiet holds clients, servers and dialers that are bounded; the
// check must stay silent on all of it.
package quiet

import (
	"context"
	"net"
	"net/http"
	"time"
)

// sharedClient gets its timeout in init.
var sharedClient = &http.Client{}

func init() {
	sharedClient.Timeout = 15 * time.Second
}

type Config struct {
	Timeout   time.Duration
	Transport http.RoundTripper
}

type Client struct {
	http    *http.Client
	baseURL string
}

type Option func(*Client)

// WithTimeout sets the timeout of the client's field: every client built
// into that field is bounded.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) { c.http.Timeout = d }
}

func New(baseURL string, opts ...Option) *Client {
	c := &Client{baseURL: baseURL, http: &http.Client{}}
	for _, o := range opts {
		o(c)
	}
	if c.http.Timeout == 0 {
		c.http.Timeout = 30 * time.Second
	}
	return c
}

// FromConfig sets the timeout after construction.
func FromConfig(cfg Config) *http.Client {
	hc := &http.Client{Transport: cfg.Transport}
	hc.Timeout = cfg.Timeout
	return hc
}

// Streaming bounds the wait for response headers but lets long watch
// streams run: a deliberate choice.
func Streaming() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			ResponseHeaderTimeout: 10 * time.Second,
			IdleConnTimeout:       90 * time.Second,
		},
	}
}

func StreamingFrom(base *http.Transport) *http.Client {
	tr := base.Clone()
	tr.ResponseHeaderTimeout = 5 * time.Second
	return &http.Client{Transport: tr}
}

// Configured hands the client to a helper of this package that may set
// the timeout.
func Configured(cfg Config) *http.Client {
	hc := &http.Client{}
	applyConfig(hc, cfg)
	return hc
}

func applyConfig(hc *http.Client, cfg Config) {
	hc.Timeout = cfg.Timeout
	hc.Transport = cfg.Transport
}

// Fetch uses a short-lived client and the request's context.
func Fetch(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

// Forward sends a request that already carries its caller's context.
func Forward(r *http.Request) (*http.Response, error) {
	return http.DefaultClient.Do(r)
}

func (c *Client) Get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, c.baseURL+path, nil)
	if err != nil {
		return nil, err
	}
	return c.http.Do(req.WithContext(ctx))
}

// Bounded clients.
var (
	apiClient  = &http.Client{Timeout: 10 * time.Second}
	fastClient = http.Client{Timeout: time.Second, Transport: http.DefaultTransport}
)

// Dialing with a bound.
func DialCache(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

func DialLegacy(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, 2*time.Second)
}

func DialBounded(addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}
	return d.Dial("tcp", addr)
}

func DialConfigured(addr string, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{}
	d.Timeout = timeout
	return d.Dial("tcp", addr)
}

// Datagram and local sockets never wait on a remote handshake.
func DialStatsd(addr string) (net.Conn, error) {
	return net.Dial("udp", addr)
}

func DialAgent(path string) (net.Conn, error) {
	return net.Dial("unix", path)
}

// A dialer that came from elsewhere is the caller's business.
func DialWith(d *net.Dialer, addr string) (net.Conn, error) {
	return d.Dial("tcp", addr)
}

// failingTransport answers every request with an error, without touching
// the network; the package implements the round trip itself.
type failingTransport struct{ err error }

func (t failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, t.err }

// Broken returns a client for a target whose socket could not be set up.
func Broken(err error) *http.Client {
	return &http.Client{Transport: failingTransport{err: err}}
}

// roundTripperFunc lets tests and fakes answer requests in process.
type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Fake builds a client served by fn.
func Fake(fn func(*http.Request) (*http.Response, error)) *http.Client {
	return &http.Client{Transport: roundTripperFunc(fn)}
}
