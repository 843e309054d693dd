// Package mirror mirrors standard APIs on purpose: Dial beside DialTimeout,
// so the caller picks, and a router's Run shortcut for http.ListenAndServe;
// a Dial with no such sibling, or a server of the package's choosing, is
// reported.
package mirror

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// Conn is a protocol connection.
type Conn struct{ net.Conn }

// Dial mirrors net.Dial; DialTimeout is the bounded variant.
func Dial(network, address string) (*Conn, error) {
	c, err := net.Dial(network, address)
	if err != nil {
		return nil, err
	}
	return &Conn{c}, nil
}

// DialTimeout connects within timeout.
func DialTimeout(network, address string, timeout time.Duration) (*Conn, error) {
	c, err := net.DialTimeout(network, address, timeout)
	if err != nil {
		return nil, err
	}
	return &Conn{c}, nil
}

// Client dials its server.
type Client struct{ Config *tls.Config }

// Dial mirrors tls.Dial; DialContext takes the caller's deadline.
func (cl *Client) Dial(network, address string) (*tls.Conn, error) {
	return tls.Dial(network, address, cl.Config)
}

// DialContext connects until ctx ends.
func (cl *Client) DialContext(network, address string, d *net.Dialer) (*tls.Conn, error) {
	return tls.DialWithDialer(d, network, address, cl.Config)
}

// Connect has no bounded variant: the caller cannot stop a dial that hangs.
func Connect(address string) (*Conn, error) {
	c, err := net.Dial("tcp", address) // want `net.Dial has no timeout`
	if err != nil {
		return nil, err
	}
	return &Conn{c}, nil
}

// dial is unexported: the package itself decides.
func dial(address string) (net.Conn, error) {
	return net.Dial("tcp", address) // want `net.Dial has no timeout`
}

// DialTimeoutless is not a variant of anything the package offers.
func DialTimeoutless(address string) (net.Conn, error) {
	return dial(address)
}

// Endpoint is a daemon's address: a Unix socket path or a TCP address.
type Endpoint struct{ Proto, Addr string }

// dialer dials the daemon; the Unix socket case waits on no remote peer,
// the TCP default does.
func (e Endpoint) dialer() func() (net.Conn, error) {
	return func() (net.Conn, error) {
		switch e.Proto {
		case "unix", "unixpacket":
			return net.Dial(e.Proto, e.Addr)
		default:
			return net.Dial(e.Proto, e.Addr) // want `net.Dial has no timeout`
		}
	}
}

// Engine is a router that offers to serve itself.
type Engine struct{ mux *http.ServeMux }

func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.mux.ServeHTTP(w, r) }

// Handler returns the engine as a handler.
func (e *Engine) Handler() http.Handler { return e }

// Run is a shortcut for http.ListenAndServe(addr, engine): it mirrors the
// standard function, and a user who needs timeouts serves e.Handler() from
// an http.Server of their own.
func (e *Engine) Run(addr string) error {
	return http.ListenAndServe(addr, e.Handler())
}

// RunListener serves the engine on a listener the caller made.
func (e *Engine) RunListener(l net.Listener) error {
	return http.Serve(l, e)
}

// Start serves another handler than itself: the package picked the server.
func (e *Engine) Start(addr string, admin http.Handler) error {
	return http.ListenAndServe(addr, admin) // want `http.ListenAndServe cannot set read timeouts`
}
