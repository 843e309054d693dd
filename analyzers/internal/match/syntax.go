package match

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Any reports whether pred holds for n or for a node below it; the search
// stops at the first node that matches.
func Any(n ast.Node, pred func(ast.Node) bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if !found && n != nil && pred(n) {
			found = true
		}
		return !found
	})
	return found
}

// Mentions reports whether an identifier in n refers to obj.
func Mentions(info *types.Info, n ast.Node, obj types.Object) bool {
	return Any(n, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		return ok && info.Uses[id] == obj
	})
}

// IsNil reports whether e is the predeclared nil.
func IsNil(info *types.Info, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	_, isNil := info.Uses[id].(*types.Nil)
	return isNil
}

// errorType is the predeclared error interface.
var errorType = types.Universe.Lookup("error").Type()

// IsError reports whether t is the predeclared error type.
func IsError(t types.Type) bool {
	return t != nil && types.Identical(t, errorType)
}

// Recv returns the receive expression <-x of n, when n is one, or is a
// statement made of one: "<-x", "v := <-x", "v, ok = <-x". It returns nil
// otherwise.
func Recv(n ast.Node) *ast.UnaryExpr {
	var e ast.Expr
	switch n := n.(type) {
	case *ast.ExprStmt:
		e = n.X
	case *ast.AssignStmt:
		if len(n.Rhs) == 1 {
			e = n.Rhs[0]
		}
	case ast.Expr:
		e = n
	}
	u, ok := ast.Unparen(e).(*ast.UnaryExpr)
	if !ok || u.Op != token.ARROW {
		return nil
	}
	return u
}

// Received returns the channel operand x of a receive (see Recv), without
// parentheses, or nil.
func Received(n ast.Node) ast.Expr {
	if u := Recv(n); u != nil {
		return ast.Unparen(u.X)
	}
	return nil
}

// CtxMethodCall reports whether e calls the method name on a
// context.Context, or on a type that embeds one.
func CtxMethodCall(info *types.Info, e ast.Expr, name string) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	if IsContext(info.TypeOf(sel.X)) {
		return true
	}
	// a type that embeds the context (a framework's Context struct)
	if s, ok := info.Selections[sel]; ok {
		if fn, ok := s.Obj().(*types.Func); ok {
			r := fn.Type().(*types.Signature).Recv()
			return r != nil && IsContext(r.Type())
		}
	}
	return false
}

// DoneRecv reports whether n is a receive from a context's Done channel
// (see Recv for the forms).
func DoneRecv(info *types.Info, n ast.Node) bool {
	ch := Received(n)
	return ch != nil && CtxMethodCall(info, ch, "Done")
}

// NoReturn reports whether fn is a standard library call that ends the
// goroutine or the process: os.Exit, log.Fatal and log.Panic and their
// variants, runtime.Goexit, syscall.Exit, and the FailNow, Fatal and Skip
// methods of package testing.
func NoReturn(fn *types.Func) bool {
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() + "." + fn.Name() {
	case "os.Exit", "runtime.Goexit", "syscall.Exit",
		"log.Fatal", "log.Fatalf", "log.Fatalln", "log.Panic", "log.Panicf", "log.Panicln",
		"testing.FailNow", "testing.Fatal", "testing.Fatalf", "testing.SkipNow", "testing.Skip", "testing.Skipf":
		return true
	}
	return false
}
