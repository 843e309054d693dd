package ctxbackground

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
	"github.com/resilvet/resilvet/analyzers/internal/ignore"
	"github.com/resilvet/resilvet/analyzers/internal/match"
)

//go:embed doc.go
var doc string

// Analyzer is the ctxbackground check; doc.go holds its documentation.
var Analyzer = &analysis.Analyzer{
	Name:     "ctxbackground",
	Doc:      checkdoc.Extract(doc, "ctxbackground"),
	URL:      checkdoc.URL("ctxbackground"),
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// inScope is the caller's context visible at a call.
type inScope struct {
	param *types.Var       // the context.Context or *http.Request parameter
	req   bool             // param is an *http.Request: the context is param.Context()
	fn    inspector.Cursor // the function declaring param
}

func (s inScope) expr() string {
	if s.req {
		return s.param.Name() + ".Context()"
	}
	return s.param.Name()
}

type checker struct {
	pass       *analysis.Pass
	rep        *ignore.Reporter
	reassigned map[*types.Var]bool
	funcDecls  map[*types.Func]*ast.FuncDecl // built on first use
}

func run(pass *analysis.Pass) (any, error) {
	// context.Background can only be called from a package importing context.
	if !match.Imports(pass.Pkg, "context") || match.TestSupport(pass.Pkg) {
		return nil, nil
	}
	c := &checker{pass: pass, rep: ignore.New(pass), reassigned: map[*types.Var]bool{}}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for fc := range insp.Root().Children() {
		f := fc.Node().(*ast.File)
		if match.IsTestFile(pass, f) || ast.IsGenerated(f) {
			continue
		}
		for cc := range fc.Preorder((*ast.CallExpr)(nil)) {
			c.check(f, cc)
		}
	}
	return nil, nil
}

func (c *checker) check(f *ast.File, cc inspector.Cursor) {
	call := cc.Node().(*ast.CallExpr)
	if len(call.Args) != 0 {
		return
	}
	var fnName string
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		fnName = fun.Sel.Name
	case *ast.Ident:
		fnName = fun.Name
	}
	if fnName != "Background" && fnName != "TODO" {
		return
	}
	info := c.pass.TypesInfo
	if !match.IsFunc(match.Callee(info, call), "context", fnName) {
		return
	}

	scope, detached, ok := c.findScope(cc)
	if !ok {
		return
	}

	// The name must still mean the caller's context where the call is.
	if match.Lookup(c.pass.Pkg, scope.param.Name(), call.Pos()) != scope.param {
		return
	}
	if c.isReassigned(scope) {
		return
	}

	// Follow the new root through With* wrappers to where it ends up, and
	// report only the shapes that hand it to other code: an argument, or a
	// local variable used later.
	target, wrapped := cc, false
	for target.ParentEdgeKind() == edge.CallExpr_Args {
		fn := match.Callee(info, target.Parent().Node().(*ast.CallExpr))
		if !match.IsFunc(fn, "context", "WithCancel", "WithCancelCause", "WithTimeout", "WithTimeoutCause",
			"WithDeadline", "WithDeadlineCause", "WithValue") {
			break
		}
		target, wrapped = target.Parent(), true
	}
	switch kind, idx := target.ParentEdge(); kind {
	case edge.CallExpr_Args:
		if c.quietConsumer(target.Parent()) || c.carriedByReceiver(target.Parent(), scope) {
			return
		}
	case edge.AssignStmt_Rhs, edge.ValueSpec_Values:
		v := c.storedIn(target.Parent().Node(), idx, scope, wrapped)
		if v == nil {
			return
		}
		calls, quietCalls := 0, 0
		for ic := range outermostFunc(cc).Preorder((*ast.Ident)(nil)) {
			if info.Uses[ic.Node().(*ast.Ident)] != v {
				continue
			}
			use := match.OutOfParens(ic)
			if escapes(info, c.pass.Pkg, use) {
				return // kept in a struct or returned: a lifetime of its own
			}
			if use.ParentEdgeKind() == edge.CallExpr_Args && derives(info, use.Parent(), v) && extracts(use.Parent().Node().(*ast.CallExpr)) {
				return // a fresh trace root, continued from a message's own headers
			}
			if use.ParentEdgeKind() == edge.CallExpr_Args && !derives(info, use.Parent(), v) {
				calls++
				if c.quietConsumer(use.Parent()) {
					quietCalls++
				}
			}
			if !detached && c.inGoStmt(scope.fn, ic) {
				detached = true
			}
		}
		if calls == 0 || calls == quietCalls {
			return
		}
	default:
		return
	}

	name := "context." + fnName + "()"
	d := analysis.Diagnostic{Pos: call.Pos(), End: call.End()}
	if detached {
		repl := scope.expr()
		if q, ok := c.withoutCancel(f, call); ok {
			repl = q + "(" + scope.expr() + ")"
			d.SuggestedFixes = []analysis.SuggestedFix{{
				Message:   "Replace with " + repl,
				TextEdits: []analysis.TextEdit{{Pos: call.Pos(), End: call.End(), NewText: []byte(repl)}},
			}}
		}
		d.Message = name + " in a goroutine drops the values of " + scope.expr() + " in scope; pass context.WithoutCancel(" + scope.expr() + ")"
	} else {
		repl := scope.expr()
		d.Message = name + " drops the deadline of " + repl + " in scope; pass " + repl
		d.SuggestedFixes = []analysis.SuggestedFix{{
			Message:   "Replace with " + repl,
			TextEdits: []analysis.TextEdit{{Pos: call.Pos(), End: call.End(), NewText: []byte(repl)}},
		}}
	}
	c.rep.Report(d)
}

