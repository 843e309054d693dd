package abandonedsend

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// slots returns the capacity that gives every sender of ch a slot, as
// source text: the number of go statements, or, for one go statement in
// one loop, the loop's length (len(xs), n). It is "" when the check cannot
// say.
func (c *checker) slots(ch channel, u uses, finite bool, n int64) string {
	if finite {
		return strconv.FormatInt(n, 10)
	}
	if len(u.senders) != 1 || u.senders[0].many || len(u.senders[0].loops) != 1 {
		return ""
	}
	var size ast.Expr
	var root ast.Expr
	switch l := u.senders[0].loops[0].(type) {
	case *ast.RangeStmt:
		root, size = l.X, &ast.CallExpr{Fun: ast.NewIdent("len"), Args: []ast.Expr{l.X}}
		switch t := c.pass.TypesInfo.TypeOf(l.X).Underlying().(type) {
		case *types.Basic:
			if t.Info()&types.IsInteger != 0 {
				size = l.X
			}
		case *types.Slice, *types.Array, *types.Map:
		default:
			return "" // a channel or an iterator: its length is unknown
		}
	case *ast.ForStmt:
		cond, ok := l.Cond.(*ast.BinaryExpr)
		if !ok || cond.Op != token.LSS || !startsAtZero(l.Init) {
			return ""
		}
		root, size = cond.Y, cond.Y
	default:
		return ""
	}
	if !c.availableAt(root, ch.make.Pos()) {
		return ""
	}
	return types.ExprString(size)
}

// startsAtZero reports whether init is i := 0.
func startsAtZero(init ast.Stmt) bool {
	as, ok := init.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 {
		return false
	}
	lit, ok := as.Rhs[0].(*ast.BasicLit)
	return ok && lit.Value == "0"
}

// availableAt reports whether e is a plain name or field path (no calls)
// whose names mean the same at pos, so that it can size the make there.
func (c *checker) availableAt(e ast.Expr, pos token.Pos) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return true
	case *ast.CallExpr:
		id, ok := ast.Unparen(x.Fun).(*ast.Ident)
		if _, builtin := c.pass.TypesInfo.Uses[id].(*types.Builtin); !ok || !builtin || id.Name != "len" || len(x.Args) != 1 {
			return false
		}
		return c.availableAt(x.Args[0], pos)
	case *ast.Ident:
		obj := c.pass.TypesInfo.Uses[x]
		return obj != nil && match.Lookup(c.pass.Pkg, x.Name, pos) == obj
	case *ast.SelectorExpr:
		if _, ok := c.pass.TypesInfo.Selections[x]; !ok {
			// A qualified identifier: pkg.Name.
			_, isPkg := c.pass.TypesInfo.Uses[identOf(x.X)].(*types.PkgName)
			return isPkg
		}
		return c.availableAt(x.X, pos)
	}
	return false
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := e.(*ast.Ident)
	return id
}

// sizeFix gives the make call of ch the capacity size.
func (c *checker) sizeFix(ch channel, size string) []analysis.SuggestedFix {
	var edit analysis.TextEdit
	if len(ch.make.Args) == 1 {
		at := ch.make.Args[0].End()
		edit = analysis.TextEdit{Pos: at, End: at, NewText: []byte(", " + size)}
	} else {
		arg := ch.make.Args[1]
		edit = analysis.TextEdit{Pos: arg.Pos(), End: arg.End(), NewText: []byte(size)}
	}
	return []analysis.SuggestedFix{{
		Message:   fmt.Sprintf("give %s one slot per sender", ch.obj.Name()),
		TextEdits: []analysis.TextEdit{edit},
	}}
}
