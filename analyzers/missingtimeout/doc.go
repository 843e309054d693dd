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
// It reports:
//   - http.Get, Head, Post and PostForm, also called through a local
//     function value, and http.DefaultClient's methods: the default client
//     has no timeout (Do is left alone when the request visibly carries a
//     context, unless that context is a Background or TODO root with no
//     deadline in a function with no caller context);
//   - an http.Client built with no Timeout and not given one later, unless
//     its inline Transport bounds the wait with ResponseHeaderTimeout or is
//     a round tripper declared in the same package, when a request sent
//     through it (in a local variable, a struct field or a package
//     variable) visibly has no deadline: Get, Head, Post, PostForm, or Do
//     with a request built without a context or from a Background root; a
//     client in a field or package variable with no send in the package is
//     reported as long-lived. Clients returned to the caller are the
//     caller's to bound, and clients whose every send carries its caller's
//     context are left alone;
//   - an http.Server with neither ReadHeaderTimeout nor ReadTimeout, set in the
//     literal or assigned before it serves, and http.ListenAndServe,
//     ListenAndServeTLS, Serve and ServeTLS, which cannot set them; a server
//     on a loopback address ("127.0.0.1:6060", "localhost:6060") is left
//     alone;
//   - net.Dial and tls.Dial, a net.Dialer with no Timeout or Deadline used
//     through Dial or tls.DialWithDialer, and net.Dialer.DialContext and
//     tls.Dialer.DialContext with no dialer Timeout and a context with no
//     deadline.
//
// Bad:
//
//	var client = &http.Client{}
//	srv := &http.Server{Addr: ":8080", Handler: mux}
//
// Good:
//
//	var client = &http.Client{Timeout: 30 * time.Second}
//	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
//
// Suggested fixes add Timeout to a client literal and ReadHeaderTimeout to a
// server literal (durations set by -client-timeout and
// -server-read-header-timeout), and derive a Background request context sent
// on http.DefaultClient with context.WithTimeout (-client-timeout), importing
// "time" when needed. Test files and DialTimeout are never reported.
package missingtimeout