// findScope walks from the call outwards to the nearest function with a
// context or request parameter. It reports whether the call sits in work
// that outlives that function (a go statement or time.AfterFunc), and
// ok=false when the call must stay quiet.
func (c *checker) findScope(cc inspector.Cursor) (scope inScope, detached, ok bool) {
	info := c.pass.TypesInfo
	child := cc
	var waited []inspector.Cursor // go statements the function waits for
	found := func(p *types.Var, req bool, fn inspector.Cursor) (inScope, bool, bool) {
		if p == nil {
			return inScope{}, false, false
		}
		for _, gc := range waited {
			if c.outlivesWait(gc, p) {
				return inScope{}, false, false
			}
		}
		return inScope{p, req, fn}, detached, true
	}
	for a := range cc.Enclosing() {
		if a == cc {
			continue
		}
		switch n := a.Node().(type) {
		case *ast.FuncDecl:
			if p, req, ok := ctxParam(info, n.Type); ok {
				return found(p, req, a)
			}
			return inScope{}, false, false
		case *ast.FuncLit:
			if p, req, ok := ctxParam(info, n.Type); ok {
				return found(p, req, a)
			}
			switch c.closureRole(a) {
			case roleDetached:
				detached = true
			case roleQuiet:
				return inScope{}, false, false
			}
		case *ast.GoStmt:
			if c.awaited(a) {
				waited = append(waited, a)
			} else {
				detached = true
			}
		case *ast.DeferStmt:
			// Cleanup at return often must outlive a cancelled ctx.
			return inScope{}, false, false
		case *ast.CommClause:
			if child.ParentEdgeKind() == edge.CommClause_Body && match.DoneRecv(info, n.Comm) {
				return inScope{}, false, false
			}
		case *ast.IfStmt:
			if child.ParentEdgeKind() == edge.IfStmt_Body && (mentionsDone(info, n.Cond) || c.nilGuard(n.Cond)) {
				return inScope{}, false, false
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				if mentionsDone(info, e) || c.nilGuard(e) {
					return inScope{}, false, false
				}
			}
		}
		// A statement after one that waited for a context to be done runs
		// during shutdown, when the caller's context is already cancelled.
		if _, isStmt := child.Node().(ast.Stmt); isStmt {
			for s, ok := child.PrevSibling(); ok; s, ok = s.PrevSibling() {
				if st, isStmt := s.Node().(ast.Stmt); isStmt && waitsForDone(info, st) {
					return inScope{}, false, false
				}
			}
		}
		child = a
	}
	return inScope{}, false, false
}

