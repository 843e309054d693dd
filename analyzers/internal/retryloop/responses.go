package retryloop

// The responses: whose body is still open when the next attempt starts.

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// unclosedOf returns the responses whose bodies are left open when the
// next attempt starts, in source order.
func (w *walker) unclosedOf() []*Unclosed {
	var us []*Unclosed
	for rv, ri := range w.resps {
		u := &Unclosed{Resp: rv, Call: ri.call}
		recurs := false
		w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
			if !w.restarts(n, c) || n.Pos() < ri.stmt.End() {
				return
			}
			for _, g := range c.guards {
				if g.cond != nil && w.respNil(g.cond, g.neg, rv, ri.err) {
					return
				}
			}
			if w.handled(rv, ri.stmt.End(), n.Pos()) {
				return
			}
			if b, ok := n.(*ast.BranchStmt); ok {
				u.Continues = append(u.Continues, b)
			} else {
				recurs = true // a recursive call: reported at the send, with no fix
			}
		})
		if len(u.Continues) > 0 || recurs || w.fallsThroughOpen(rv, ri) {
			us = append(us, u)
		}
	}
	slices.SortStableFunc(us, func(a, b *Unclosed) int { return int(a.Call.Pos() - b.Call.Pos()) })
	return us
}

// respNil reports whether cond (negated: its failure) implies the response
// is nil: err != nil, or resp == nil.
func (w *walker) respNil(cond ast.Expr, neg bool, rv, ev *types.Var) bool {
	parts, errOp, respOp := conjuncts(cond, token.LAND), token.NEQ, token.EQL
	if neg {
		parts, errOp, respOp = conjuncts(cond, token.LOR), token.EQL, token.NEQ
	}
	for _, p := range parts {
		if v := w.errCompare(p, errOp); v == ev {
			return true
		}
		if b, ok := ast.Unparen(p).(*ast.BinaryExpr); ok && b.Op == respOp {
			if w.varOf(b.X) == rv && match.IsNil(w.m.info(), b.Y) || w.varOf(b.Y) == rv && match.IsNil(w.m.info(), b.X) {
				return true
			}
		}
	}
	return false
}

// readers are packages whose functions read a body without closing it.
var readers = map[string]bool{"io": true, "io/ioutil": true, "encoding/json": true, "encoding/xml": true, "bufio": true, "fmt": true}

// handled reports whether the response rv is closed, or handed elsewhere,
// between from and to.
func (w *walker) handled(rv *types.Var, from, to token.Pos) bool {
	info := w.m.info()
	found := false
	var stack []ast.Node
	ast.Inspect(w.l.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		if found {
			return false
		}
		id, ok := n.(*ast.Ident)
		if !ok || info.Uses[id] != rv || id.Pos() < from || id.Pos() >= to {
			return true
		}
		// walk up from the use
		for i := len(stack) - 2; i >= 0; i-- {
			switch p := stack[i].(type) {
			case *ast.SelectorExpr:
				if p.Sel.Name == "Close" && !deferred(stack[:i]) {
					found = true // a deferred Close runs when the function returns, after every attempt
				}
				if p.Sel.Name != "Body" {
					if i == len(stack)-2 {
						return true // resp.StatusCode, resp.Header: a read
					}
				}
				continue
			case *ast.CallExpr:
				if fn := match.Callee(info, p); fn != nil && fn.Pkg() != nil && readers[fn.Pkg().Path()] {
					return true
				}
				found = true
			case *ast.BinaryExpr:
				return true // resp == nil
			case *ast.ReturnStmt:
				return true // handed to the caller on a path that ends the retry
			case *ast.ParenExpr, *ast.StarExpr:
				continue
			default:
				// stored, returned, deferred, sent: handled elsewhere
				found = true
			}
			break
		}
		return true
	})
	return found
}

// fallsThroughOpen reports whether the body can reach its end with the
// response open and non-nil.
func (w *walker) fallsThroughOpen(rv *types.Var, ri *respInfo) bool {
	list := w.l.Body.List
	idx := -1
	for i, s := range list {
		if s.Pos() <= ri.stmt.Pos() && ri.stmt.End() <= s.End() {
			idx = i
		}
	}
	if idx < 0 || list[idx] != ri.stmt {
		return false
	}
	for _, s := range list[idx+1:] {
		if w.isExit(s, wctx{top: true}) {
			return false
		}
		if is, ok := s.(*ast.IfStmt); ok && is.Else == nil {
			// if err == nil { return } / if err != nil { continue }: the
			// rest runs only with a nil or checked response
			if w.errCompare(is.Cond, token.EQL) == ri.err && w.containsExit(is.Body, wctx{}) {
				return false
			}
			if w.errCompare(is.Cond, token.NEQ) == ri.err {
				// from here on the response is non-nil: keep looking
				continue
			}
		}
	}
	// a response only ever nil-checked and read gets no close anywhere
	return !w.handled(rv, ri.stmt.End(), w.l.Body.End()) && w.everStatusRetry(rv)
}

// everStatusRetry reports whether the loop can retry with a response in hand:
// it reads the status (a non-nil response that was judged a failure).
func (w *walker) everStatusRetry(rv *types.Var) bool {
	return match.Any(w.l.Body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "StatusCode" && w.varOf(sel.X) == rv
	})
}

// deferred reports whether the innermost statement on stack is a defer.
func deferred(stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.DeferStmt:
			return true
		case ast.Stmt:
			return false
		}
	}
	return false
}
