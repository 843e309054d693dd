package quiet

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

type ServerConfig struct {
	Addr        string
	ReadTimeout time.Duration
}

type Server struct {
	srv *http.Server
	mux *http.ServeMux
}

// Run assigns the timeouts before serving.
func (s *Server) Run(ctx context.Context, cfg ServerConfig) error {
	srv := &http.Server{Addr: cfg.Addr, Handler: s.mux}
	srv.ReadHeaderTimeout = 5 * time.Second
	srv.ReadTimeout = cfg.ReadTimeout
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Start keeps the server in a field and sets the timeout in Configure.
func (s *Server) Start(l net.Listener) error {
	s.srv = &http.Server{Handler: s.mux}
	s.Configure(10 * time.Second)
	return s.srv.Serve(l)
}

func (s *Server) Configure(d time.Duration) {
	s.srv.ReadHeaderTimeout = d
}

// Public sets the timeouts in the literal.
func Public(mux *http.ServeMux) *http.Server {
	return &http.Server{
		Addr:              ":443",
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

// Legacy sets only ReadTimeout, which also bounds the headers.
func Legacy(mux *http.ServeMux) error {
	srv := http.Server{Addr: ":8081", Handler: mux, ReadTimeout: time.Minute}
	return srv.ListenAndServe()
}

// harden is this package's helper that sets the timeouts.
func harden(srv *http.Server) { srv.ReadHeaderTimeout = 3 * time.Second }

func Hardened(l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h}
	harden(srv)
	return srv.Serve(l)
}
