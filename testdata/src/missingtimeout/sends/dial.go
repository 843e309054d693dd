package sends

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

// Secure dials a TLS peer with no bound on connect or handshake.
func Secure(addr string, cfg *tls.Config) (net.Conn, error) {
	return tls.Dial("tcp", addr, cfg) // want `tls.Dial has no timeout, so a peer that never completes the connection or the handshake can hang it forever; use tls.DialWithDialer with a net.Dialer that has a Timeout`
}

func SecureWith(addr string, cfg *tls.Config) (net.Conn, error) {
	d := &net.Dialer{KeepAlive: 30 * time.Second}
	return tls.DialWithDialer(d, "tcp", addr, cfg) // want `tls.DialWithDialer with a net.Dialer that has no Timeout can wait forever to connect and handshake; set the dialer's Timeout`
}

// Connect dials with a root context that has no deadline.
func Connect(addr string) (net.Conn, error) {
	ctx := context.Background()
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr) // want `net.Dialer has no Timeout and ctx has no deadline, so DialContext can wait forever; set Timeout or derive the context with context.WithTimeout`
}

func ConnectTLS(addr string, cfg *tls.Config) (net.Conn, error) {
	nd := &net.Dialer{}
	td := &tls.Dialer{NetDialer: nd, Config: cfg}
	return td.DialContext(context.TODO(), "tcp", addr) // want `tls.Dialer has no NetDialer Timeout and context.TODO\(\) has no deadline, so DialContext can wait forever to connect and handshake`
}

// Bounded dials: quiet.
func SecureBounded(addr string, cfg *tls.Config) (net.Conn, error) {
	return tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
}

func ConnectCaller(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

func ConnectDeadline(addr string, cfg *tls.Config) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	td := tls.Dialer{Config: cfg}
	return td.DialContext(ctx, "tcp", addr)
}

func ConnectTLSBounded(addr string, cfg *tls.Config) (net.Conn, error) {
	td := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: cfg}
	return td.DialContext(context.Background(), "tcp", addr)
}

// A datagram socket waits on no handshake.
func Datagram(addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(context.Background(), "udp", addr)
}
