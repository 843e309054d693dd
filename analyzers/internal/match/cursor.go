package match

import (
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/ast/inspector"
)

// CalledName returns the name a call is spelled with: f in f(...) and in
// x.f(...), "" for any other callee expression.
func CalledName(call *ast.CallExpr) string {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return fun.Name
	case *ast.SelectorExpr:
		return fun.Sel.Name
	}
	return ""
}

// OutOfParens steps from cur out of the parentheses and & around it: where
// the value built at cur goes.
func OutOfParens(cur inspector.Cursor) inspector.Cursor {
	for {
		switch p := cur.Parent().Node().(type) {
		case *ast.ParenExpr:
			cur = cur.Parent()
			continue
		case *ast.UnaryExpr:
			if p.Op == token.AND {
				cur = cur.Parent()
				continue
			}
		}
		return cur
	}
}
