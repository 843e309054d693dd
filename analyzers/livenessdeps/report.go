package livenessdeps

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
)

// check reports r when one of its handlers makes a remote call.
func (c *checker) check(r route) {
	seen := map[*ast.BlockStmt]bool{}
	for _, h := range r.handlers {
		for _, body := range c.bodies(h, 0) {
			rc, ok := c.findRemote(body, seen, 0)
			if !ok {
				continue
			}
			ready := "a readiness endpoint such as /readyz"
			if c.ready != "" {
				ready = "the readiness endpoint " + c.ready
			}
			c.rep.Reportf(r.at, "liveness endpoint %s calls %s (%s at %s): when %s is slow every instance fails liveness and is restarted at once; check only the process here and move the check to %s",
				r.path, rc.dep, types.ExprString(rc.call.Fun), c.where(rc.call.Pos(), r.at.Pos()), rc.dep, ready)
			return
		}
	}
}

// where renders pos for a message: "line 12" in the file of at, else
// "file.go:12".
func (c *checker) where(pos, at token.Pos) string {
	p, q := c.pass.Fset.Position(pos), c.pass.Fset.Position(at)
	if p.Filename == q.Filename {
		return fmt.Sprintf("line %d", p.Line)
	}
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}
