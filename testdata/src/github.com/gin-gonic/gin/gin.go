// Package gin is a stub of github.com/gin-gonic/gin for analyzer fixtures.
package gin

import "net/http"

type Context struct{ Request *http.Request }

func (c *Context) Status(code int)           {}
func (c *Context) String(code int, s string) {}
func (c *Context) AbortWithStatus(code int)  {}

type HandlerFunc func(*Context)

type Engine struct{}

func Default() *Engine { return &Engine{} }

func (e *Engine) GET(path string, handlers ...HandlerFunc) {}
