package missingtimeout

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// send is a request sent through an http.Client held in a variable or a
// field: a call of Get, Head, Post, PostForm or Do, or a method value of
// one of them.
type send struct {
	pos   token.Pos
	end   token.Pos
	what  string // how the source spells it, e.g. "cli.Get"
	bound bound  // whether the request carries a deadline
}

// sendsOf returns the sends through obj (a variable or a struct field
// holding an http.Client) anywhere in the package. Built on first use.
func (c *checker) sendsOf(obj types.Object) []send {
	if c.sends == nil {
		c.sends = map[types.Object][]send{}
		info := c.pass.TypesInfo
		for fc := range c.insp.Root().Children() {
			if f := fc.Node().(*ast.File); match.IsTestFile(c.pass, f) {
				continue
			}
			for sc := range fc.Preorder((*ast.SelectorExpr)(nil)) {
				sel := sc.Node().(*ast.SelectorExpr)
				s, ok := info.Selections[sel]
				if !ok || s.Kind() != types.MethodVal {
					continue
				}
				fn, _ := s.Obj().(*types.Func)
				if !match.IsMethod(fn, httpPkg, "Client", "Get", "Head", "Post", "PostForm", "Do") {
					continue
				}
				holder := c.clientHolder(sel.X)
				if holder == nil {
					continue
				}
				sn := send{pos: sel.Pos(), end: sel.End(), what: types.ExprString(sel), bound: boundNo}
				if sc.ParentEdgeKind() == edge.CallExpr_Fun {
					if fn.Name() == "Do" {
						call := sc.Parent().Node().(*ast.CallExpr)
						sn.bound = boundUnknown
						if len(call.Args) == 1 {
							sn.bound = c.deadlinesAt(sc).request(call.Args[0])
						}
					}
				} else {
					// A method value: Do's request is not visible; the
					// others never carry a context.
					if fn.Name() == "Do" || discarded(sc) {
						continue
					}
				}
				c.sends[holder] = append(c.sends[holder], sn)
			}
		}
	}
	return c.sends[obj]
}

// sendSummary is what the sends through one client show.
type sendSummary struct {
	unbounded []send // sends that visibly have no deadline
	bounded   bool   // some send carries a caller's context or a deadline
	any       bool   // there are sends at all
}

// summarise collects the sends through objs.
func (c *checker) summarise(objs ...types.Object) sendSummary {
	var sum sendSummary
	for _, o := range objs {
		for _, s := range c.sendsOf(o) {
			sum.any = true
			switch s.bound {
			case boundNo:
				sum.unbounded = append(sum.unbounded, s)
			case boundYes:
				sum.bounded = true
			}
		}
	}
	return sum
}

// clientHolder returns the variable or field that the receiver of a
// client method refers to, directly or through a getter of the package
// that returns it (w.getClient().Do(req)), or nil.
func (c *checker) clientHolder(x ast.Expr) types.Object {
	info := c.pass.TypesInfo
	x = ast.Unparen(x)
	if s, ok := x.(*ast.StarExpr); ok {
		x = ast.Unparen(s.X)
	}
	switch x := x.(type) {
	case *ast.Ident:
		if v, ok := info.Uses[x].(*types.Var); ok {
			return v
		}
	case *ast.SelectorExpr:
		return fieldOrGlobal(info, x)
	case *ast.CallExpr:
		return c.getterField(match.Callee(info, x))
	}
	return nil
}

// getterField returns the field or package variable that every return
// statement of fn, a function of the package, returns, or nil.
func (c *checker) getterField(fn *types.Func) types.Object {
	if fn == nil || fn.Pkg() != c.pass.Pkg {
		return nil
	}
	var found types.Object
	for n := range c.insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		fd := n.Node().(*ast.FuncDecl)
		if fd.Body == nil || c.pass.TypesInfo.Defs[fd.Name] != fn {
			continue
		}
		ok := true
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				var obj types.Object
				if len(n.Results) == 1 {
					if sel, isSel := ast.Unparen(n.Results[0]).(*ast.SelectorExpr); isSel {
						obj = fieldOrGlobal(c.pass.TypesInfo, sel)
					}
				}
				if obj == nil || found != nil && found != obj {
					ok = false
				}
				found = obj
			}
			return ok
		})
		if !ok {
			return nil
		}
		return found
	}
	return nil
}

// discarded reports whether the value at cur is assigned to _.
func discarded(cur inspector.Cursor) bool {
	kind, idx := cur.ParentEdge()
	if kind != edge.AssignStmt_Rhs {
		return false
	}
	as := cur.Parent().Node().(*ast.AssignStmt)
	if len(as.Lhs) != len(as.Rhs) {
		return false
	}
	id, ok := as.Lhs[idx].(*ast.Ident)
	return ok && id.Name == "_"
}

// reportSends reports requests without a deadline sent on the client built
// at cur, once each.
func (c *checker) reportSends(cur inspector.Cursor, sends []send) {
	if c.sentReported == nil {
		c.sentReported = map[token.Pos]bool{}
	}
	built := c.pass.Fset.Position(cur.Node().Pos())
	for _, s := range sends {
		if c.sentReported[s.pos] {
			continue
		}
		c.sentReported[s.pos] = true
		c.rep.Report(analysis.Diagnostic{Pos: s.pos, End: s.end, Message: fmt.Sprintf(
			"%s sends a request without a deadline on an http.Client with no Timeout (built at %s:%d), so a slow server can hang it forever; send it with a context that has a deadline",
			s.what, filepath.Base(built.Filename), built.Line)})
	}
}
