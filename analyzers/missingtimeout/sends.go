package missingtimeout

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// send is a request sent through an http.Client held in a variable or a
// field: a call of Get, Head, Post, PostForm or Do, or a method value of
// one of them.
type send struct {
	pos   token.Pos
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
				holder := clientHolder(info, sel.X)
				if holder == nil {
					continue
				}
				sn := send{pos: sel.Pos(), what: types.ExprString(sel), bound: boundNo}
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

// unboundedSend returns the first send through one of objs that visibly
// has no deadline, and whether there are sends at all.
func (c *checker) unboundedSend(objs ...types.Object) (first *send, any bool) {
	for _, o := range objs {
		for _, s := range c.sendsOf(o) {
			any = true
			if s.bound == boundNo && (first == nil || s.pos < first.pos) {
				s := s
				first = &s
			}
		}
	}
	return first, any
}

// clientHolder returns the variable or field that the receiver of a
// client method refers to, or nil.
func clientHolder(info *types.Info, x ast.Expr) types.Object {
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