// awaited reports whether the function waits for the goroutine started by
// the go statement at gc: a later select on a context's Done channel, or a
// WaitGroup/errgroup Wait. Such a goroutine does not outlive the caller on
// purpose, so it should get the caller's context itself.
func (c *checker) awaited(gc inspector.Cursor) bool {
	info := c.pass.TypesInfo
	for s, ok := gc.NextSibling(); ok; s, ok = s.NextSibling() {
		switch st := s.Node().(type) {
		case *ast.SelectStmt:
			for _, cl := range st.Body.List {
				if match.DoneRecv(info, cl.(*ast.CommClause).Comm) {
					return true
				}
			}
		case *ast.ExprStmt:
			if waitCall(info, st) {
				return true
			}
		}
	}
	return false
}

// waitCall reports whether s is a WaitGroup or errgroup Wait call.
func waitCall(info *types.Info, s ast.Stmt) bool {
	es, ok := s.(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := ast.Unparen(es.X).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn := match.Callee(info, call)
	return match.IsMethod(fn, "sync", "WaitGroup", "Wait") || match.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Wait")
}

// outlivesWait reports whether the goroutine started at gc hands back only
// an error on a channel, writes no variable of the function, and the
// function waits for that error in a select that returns when ctx is done:
// ctx bounds the wait, and the work, done for its effect (a Close, a
// flush), runs to completion on purpose. A goroutine that computes a value
// for the function is wasted once the wait ends, and is still reported.
func (c *checker) outlivesWait(gc inspector.Cursor, ctx *types.Var) bool {
	info := c.pass.TypesInfo
	lit, ok := ast.Unparen(gc.Node().(*ast.GoStmt).Call.Fun).(*ast.FuncLit)
	if !ok {
		return false
	}
	declaredIn := func(obj types.Object) bool {
		return obj != nil && lit.Pos() <= obj.Pos() && obj.Pos() < lit.End()
	}
	inLit := func(e ast.Expr) bool { // a variable of the goroutine's own
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && (id.Name == "_" || declaredIn(info.ObjectOf(id)))
	}
	var ch types.Object
	ok = true
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SendStmt:
			id, isID := ast.Unparen(n.Chan).(*ast.Ident)
			if !isID || ch != nil && info.Uses[id] != ch {
				ok = false
				break
			}
			ch = info.Uses[id]
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				ok = ok && inLit(l)
			}
		case *ast.IncDecStmt:
			ok = ok && inLit(n.X)
		}
		return ok
	})
	if !ok || ch == nil || declaredIn(ch) {
		return false
	}
	if t, isChan := ch.Type().Underlying().(*types.Chan); !isChan || !match.IsError(t.Elem()) {
		return false
	}
	receives := func(n ast.Node) bool {
		id, isID := match.Received(n).(*ast.Ident)
		return isID && info.Uses[id] == ch
	}
	for s, more := gc.NextSibling(); more; s, more = s.NextSibling() {
		st, isStmt := s.Node().(ast.Stmt)
		if !isStmt || receives(st) || waitCall(info, st) {
			return false // waited for in full
		}
		sel, isSel := st.(*ast.SelectStmt)
		if !isSel {
			continue
		}
		var got, done bool
		for _, cl := range sel.Body.List {
			cl := cl.(*ast.CommClause)
			got = got || receives(cl.Comm)
			if match.DoneRecv(info, cl.Comm) {
				fun := ast.Unparen(match.Received(cl.Comm)).(*ast.CallExpr).Fun
				done = done || match.Mentions(info, ast.Unparen(fun).(*ast.SelectorExpr).X, ctx) && endsInReturn(cl.Body)
			}
		}
		return got && done
	}
	return false
}

