package missingtimeout

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// bound tells whether a context or request visibly carries a deadline.
type bound int

const (
	boundUnknown bound = iota // built elsewhere: assume the caller bounds it
	boundYes                  // a caller's context, or one derived with a deadline
	boundNo                   // a Background/TODO root with no deadline on the way, or no context at all
)

// either combines the values a variable may hold: one bounded assignment
// (req = req.WithContext(ctx)) is taken to bound it, and anything unknown
// keeps it unknown, so that only a visibly unbounded value is reported.
func either(a, b bound) bound {
	switch {
	case a == boundYes || b == boundYes:
		return boundYes
	case a == boundUnknown || b == boundUnknown:
		return boundUnknown
	}
	return boundNo
}

// deadlines classifies contexts and requests as code in one function sees
// them.
type deadlines struct {
	info *types.Info
	fn   inspector.Cursor // the outermost function around the use
	// callerCtx reports whether fn has a context or request parameter: a
	// Background root there is ctxbackground's finding, not a missing
	// timeout.
	callerCtx bool
	depth     int
	visiting  map[*types.Var]bool
}

func (c *checker) deadlinesAt(cur inspector.Cursor) *deadlines {
	fn := enclosingFunc(cur)
	d := &deadlines{info: c.pass.TypesInfo, fn: fn}
	if fd, ok := fn.Node().(*ast.FuncDecl); ok && fd.Type.Params != nil {
		for _, f := range fd.Type.Params.List {
			t := d.info.TypeOf(f.Type)
			if match.IsContext(t) || match.IsHTTPRequestPtr(t) {
				d.callerCtx = true
			}
		}
	}
	return d
}

// ctx classifies a context expression.
func (d *deadlines) ctx(e ast.Expr) bound {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := match.Callee(d.info, e)
		switch {
		case match.IsFunc(fn, "context", "Background", "TODO"):
			if d.callerCtx {
				return boundUnknown
			}
			return boundNo
		case match.IsFunc(fn, "context", "WithTimeout", "WithTimeoutCause", "WithDeadline", "WithDeadlineCause"):
			return boundYes
		case match.IsFunc(fn, "context", "WithCancel", "WithCancelCause", "WithValue"):
			return d.ctxArg(e)
		case match.IsMethod(fn, httpPkg, "Request", "Context"):
			// A request's own context: a received request carries its
			// caller's; one built here carries what it was built with.
			if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok {
				return d.request(sel.X)
			}
		}
	case *ast.Ident:
		return d.variable(e, d.ctx)
	}
	return boundUnknown
}

// request classifies the context of an *http.Request expression.
func (d *deadlines) request(e ast.Expr) bound {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := match.Callee(d.info, e)
		switch {
		case match.IsFunc(fn, httpPkg, "NewRequest"):
			return boundNo
		case match.IsFunc(fn, httpPkg, "NewRequestWithContext"),
			match.IsMethod(fn, httpPkg, "Request", "WithContext", "Clone"):
			return d.ctxArg(e)
		}
	case *ast.Ident:
		return d.variable(e, d.request)
	}
	return boundUnknown
}

// ctxArg classifies the context a call takes first.
func (d *deadlines) ctxArg(call *ast.CallExpr) bound {
	if len(call.Args) == 0 {
		return boundUnknown
	}
	return d.ctx(call.Args[0])
}

// variable classifies a local variable by every value assigned to it in
// the function: a parameter is the caller's, bounded by it.
func (d *deadlines) variable(id *ast.Ident, classify func(ast.Expr) bound) bound {
	v, ok := d.info.Uses[id].(*types.Var)
	if !ok || v.IsField() || v.Pkg() == nil || v.Parent() == v.Pkg().Scope() {
		return boundUnknown
	}
	if isParam(d.fn, d.info, v) {
		return boundYes
	}
	if d.visiting[v] {
		return boundNo // a value derived from itself adds nothing to either
	}
	if d.depth > 8 {
		return boundUnknown
	}
	if d.visiting == nil {
		d.visiting = map[*types.Var]bool{}
	}
	d.depth++
	d.visiting[v] = true
	defer func() { d.depth--; delete(d.visiting, v) }()
	values, opaque := assigned(d.info, d.fn, v)
	if opaque || len(values) == 0 {
		return boundUnknown
	}
	result := boundNo
	for _, x := range values {
		result = either(result, classify(x))
	}
	return result
}
