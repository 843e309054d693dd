// Package health holds the signatures of resilvet's runtime/health that the
// fixtures call.
package health

import "net/http"

type Checker struct{}

func New() *Checker { return &Checker{} }

func (c *Checker) Liveness() http.Handler  { return nil }
func (c *Checker) Readiness() http.Handler { return nil }