// ctxParam returns the first context.Context parameter of ft, else its first
// *http.Request parameter. found reports whether ft has such a parameter at
// all; p is nil when it is named _ or unnamed (the function opts out).
func ctxParam(info *types.Info, ft *ast.FuncType) (p *types.Var, req, found bool) {
	if ft.Params == nil {
		return nil, false, false
	}
	for _, want := range []func(types.Type) bool{match.IsContext, match.IsHTTPRequestPtr} {
		for _, field := range ft.Params.List {
			if !want(info.TypeOf(field.Type)) {
				continue
			}
			if len(field.Names) == 0 || field.Names[0].Name == "_" {
				return nil, false, true
			}
			v, _ := info.Defs[field.Names[0]].(*types.Var)
			return v, v != nil && match.IsHTTPRequestPtr(v.Type()), true
		}
	}
	return nil, false, false
}

type role int

const (
	roleSync     role = iota // runs while the enclosing function runs
	roleDetached             // runs later in its own goroutine
	roleQuiet                // shared, deferred or escaping: leave alone
)

// closureRole classifies a function literal by how it is used.
func (c *checker) closureRole(lit inspector.Cursor) role {
	parent := lit.Parent()
	switch kind, _ := lit.ParentEdge(); kind {
	case edge.CallExpr_Fun:
		// A go statement's closure is judged at the go statement.
		if _, ok := parent.Parent().Node().(*ast.DeferStmt); ok {
			return roleQuiet
		}
	case edge.CallExpr_Args:
		fn := match.Callee(c.pass.TypesInfo, parent.Node().(*ast.CallExpr))
		switch {
		case match.IsFunc(fn, "time", "AfterFunc"):
			return roleDetached
		case match.IsFunc(fn, "context", "AfterFunc"),
			match.IsFunc(fn, "sync", "OnceFunc", "OnceValue", "OnceValues"),
			match.IsMethod(fn, "sync", "Once", "Do"),
			match.IsMethod(fn, "golang.org/x/sync/singleflight", "Group", "Do", "DoChan"):
			// Runs after ctx is done, or once on behalf of many callers.
			return roleQuiet
		}
	case edge.ReturnStmt_Results, edge.KeyValueExpr_Value, edge.CompositeLit_Elts:
		// Escapes the function: it may run long after the caller is gone.
		return roleQuiet
	case edge.AssignStmt_Rhs:
		if as := parent.Node().(*ast.AssignStmt); len(as.Lhs) == 1 {
			if _, ok := ast.Unparen(as.Lhs[0]).(*ast.Ident); !ok {
				return roleQuiet // stored in a field, map or global
			}
		}
	}
	return roleSync
}

// storedIn returns the local variable that the idx-th value of an
// assignment or declaration stores the new context in, or nil when the
// shape is not one to report. wrapped tells that the value is a With* call,
// whose context is its first result.
func (c *checker) storedIn(n ast.Node, idx int, scope inScope, wrapped bool) *types.Var {
	var lhs []ast.Expr
	var nrhs int
	switch n := n.(type) {
	case *ast.AssignStmt:
		lhs, nrhs = n.Lhs, len(n.Rhs)
	case *ast.ValueSpec:
		for _, id := range n.Names {
			lhs = append(lhs, id)
		}
		nrhs = len(n.Values)
	}
	if len(lhs) != nrhs {
		if !wrapped || nrhs != 1 {
			return nil
		}
		idx = 0 // ctx, cancel := context.WithTimeout(...)
	}
	id, ok := ast.Unparen(lhs[idx]).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	v, _ := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
	if v == nil || v.Parent() == nil || v.Parent() == c.pass.Pkg.Scope() {
		return nil
	}
	// "ctx = context.Background()", or "ctx := context.Background()" in an
	// inner block, replaces the caller's context on purpose. Deriving a
	// timeout from a new root under the same name is the article's bug.
	if !wrapped && v.Name() == scope.param.Name() {
		return nil
	}
	return v
}

