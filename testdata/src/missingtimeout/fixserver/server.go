// Package fixserver starts HTTP servers that a slow client can pin.
package fixserver

import (
	"log"
	"net"
	"net/http"
	"time"
)

type App struct {
	admin  *http.Server
	mux    *http.ServeMux
	logger *log.Logger
}

// Run serves the public API.
func (a *App) Run(addr string) error {
	srv := &http.Server{ // want `http.Server has no ReadHeaderTimeout or ReadTimeout, so slow clients can hold connections forever; set ReadHeaderTimeout`
		Addr:         addr,
		Handler:      a.mux,
		WriteTimeout: 30 * time.Second,
		ErrorLog:     a.logger,
	}
	return srv.ListenAndServe()
}

// RunAdmin keeps the admin server in a field.
func (a *App) RunAdmin(l net.Listener) error {
	a.admin = &http.Server{Handler: a.mux} // want `http.Server has no ReadHeaderTimeout or ReadTimeout`
	return a.admin.Serve(l)
}

// RunMetrics builds the server with new.
func (a *App) RunMetrics(l net.Listener) error {
	srv := new(http.Server) // want `http.Server has no ReadHeaderTimeout or ReadTimeout`
	srv.Handler = a.mux
	return srv.Serve(l)
}

// RunDebug sets a timeout only after it started serving: too late.
func (a *App) RunDebug(l net.Listener) error {
	srv := &http.Server{} // want `http.Server has no ReadHeaderTimeout or ReadTimeout`
	go srv.Serve(l)
	srv.ReadTimeout = time.Second
	return nil
}

// RunInternal is fine: the timeout is in the literal.
func (a *App) RunInternal(l net.Listener) error {
	srv := &http.Server{Handler: a.mux, ReadHeaderTimeout: 5 * time.Second}
	return srv.Serve(l)
}
