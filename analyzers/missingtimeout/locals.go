package missingtimeout

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// Code in one function and its local variables: which function a use is
// in, whether a variable is its parameter, what values the function
// assigns to a variable.

// enclosingFunc returns the outermost function declaration around cur (so
// closures share their parent's variables), or its file.
func enclosingFunc(cur inspector.Cursor) inspector.Cursor {
	fn := cur
	for a := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.File)(nil)) {
		return a
	}
	return fn
}

func isParam(fn inspector.Cursor, info *types.Info, v *types.Var) bool {
	fd, ok := fn.Node().(*ast.FuncDecl)
	if !ok || fd.Type.Params == nil {
		return false
	}
	for _, field := range fd.Type.Params.List {
		for _, id := range field.Names {
			if info.Defs[id] == v {
				return true
			}
		}
	}
	return false
}

// assigned returns the values that fn assigns to the local variable v, in
// source order: the right side of each assignment or declaration that names
// v, and for "v, err := f()" the call f(). opaque reports that v may also
// hold values not listed: its address is taken, it is a range variable, it
// is declared with no value, or it takes a result of a call other than the
// first.
func assigned(info *types.Info, fn inspector.Cursor, v types.Object) (values []ast.Expr, opaque bool) {
	for n := range fn.Preorder((*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.UnaryExpr)(nil), (*ast.RangeStmt)(nil)) {
		var lhs, rhs []ast.Expr
		switch n := n.Node().(type) {
		case *ast.AssignStmt:
			lhs, rhs = n.Lhs, n.Rhs
		case *ast.ValueSpec:
			for _, name := range n.Names {
				lhs = append(lhs, name)
			}
			rhs = n.Values
		case *ast.UnaryExpr:
			if x, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND && info.Uses[x] == v {
				opaque = true // &v: anything may write it
			}
			continue
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if x, ok := x.(*ast.Ident); ok && info.ObjectOf(x) == v {
					opaque = true
				}
			}
			continue
		}
		for i, l := range lhs {
			if id, ok := ast.Unparen(l).(*ast.Ident); !ok || info.ObjectOf(id) != v {
				continue
			}
			switch {
			case len(lhs) == len(rhs):
				values = append(values, rhs[i])
			case len(rhs) == 1 && i == 0:
				// req, err := http.NewRequest(...); ctx, cancel := context.WithTimeout(...)
				values = append(values, rhs[0])
			default:
				opaque = true
			}
		}
	}
	return values, opaque
}
