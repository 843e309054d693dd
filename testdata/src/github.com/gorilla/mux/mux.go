// Package mux is a stub of github.com/gorilla/mux for analyzer fixtures.
package mux

import "net/http"

type Router struct{}

type Route struct{}

func NewRouter() *Router { return &Router{} }

func (r *Router) HandleFunc(path string, f func(http.ResponseWriter, *http.Request)) *Route {
	return &Route{}
}
func (r *Router) Handle(path string, h http.Handler) *Route                    { return &Route{} }
func (r *Router) Path(tpl string) *Route                                       { return &Route{} }
func (r *Route) Methods(methods ...string) *Route                              { return r }
func (r *Route) HandlerFunc(f func(http.ResponseWriter, *http.Request)) *Route { return r }
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request)           {}
