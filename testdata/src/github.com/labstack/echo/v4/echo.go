// Package echo is a stub of github.com/labstack/echo/v4 for analyzer fixtures.
package echo

import (
	"net/http"
)

type Context interface {
	Request() *http.Request
	String(code int, s string) error
	NoContent(code int) error
}

type HandlerFunc func(c Context) error

type MiddlewareFunc func(next HandlerFunc) HandlerFunc

type Echo struct{}

type Route struct{}

func New() *Echo { return &Echo{} }

func (e *Echo) GET(path string, h HandlerFunc, m ...MiddlewareFunc) *Route { return &Route{} }
