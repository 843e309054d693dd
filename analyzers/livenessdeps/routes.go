package livenessdeps

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// route is a handler registered on a liveness path.
type route struct {
	at       ast.Expr // the path argument
	path     string
	handlers []ast.Expr // the handler arguments (middleware included)
}

// route recognises the path argument of a registration:
// HandleFunc("/healthz", h), r.Get("/healthz", h), e.GET("/healthz", h),
// r.Path("/healthz").HandlerFunc(h), with the path a literal or a
// constant. It also notes a readiness path for the message.
func (c *checker) route(cc inspector.Cursor, live []string) (route, bool) {
	call := cc.Node().(*ast.CallExpr)
	for i, a := range call.Args {
		s, ok := c.constString(a)
		if !ok {
			continue
		}
		path := routePath(s)
		if path == "" {
			continue
		}
		if c.ready == "" && matches(path, readinessPaths) {
			c.ready = path
		}
		if !matches(path, live) {
			continue
		}
		handlers := c.funcArgs(call.Args[i+1:])
		// r.Path("/healthz").Methods("GET").HandlerFunc(h): up the chain.
		for link := cc; len(handlers) == 0; {
			if k, _ := link.ParentEdge(); k != edge.SelectorExpr_X {
				break
			}
			outer, ok := link.Parent().Parent().Node().(*ast.CallExpr)
			if !ok {
				break
			}
			link = link.Parent().Parent()
			handlers = c.funcArgs(outer.Args)
		}
		if len(handlers) > 0 {
			return route{at: a, path: path, handlers: handlers}, true
		}
	}
	return route{}, false
}

// funcArgs keeps the arguments that are handlers: functions that take a
// request (net/http's, or a router's context such as echo.Context or
// *gin.Context) and values with a ServeHTTP method. A client's callback
// next to a path ("/healthz", decode) is not one.
func (c *checker) funcArgs(args []ast.Expr) []ast.Expr {
	var out []ast.Expr
	for _, a := range args {
		t := c.pass.TypesInfo.TypeOf(a)
		if t == nil {
			continue
		}
		if sig, ok := t.Underlying().(*types.Signature); ok && takesRequest(sig) || hasServeHTTP(t) {
			out = append(out, a)
		}
	}
	return out
}

// takesRequest reports whether sig has a parameter of net/http's request
// or response writer, or of a router package's own types.
func takesRequest(sig *types.Signature) bool {
	for v := range sig.Params().Variables() {
		t := v.Type()
		if match.IsHTTPRequestPtr(t) || match.IsNamed(t, "net/http", "ResponseWriter") {
			return true
		}
		if p, ok := types.Unalias(t).(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() != "net/http" && slices.Contains(routers, n.Obj().Pkg().Path()) {
			return true
		}
	}
	return false
}

func hasServeHTTP(t types.Type) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "ServeHTTP")
	_, ok := obj.(*types.Func)
	return ok
}

// bodies resolves a handler expression to the function bodies that run for
// each request: a function literal, a function or method of this package,
// http.HandlerFunc(f), the handlers a constructor of this package returns,
// or the ServeHTTP method of a type of this package.
func (c *checker) bodies(e ast.Expr, depth int) []*ast.BlockStmt {
	if depth > 3 {
		return nil
	}
	info := c.pass.TypesInfo
	switch x := ast.Unparen(e).(type) {
	case *ast.FuncLit:
		return []*ast.BlockStmt{x.Body}
	case *ast.Ident, *ast.SelectorExpr:
		if fn := c.funcOf(x); fn != nil {
			if fd := c.decl(fn); fd != nil {
				return []*ast.BlockStmt{fd.Body}
			}
			return nil
		}
	case *ast.CallExpr:
		if tv, ok := info.Types[x.Fun]; ok && tv.IsType() && len(x.Args) == 1 {
			return c.bodies(x.Args[0], depth+1) // http.HandlerFunc(f)
		}
		if fn := c.funcOf(x.Fun); fn != nil {
			if fd := c.decl(fn); fd != nil {
				return c.returned(fd, depth)
			}
			return nil
		}
	}
	// A value whose type has a ServeHTTP of this package.
	if t := info.TypeOf(e); t != nil {
		obj, _, _ := types.LookupFieldOrMethod(t, true, c.pass.Pkg, "ServeHTTP")
		if fn, ok := obj.(*types.Func); ok {
			if fd := c.decl(fn); fd != nil {
				return []*ast.BlockStmt{fd.Body}
			}
		}
	}
	return nil
}

// returned resolves what a handler constructor returns. Only what it
// returns runs per request: work it does before returning (or starts in a
// goroutine) runs once.
func (c *checker) returned(fd *ast.FuncDecl, depth int) []*ast.BlockStmt {
	var out []*ast.BlockStmt
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // a nested function's returns are its own
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				out = append(out, c.bodies(r, depth+1)...)
			}
		}
		return true
	})
	return out
}

// funcOf returns the function or method that e names, or nil.
func (c *checker) funcOf(e ast.Expr) *types.Func {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		fn, _ := c.pass.TypesInfo.Uses[x].(*types.Func)
		return fn
	case *ast.SelectorExpr:
		if sel, ok := c.pass.TypesInfo.Selections[x]; ok {
			fn, _ := sel.Obj().(*types.Func)
			return fn
		}
		fn, _ := c.pass.TypesInfo.Uses[x.Sel].(*types.Func)
		return fn
	}
	return nil
}

// indexFuncs records the package's function declarations.
func (c *checker) indexFuncs() {
	c.funcs = map[token.Pos]*ast.FuncDecl{}
	for _, f := range c.pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				c.funcs[fd.Name.Pos()] = fd
			}
		}
	}
}

// decl returns the declaration of fn when it is a function of this package
// with a body.
func (c *checker) decl(fn *types.Func) *ast.FuncDecl {
	if fn == nil || fn.Pkg() != c.pass.Pkg {
		return nil
	}
	return c.funcs[fn.Origin().Pos()]
}

// constString returns the constant string value of e, if it has one.
func (c *checker) constString(e ast.Expr) (string, bool) {
	tv := c.pass.TypesInfo.Types[e]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(tv.Value), true
}
