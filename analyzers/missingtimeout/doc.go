// Package missingtimeout defines an Analyzer that reports network clients,
// servers and dialers that can wait forever.
//
// A call with no deadline turns a slow dependency into an outage: each
// request holds a goroutine and a connection for as long as the other side
// takes, until the pool is exhausted. The article
// "Building Resilient Distributed Systems with Go" asks for a timeout on every
// downstream call and a global timeout on every handler.
//
// # Analyzer missingtimeout
//
// missingtimeout: report HTTP clients, HTTP servers and dialers that can wait forever
//
// # What it flags
//
// Code that can wait forever on the network:
//
//   - http.Get, http.Head, http.Post, http.PostForm (also called through a
//     local function value) and the methods of http.DefaultClient, which has
//     no timeout (http.DefaultClient.Do(req) is left alone when the request
//     visibly carries a context: built with http.NewRequestWithContext,
//     req.WithContext, req.Clone, or received as a parameter — unless that
//     context is a context.Background()/TODO() root with no
//     WithTimeout/WithDeadline on the way, in a function with no caller
//     context);
//   - an http.Client literal or new(http.Client) without Timeout, not given
//     one later, that sends a request with no deadline — Get, Head, Post,
//     PostForm (or their method values), or Do with a request built without a
//     context or from a Background root — whether it lives in a local
//     variable, a struct field or a package variable; and a client in a field
//     or package variable that the package never sends through itself
//     (long-lived, used elsewhere);
//   - an http.Server literal or new(http.Server) with neither
//     ReadHeaderTimeout nor ReadTimeout, in the literal or assigned before it
//     serves, and http.ListenAndServe, http.ListenAndServeTLS, http.Serve and
//     http.ServeTLS, which cannot set them;
//   - net.Dial and tls.Dial; a net.Dialer with neither Timeout nor Deadline
//     used through Dial or tls.DialWithDialer; net.Dialer.DialContext and
//     tls.Dialer.DialContext with no dialer Timeout and a context with no
//     deadline.
//
// Messages:
//
//	http.Client has no Timeout and sends requests without a deadline (cli.Get at line 17), so a slow server can hang them forever; set Timeout
//	long-lived http.Client has no Timeout, so a slow server can hang its callers forever; set Timeout
//	http.Server has no ReadHeaderTimeout or ReadTimeout, so slow clients can hold connections forever; set ReadHeaderTimeout
//	http.Get uses http.DefaultClient, which has no timeout; use an http.Client with a Timeout or a request with a deadline
//
// # Why
//
// The article's rule "Timeout: every downstream call" and its checklist's
// "global request timeout on all handlers". A recommendation query that slows
// from 10ms to 4.8s does not fail: it holds a goroutine and a connection for
// as long as it takes. A client with no timeout turns that into an exhausted
// pool and a cascade. On the serving side, a server with no read timeout lets
// slow or malicious clients (slowloris) keep connections open without ever
// sending a full request.
//
// # Bad
//
//	var inventory = &http.Client{}
//
//	srv := &http.Server{Addr: ":8080", Handler: mux}
//	return srv.ListenAndServe()
//
// # Good
//
//	var inventory = &http.Client{Timeout: 30 * time.Second}
//
//	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
//	return srv.ListenAndServe()
//
// # The fix
//
// For a client literal the suggested fix adds Timeout: 30 * time.Second; for a
// server literal, ReadHeaderTimeout: 10 * time.Second; new(T) becomes &T{...}.
// The time import is added when the file lacks it. The durations are analyzer
// flags: -missingtimeout.client-timeout and
// -missingtimeout.server-read-header-timeout. A request built with
// http.NewRequestWithContext(context.Background(), ...) and sent on
// http.DefaultClient gets ctx, cancel :=
// context.WithTimeout(context.Background(), 30*time.Second) and defer cancel()
// on the line above. http.Get, ListenAndServe and dialers get no automatic
// fix: replace them with a configured client, server or net.Dialer{Timeout:
// ...} (or DialContext with a deadline).
//
// # What stays quiet
//
// _test.go and generated files; clients given a Timeout after construction
// (c.Timeout = d, an option function that sets the field, or a helper of the
// same package the client is passed to); clients returned to the caller (a
// constructor hands the timeout policy to its caller); clients whose every
// send carries a caller's context or a deadline (per-operation clients of
// object stores and streams, whose bodies a Client.Timeout would cut); a
// client whose Transport is a round tripper declared in the same package (a
// fake, a retrying or a failing transport: the bound belongs there); a client
// whose inline (or same-function) http.Transport sets ResponseHeaderTimeout —
// the wait for a response is bounded while long bodies and watch streams may
// run on, a deliberate choice for streaming clients; servers whose
// ReadHeaderTimeout/ReadTimeout is assigned before ListenAndServe/Serve;
// servers on a loopback address ("127.0.0.1:6060", "localhost:6060"), which no
// remote client can reach; DialContext with a caller's context or a deadline,
// and DialTimeout; net.Dial on udp, unix and ip networks (a constant, or the
// switch case that matched it), which do not wait on a remote handshake;
// dialers that come from elsewhere; APIs that mirror a standard one on purpose
// (an exported Dial beside its DialTimeout/DialContext variant, a router's
// exported Run that serves itself with http.ListenAndServe or http.Serve: the
// caller picks the variant or serves the handler from an http.Server of their
// own); a line where gosec's #nosec G112 or G114 records the same judgement.
package missingtimeout
