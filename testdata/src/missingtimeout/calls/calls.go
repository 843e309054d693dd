// Package calls talks to the network through helpers that have no
// timeout at all.
package calls

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

func FetchStatus(u string) (int, error) {
	resp, err := http.Get(u) // want `http.Get uses http.DefaultClient, which has no timeout; use an http.Client with a Timeout or a request with a deadline`
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

func Alive(u string) bool {
	resp, err := http.Head(u) // want `http.Head uses http.DefaultClient`
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode < 500
}

func Submit(u string, body string) error {
	resp, err := http.Post(u, "application/json", strings.NewReader(body)) // want `http.Post uses http.DefaultClient`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func Login(u, user, pass string) error {
	resp, err := http.PostForm(u, url.Values{"user": {user}, "pass": {pass}}) // want `http.PostForm uses http.DefaultClient`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func Download(u string, w io.Writer) error {
	resp, err := http.DefaultClient.Get(u) // want `http.DefaultClient.Get has no timeout; use an http.Client with a Timeout`
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

func Send(u string) error {
	req, err := http.NewRequest(http.MethodPut, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req) // want `http.DefaultClient.Do has no timeout`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func Serve(mux *http.ServeMux) error {
	return http.ListenAndServe(":8080", mux) // want `http.ListenAndServe cannot set read timeouts, so slow clients can hold connections forever; use an http.Server with ReadHeaderTimeout`
}

func ServeTLS(mux *http.ServeMux) error {
	return http.ListenAndServeTLS(":8443", "cert.pem", "key.pem", mux) // want `http.ListenAndServeTLS cannot set read timeouts`
}

func ServeOn(l net.Listener, h http.Handler) error {
	return http.Serve(l, h) // want `http.Serve cannot set read timeouts`
}

// Ping speaks a line protocol to a cache node.
func Ping(addr string) (string, error) {
	conn, err := net.Dial("tcp", addr) // want `net.Dial has no timeout; use net.DialTimeout or a net.Dialer with a Timeout`
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "PING\r\n"); err != nil {
		return "", err
	}
	return bufio.NewReader(conn).ReadString('\n')
}

func Connect(network, addr string) (net.Conn, error) {
	d := net.Dialer{KeepAlive: -1}
	return d.Dial(network, addr) // want `net.Dialer with no Timeout can wait forever in Dial; set Timeout or use DialContext with a deadline`
}

func ConnectTCP(addr string) (net.Conn, error) {
	var d net.Dialer
	return d.Dial("tcp", addr) // want `net.Dialer with no Timeout can wait forever in Dial`
}

func ConnectInline(addr string) (net.Conn, error) {
	return (&net.Dialer{DualStack: true}).Dial("tcp", addr) // want `net.Dialer with no Timeout can wait forever in Dial`
}