// isReassigned reports whether the parameter is assigned a value that is
// not derived from itself anywhere in its function, so the name no longer
// reliably means the caller's context ("if ctx == nil { ctx = ... }").
func (c *checker) isReassigned(scope inScope) bool {
	if r, ok := c.reassigned[scope.param]; ok {
		return r
	}
	info := c.pass.TypesInfo
	found := false
	for ac := range scope.fn.Preorder((*ast.AssignStmt)(nil), (*ast.UnaryExpr)(nil)) {
		switch n := ac.Node().(type) {
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND && info.Uses[id] == scope.param {
				found = true // &ctx: anything may write it
			}
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				id, ok := ast.Unparen(l).(*ast.Ident)
				if !ok || info.Uses[id] != scope.param {
					continue
				}
				rhs := ast.Expr(nil)
				if len(n.Lhs) == len(n.Rhs) {
					rhs = n.Rhs[i]
				} else if len(n.Rhs) == 1 {
					rhs = n.Rhs[0]
				}
				// Assignments from Background/TODO are judged on their own.
				if rhs == nil || !match.Mentions(info, rhs, scope.param) && !callsRoot(info, rhs) {
					found = true
				}
			}
		}
		if found {
			break
		}
	}
	c.reassigned[scope.param] = found
	return found
}

// inGoStmt reports whether cur sits in a go statement inside fn.
func (c *checker) inGoStmt(fn, cur inspector.Cursor) bool {
	for a := range cur.Enclosing((*ast.GoStmt)(nil)) {
		return fn.Contains(a)
	}
	return false
}

// quietConsumer reports whether handing a new root context to the call at
// cc is legitimate: the callee returns nothing and only observes (logging,
// metrics, tracing: it cannot act on cancellation), starts work that runs
// on after it returns or shuts down, or ignores its context,
// or it returns no error and its result is kept beyond this call (a
// long-lived object, such as a token source, must not die with the
// caller's context). The call of a go statement is never quiet.
func (c *checker) quietConsumer(cc inspector.Cursor) bool {
	call := cc.Node().(*ast.CallExpr)
	if cc.ParentEdgeKind() == edge.GoStmt_Call {
		return false
	}
	tv, ok := c.pass.TypesInfo.Types[call.Fun]
	if !ok || tv.IsType() {
		return false
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok {
		return false
	}
	res := sig.Results()
	if res.Len() == 0 {
		return observes(c.pass.TypesInfo, call) || lifecycle(call) || c.ignoresContext(call)
	}
	for v := range res.Variables() {
		if match.IsError(v.Type()) {
			return false
		}
	}
	return escapes(c.pass.TypesInfo, c.pass.Pkg, match.OutOfParens(cc))
}

// carriedByReceiver reports whether the call at cc is a method of a local
// variable that this function built from a function literal using the
// caller's context, such as a pager over a page function that closes over
// ctx: the requests the method makes already carry the caller's deadline, and
// the new root only drives the receiver's own loop.
func (c *checker) carriedByReceiver(cc inspector.Cursor, scope inScope) bool {
	info := c.pass.TypesInfo
	sel, ok := ast.Unparen(cc.Node().(*ast.CallExpr).Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.IsField() || v.Parent() == nil || v.Parent() == c.pass.Pkg.Scope() {
		return false
	}
	built := func(rhs ast.Expr) bool {
		for n := range ast.Preorder(rhs) {
			if lit, ok := n.(*ast.FuncLit); ok && match.Mentions(info, lit, scope.param) {
				return true
			}
		}
		return false
	}
	for n := range outermostFunc(cc).Preorder((*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil)) {
		switch n := n.Node().(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if l, ok := lhs.(*ast.Ident); ok && info.Defs[l] == v && len(n.Rhs) == len(n.Lhs) {
					return built(n.Rhs[i])
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.Defs[name] == v && i < len(n.Values) {
					return built(n.Values[i])
				}
			}
		}
	}
	return false
}

// escapes reports whether the value at cur is returned or stored in a
// struct, a field or a package variable.
func escapes(info *types.Info, pkg *types.Package, cur inspector.Cursor) bool {
	switch kind, idx := cur.ParentEdge(); kind {
	case edge.ReturnStmt_Results, edge.KeyValueExpr_Value, edge.CompositeLit_Elts:
		return true
	case edge.AssignStmt_Rhs:
		as := cur.Parent().Node().(*ast.AssignStmt)
		if len(as.Lhs) != len(as.Rhs) {
			return false
		}
		switch l := ast.Unparen(as.Lhs[idx]).(type) {
		case *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
			return true
		case *ast.Ident:
			v, ok := info.ObjectOf(l).(*types.Var)
			return ok && v.Parent() == pkg.Scope()
		}
	}
	return false
}

// derives reports whether the call at cc only derives a new value of v
// ("v = propagator.Extract(v, carrier)"): its consumers are judged instead.
func derives(info *types.Info, cc inspector.Cursor, v *types.Var) bool {
	kind, idx := cc.ParentEdge()
	if kind != edge.AssignStmt_Rhs {
		return false
	}
	as := cc.Parent().Node().(*ast.AssignStmt)
	if len(as.Lhs) != len(as.Rhs) {
		idx = 0
	}
	id, ok := ast.Unparen(as.Lhs[idx]).(*ast.Ident)
	return ok && info.ObjectOf(id) == v
}

// outermostFunc returns the outermost function around cur, or its file.
func outermostFunc(cur inspector.Cursor) inspector.Cursor {
	out := cur
	for a := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil), (*ast.File)(nil)) {
		out = a
		if _, ok := a.Node().(*ast.FuncDecl); ok {
			break
		}
	}
	return out
}

// nilGuard reports whether e compares a context-typed variable with nil.
func (c *checker) nilGuard(e ast.Expr) bool {
	return match.Any(e, func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryExpr)
		if !ok || (b.Op != token.EQL && b.Op != token.NEQ) {
			return false
		}
		for _, pair := range [][2]ast.Expr{{b.X, b.Y}, {b.Y, b.X}} {
			if match.IsNil(c.pass.TypesInfo, pair[1]) && match.IsContext(c.pass.TypesInfo.TypeOf(pair[0])) {
				return true
			}
		}
		return false
	})
}

// withoutCancel returns how the file spells context.WithoutCancel at call,
// or ok=false when the file's Go version predates it.
func (c *checker) withoutCancel(f *ast.File, call *ast.CallExpr) (string, bool) {
	v := c.pass.TypesInfo.FileVersions[f]
	if v == "" {
		v = c.pass.Pkg.GoVersion()
	}
	if v != "" && version.Compare(v, "go1.21") < 0 {
		return "", false
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if id, ok := fun.X.(*ast.Ident); ok {
			return id.Name + ".WithoutCancel", true
		}
	case *ast.Ident: // dot import
		if obj, ok := match.Lookup(c.pass.Pkg, "WithoutCancel", call.Pos()).(*types.Func); ok && match.IsFunc(obj, "context", "WithoutCancel") {
			return "WithoutCancel", true
		}
	}
	return "", false
}

// waitsForDone reports whether statement s blocks until a context is done
// and then lets control continue: "<-ctx.Done()", a select whose Done case
// does not return, or a loop around one.
func waitsForDone(info *types.Info, s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ExprStmt:
		return match.DoneRecv(info, s.X)
	case *ast.SelectStmt:
		for _, cl := range s.Body.List {
			cc := cl.(*ast.CommClause)
			if match.DoneRecv(info, cc.Comm) && !endsInReturn(cc.Body) {
				return true
			}
		}
	case *ast.ForStmt, *ast.RangeStmt, *ast.LabeledStmt:
		found := false
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ExprStmt, *ast.SelectStmt:
				if waitsForDone(info, n.(ast.Stmt)) {
					found = true
				}
			}
			return !found
		})
		return found
	}
	return false
}

func endsInReturn(body []ast.Stmt) bool {
	if len(body) == 0 {
		return false
	}
	_, ok := body[len(body)-1].(*ast.ReturnStmt)
	return ok
}

// mentionsDone reports whether e calls Err or Done on a context.
func mentionsDone(info *types.Info, e ast.Expr) bool {
	return match.Any(e, func(n ast.Node) bool {
		x, ok := n.(ast.Expr)
		return ok && (match.CtxMethodCall(info, x, "Err") || match.CtxMethodCall(info, x, "Done"))
	})
}

// callsRoot reports whether e calls context.Background or context.TODO.
func callsRoot(info *types.Info, e ast.Expr) bool {
	return match.Any(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		return ok && match.IsFunc(match.Callee(info, call), "context", "Background", "TODO")
	})
}
