package missingtimeout

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
	"github.com/resilvet/resilvet/analyzers/internal/ignore"
	"github.com/resilvet/resilvet/analyzers/internal/match"
)

//go:embed doc.go
var doc string

// Analyzer is the missingtimeout check; doc.go holds its documentation.
var Analyzer = &analysis.Analyzer{
	Name:     "missingtimeout",
	Doc:      checkdoc.Extract(doc, "missingtimeout"),
	URL:      checkdoc.URL("missingtimeout"),
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

var (
	clientTimeout     = 30 * time.Second
	readHeaderTimeout = 10 * time.Second
)

func init() {
	Analyzer.Flags.DurationVar(&clientTimeout, "client-timeout", clientTimeout,
		"Timeout that the suggested fix gives an http.Client")
	Analyzer.Flags.DurationVar(&readHeaderTimeout, "server-read-header-timeout", readHeaderTimeout,
		"ReadHeaderTimeout that the suggested fix gives an http.Server")
}

const (
	httpPkg = "net/http"
	netPkg  = "net"
)

type checker struct {
	pass *analysis.Pass
	rep  *ignore.Reporter
	// fieldSets maps a variable or struct field to the fields assigned
	// through it anywhere in the package ("s.client.Timeout = d" records
	// Timeout for the field client). Built on first use.
	fieldSets map[types.Object]map[string]bool
	// sends maps a variable or field holding an http.Client to the
	// requests sent through it. Built on first use.
	sends map[types.Object][]send
	// sentReported holds the sends already reported on their own.
	sentReported map[token.Pos]bool
	insp         *inspector.Inspector
}

func run(pass *analysis.Pass) (any, error) {
	if !match.Imports(pass.Pkg, httpPkg, netPkg) || match.TestSupport(pass.Pkg) {
		return nil, nil
	}
	c := &checker{pass: pass, rep: ignore.New(pass), insp: pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)}
	for fc := range c.insp.Root().Children() {
		f := fc.Node().(*ast.File)
		if match.IsTestFile(pass, f) || ast.IsGenerated(f) {
			continue
		}
		for n := range fc.Preorder((*ast.CallExpr)(nil), (*ast.CompositeLit)(nil)) {
			switch node := n.Node().(type) {
			case *ast.CallExpr:
				c.call(f, n, node)
			case *ast.CompositeLit:
				c.literal(f, n, node)
			}
		}
	}
	return nil, nil
}

// call handles the package functions and methods that cannot time out, and
// new(http.Client) / new(http.Server).
func (c *checker) call(f *ast.File, cur inspector.Cursor, call *ast.CallExpr) {
	name := match.CalledName(call)
	info := c.pass.TypesInfo
	if !callNames[name] {
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
			c.funcValue(cur, call, id)
		}
		return // cheap filter before type lookups
	}
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && len(call.Args) == 1 {
		if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "new" {
			t := info.TypeOf(call.Args[0])
			switch {
			case isHTTP(t, "Client"):
				c.client(f, cur, nil, call)
			case isHTTP(t, "Server"):
				c.server(f, cur, nil, call)
			}
		}
		return
	}
	fn := match.Callee(info, call)
	if fn == nil || fn.Pkg() == nil {
		return
	}
	switch {
	case match.IsFunc(fn, httpPkg, "Get", "Head", "Post", "PostForm"):
		c.rep.Reportf(call, "http.%s uses http.DefaultClient, which has no timeout; use an http.Client with a Timeout or a request with a deadline", fn.Name())
	case match.IsMethod(fn, httpPkg, "Client", "Get", "Head", "Post", "PostForm", "Do"):
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok || !isDefaultClient(info, sel.X) {
			return
		}
		if fn.Name() == "Do" && len(call.Args) == 1 && c.requestHasContext(cur, call.Args[0]) {
			if c.deadlinesAt(cur).request(call.Args[0]) == boundNo {
				c.backgroundRequest(f, cur, call)
			}
			return
		}
		c.rep.Reportf(call, "http.DefaultClient.%s has no timeout; use an http.Client with a Timeout", fn.Name())
	case match.IsFunc(fn, httpPkg, "ListenAndServe", "ListenAndServeTLS"):
		if len(call.Args) > 0 && loopback(info, call.Args[0]) {
			return // a debug listener no remote client can reach
		}
		if c.servesItself(cur, call.Args[len(call.Args)-1]) {
			return
		}
		c.rep.Reportf(call, "http.%s cannot set read timeouts, so slow clients can hold connections forever; use an http.Server with ReadHeaderTimeout", fn.Name())
	case match.IsFunc(fn, httpPkg, "Serve", "ServeTLS"):
		if len(call.Args) > 1 && c.servesItself(cur, call.Args[1]) {
			return
		}
		c.rep.Reportf(call, "http.%s cannot set read timeouts, so slow clients can hold connections forever; use an http.Server with ReadHeaderTimeout", fn.Name())
	case match.IsFunc(fn, netPkg, "Dial"):
		if len(call.Args) == 2 && c.localNetwork(cur, call.Args[0]) || c.mirrorsStd(cur) {
			return
		}
		c.rep.Reportf(call, "net.Dial has no timeout; use net.DialTimeout or a net.Dialer with a Timeout")
	case match.IsMethod(fn, netPkg, "Dialer", "Dial"):
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok || len(call.Args) != 2 || c.localNetwork(cur, call.Args[0]) || !c.dialerUnbounded(cur, sel.X) {
			return
		}
		c.rep.Reportf(call, "net.Dialer with no Timeout can wait forever in Dial; set Timeout or use DialContext with a deadline")
	default:
		c.dial(cur, call, fn)
	}
}

// callNames holds the names of every function and method call reports.
var callNames = map[string]bool{
	"new": true, "Get": true, "Head": true, "Post": true, "PostForm": true, "Do": true,
	"ListenAndServe": true, "ListenAndServeTLS": true,
	"Serve": true, "ServeTLS": true, "Dial": true,
	"DialWithDialer": true, "DialContext": true,
}

func (c *checker) literal(f *ast.File, cur inspector.Cursor, lit *ast.CompositeLit) {
	t := c.pass.TypesInfo.TypeOf(lit)
	if _, ptr := types.Unalias(t).(*types.Pointer); ptr {
		return // &T{...} elided in a []*T literal: handled as T
	}
	switch {
	case isHTTP(t, "Client"):
		c.client(f, cur, lit, nil)
	case isHTTP(t, "Server"):
		c.server(f, cur, lit, nil)
	}
}

// client checks an http.Client built by lit or by newCall.
func (c *checker) client(f *ast.File, cur inspector.Cursor, lit *ast.CompositeLit, newCall *ast.CallExpr) {
	if lit != nil {
		if kv := keyed(lit, "Timeout"); kv != nil {
			return
		}
		if kv := keyed(lit, "Transport"); kv != nil && (c.boundsHeaders(cur, kv.Value) || c.ownTransport(kv.Value)) {
			return
		}
	}
	h := c.holder(cur)
	var holders []types.Object
	longLived := false
	switch h.kind {
	case heldField, heldGlobal:
		if c.setAnywhere(h.obj, "Timeout") {
			return
		}
		holders, longLived = []types.Object{h.obj}, !callerOwned(h.obj)
	case heldLocal:
		u := c.localUses(h, "Timeout")
		if u.returned || u.set || u.configured {
			return // a constructor hands the client and its policy to the caller
		}
		for _, s := range u.sinks {
			if c.setAnywhere(s, "Timeout") {
				return
			}
		}
		holders = append([]types.Object{h.obj}, u.sinks...)
		for _, s := range u.sinks {
			longLived = longLived || !callerOwned(s)
		}
	default:
		return // returned to the caller, or passed along
	}
	d := analysis.Diagnostic{Pos: cur.Node().Pos(), End: cur.Node().End()}
	switch sum := c.summarise(holders...); {
	case len(sum.unbounded) > 0 && sum.bounded:
		// A per-operation client whose other requests carry their
		// caller's context (a Timeout would cut long bodies): the
		// requests without a deadline are the defect, not the client.
		c.reportSends(cur, sum.unbounded)
		return
	case len(sum.unbounded) > 0:
		first := sum.unbounded[0]
		d.Message = fmt.Sprintf("http.Client has no Timeout and sends requests without a deadline (%s at line %d), so a slow server can hang them forever; set Timeout",
			first.what, c.pass.Fset.Position(first.pos).Line)
	case sum.any || !longLived:
		return // every visible send carries its caller's context
	default:
		d.Message = "long-lived http.Client has no Timeout, so a slow server can hang its callers forever; set Timeout"
	}
	if fix := c.addField(f, lit, newCall, "Timeout", clientTimeout); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.rep.Report(d)
}

// server checks an http.Server built by lit or by newCall.
func (c *checker) server(f *ast.File, cur inspector.Cursor, lit *ast.CompositeLit, newCall *ast.CallExpr) {
	if lit != nil && (keyed(lit, "ReadHeaderTimeout") != nil || keyed(lit, "ReadTimeout") != nil) {
		return
	}
	if lit != nil {
		if kv := keyed(lit, "Addr"); kv != nil && loopback(c.pass.TypesInfo, kv.Value) {
			return // a debug server no remote client can reach
		}
	}
	h := c.holder(cur)
	switch h.kind {
	case heldField, heldGlobal:
		if c.setAnywhere(h.obj, "ReadHeaderTimeout", "ReadTimeout") {
			return
		}
	case heldLocal:
		u := c.localUses(h, "ReadHeaderTimeout", "ReadTimeout")
		if u.set || u.configured {
			return
		}
		for _, s := range u.sinks {
			if c.setAnywhere(s, "ReadHeaderTimeout", "ReadTimeout") {
				return
			}
		}
	}
	d := analysis.Diagnostic{
		Pos:     cur.Node().Pos(),
		End:     cur.Node().End(),
		Message: "http.Server has no ReadHeaderTimeout or ReadTimeout, so slow clients can hold connections forever; set ReadHeaderTimeout",
	}
	if fix := c.addField(f, lit, newCall, "ReadHeaderTimeout", readHeaderTimeout); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.rep.Report(d)
}

// callerOwned reports whether a client stored in obj belongs to the
// caller's configuration: an exported field, which the caller can set
// (Config.Client), rather than the package's own long-lived client.
func callerOwned(obj types.Object) bool {
	v, ok := obj.(*types.Var)
	return ok && v.IsField() && v.Exported()
}

type heldKind int

const (
	heldNone     heldKind = iota // passed along or discarded: not tracked
	heldReturned                 // returned to the caller
	heldField                    // stored in a struct field
	heldGlobal                   // stored in a package variable
	heldLocal                    // stored in a local variable
)

type holding struct {
	kind heldKind
	obj  types.Object // the field or variable
	fn   inspector.Cursor
}

// holder reports where the value built at cur is stored.
func (c *checker) holder(cur inspector.Cursor) holding {
	info := c.pass.TypesInfo
	cur = match.OutOfParens(cur) // out of &T{...} and parentheses
	parent := cur.Parent()
	kind, idx := cur.ParentEdge()
	switch kind {
	case edge.ReturnStmt_Results:
		return holding{kind: heldReturned}
	case edge.KeyValueExpr_Value:
		kv := parent.Node().(*ast.KeyValueExpr)
		if id, ok := kv.Key.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok && v.IsField() {
				return holding{kind: heldField, obj: v}
			}
		}
	case edge.CompositeLit_Elts:
		if v := unkeyedField(info, parent.Node().(*ast.CompositeLit), idx); v != nil {
			return holding{kind: heldField, obj: v}
		}
	case edge.AssignStmt_Rhs:
		as := parent.Node().(*ast.AssignStmt)
		if len(as.Lhs) == len(as.Rhs) {
			return c.heldBy(cur, as.Lhs[idx])
		}
	case edge.ValueSpec_Values:
		vs := parent.Node().(*ast.ValueSpec)
		if len(vs.Names) == len(vs.Values) {
			return c.heldBy(cur, vs.Names[idx])
		}
	}
	return holding{}
}

// heldBy classifies the destination of an assignment.
func (c *checker) heldBy(cur inspector.Cursor, lhs ast.Expr) holding {
	info := c.pass.TypesInfo
	switch l := ast.Unparen(lhs).(type) {
	case *ast.Ident:
		v, ok := info.ObjectOf(l).(*types.Var)
		if !ok {
			return holding{}
		}
		if v.Parent() == c.pass.Pkg.Scope() {
			return holding{kind: heldGlobal, obj: v}
		}
		fn := enclosingFunc(cur)
		return holding{kind: heldLocal, obj: v, fn: fn}
	case *ast.SelectorExpr:
		if obj := fieldOrGlobal(info, l); obj != nil {
			if v, ok := obj.(*types.Var); ok && v.IsField() {
				return holding{kind: heldField, obj: v}
			}
			return holding{kind: heldGlobal, obj: obj}
		}
	}
	return holding{}
}

// uses summarises what a function does with a local variable.
type uses struct {
	escapes    bool           // returned, or stored in a field or global
	returned   bool           // returned to the caller
	set        bool           // one of the timeout fields is assigned
	configured bool           // handed to code that might set them
	sinks      []types.Object // fields and globals it is stored in
}

// localUses scans the function declaring h.obj for its uses. A timeout
// assigned after the variable is first served does not count.
func (c *checker) localUses(h holding, fields ...string) uses {
	info := c.pass.TypesInfo
	var u uses
	served := token.NoPos
	var setAt []token.Pos
	for ic := range h.fn.Preorder((*ast.Ident)(nil)) {
		id := ic.Node().(*ast.Ident)
		if info.Uses[id] != h.obj {
			continue
		}
		use := ic
		if p, ok := use.Parent().Node().(*ast.UnaryExpr); ok && p.Op == token.AND {
			use = use.Parent()
		}
		parent := use.Parent()
		kind, idx := use.ParentEdge()
		switch kind {
		case edge.ReturnStmt_Results:
			u.escapes, u.returned = true, true
		case edge.KeyValueExpr_Value, edge.CompositeLit_Elts:
			u.escapes = true
			if h := c.holder(use); h.obj != nil {
				u.sinks = append(u.sinks, h.obj)
			}
		case edge.AssignStmt_Rhs:
			if h := c.holder(use); h.kind == heldField || h.kind == heldGlobal {
				u.escapes = true
				u.sinks = append(u.sinks, h.obj)
			}
		case edge.CallExpr_Args:
			call := parent.Node().(*ast.CallExpr)
			fn := match.Callee(info, call)
			if fn == nil || fn.Pkg() == c.pass.Pkg {
				u.configured = true
			}
			_ = idx
		case edge.SelectorExpr_X:
			sel := parent.Node().(*ast.SelectorExpr)
			if slices.Contains(fields, sel.Sel.Name) && parent.ParentEdgeKind() == edge.AssignStmt_Lhs {
				setAt = append(setAt, sel.Pos())
			}
			if parent.ParentEdgeKind() == edge.CallExpr_Fun && served == token.NoPos &&
				slices.Contains([]string{"ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"}, sel.Sel.Name) {
				served = sel.Pos()
			}
		}
	}
	for _, p := range setAt {
		if served == token.NoPos || p < served {
			u.set = true
		}
	}
	return u
}

// setAnywhere reports whether one of fields is assigned through obj (a
// package variable or a struct field) anywhere in the package.
func (c *checker) setAnywhere(obj types.Object, fields ...string) bool {
	if c.fieldSets == nil {
		c.fieldSets = map[types.Object]map[string]bool{}
		for n := range c.insp.Root().Preorder((*ast.AssignStmt)(nil)) {
			for _, l := range n.Node().(*ast.AssignStmt).Lhs {
				sel, ok := ast.Unparen(l).(*ast.SelectorExpr)
				if !ok {
					continue
				}
				x := ast.Unparen(sel.X)
				if s, ok := x.(*ast.StarExpr); ok {
					x = ast.Unparen(s.X)
				}
				var base types.Object
				switch x := x.(type) {
				case *ast.Ident:
					base = c.pass.TypesInfo.Uses[x]
				case *ast.SelectorExpr:
					base = fieldOrGlobal(c.pass.TypesInfo, x)
				}
				if base == nil {
					continue
				}
				if c.fieldSets[base] == nil {
					c.fieldSets[base] = map[string]bool{}
				}
				c.fieldSets[base][sel.Sel.Name] = true
			}
		}
	}
	for _, f := range fields {
		if c.fieldSets[obj][f] {
			return true
		}
	}
	return false
}

// boundsHeaders reports whether a client's Transport expression is an
// http.Transport with ResponseHeaderTimeout set, inline or in a variable of
// the same function: the wait for a response is bounded, while long bodies
// and streams may run on (a deliberate choice for streaming clients).
func (c *checker) boundsHeaders(cur inspector.Cursor, e ast.Expr) bool {
	info := c.pass.TypesInfo
	switch e := unaddr(e).(type) {
	case *ast.CompositeLit:
		return isHTTP(info.TypeOf(e), "Transport") && keyed(e, "ResponseHeaderTimeout") != nil
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		if !ok {
			return false
		}
		if c.setAnywhere(v, "ResponseHeaderTimeout") {
			return true
		}
		values, _ := assigned(info, enclosingFunc(cur), v)
		for _, x := range values {
			if c.boundsHeaders(cur, x) {
				return true
			}
		}
	}
	return false
}

// ownTransport reports whether a client's Transport is a type declared in
// the package itself (a fake, a retrying or a failing round tripper): the
// package implements the round trip, so any bound belongs there.
func (c *checker) ownTransport(e ast.Expr) bool {
	t := c.pass.TypesInfo.TypeOf(e)
	if t == nil {
		return false
	}
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() == c.pass.Pkg
}

// dialerUnbounded reports whether the receiver of a Dial call is a
// net.Dialer known to have neither Timeout nor Deadline: a literal, or a
// local variable built in the same function and not configured later.
func (c *checker) dialerUnbounded(cur inspector.Cursor, recv ast.Expr) bool {
	return c.unboundedValue(cur, recv, c.dialerLiteralUnbounded, "Timeout", "Deadline")
}

// unboundedValue reports whether e is a composite value that litUnbounded
// judges to have no bound: a literal, or a local variable built in the
// same function and not configured later (none of fields assigned, not
// handed to code that might set them).
func (c *checker) unboundedValue(cur inspector.Cursor, recv ast.Expr, litUnbounded func(ast.Expr) bool, fields ...string) bool {
	info := c.pass.TypesInfo
	switch r := unaddr(recv).(type) {
	case *ast.CompositeLit:
		return litUnbounded(r)
	case *ast.Ident:
		v, ok := info.Uses[r].(*types.Var)
		if !ok || v.Parent() == c.pass.Pkg.Scope() || v.IsField() {
			return false
		}
		fn := enclosingFunc(cur)
		if !fn.Contains(cur) {
			return false
		}
		// Find the declaration: var d net.Dialer, or d := net.Dialer{...}.
		declared := false
		for n := range fn.Preorder((*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil)) {
			switch n := n.Node().(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if info.Defs[id] != v {
						continue
					}
					if len(n.Values) == 0 {
						declared = true
					} else if len(n.Values) == len(n.Names) {
						declared = litUnbounded(n.Values[i])
					}
				}
			case *ast.AssignStmt:
				if n.Tok != token.DEFINE || len(n.Lhs) != len(n.Rhs) {
					continue
				}
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && info.Defs[id] == v {
						declared = litUnbounded(n.Rhs[i])
					}
				}
			}
		}
		if !declared {
			return false
		}
		u := c.localUses(holding{kind: heldLocal, obj: v, fn: fn}, fields...)
		if u.set || u.configured || u.returned || u.escapes && len(u.sinks) == 0 {
			return false
		}
		for _, s := range u.sinks {
			if !isNetDialerField(s) {
				return false // stored where other code may set the bound
			}
		}
		return true
	}
	return false
}

func (c *checker) dialerLiteralUnbounded(e ast.Expr) bool {
	lit, ok := unaddr(e).(*ast.CompositeLit)
	return ok && match.IsNamed(c.pass.TypesInfo.TypeOf(lit), netPkg, "Dialer") &&
		keyed(lit, "Timeout") == nil && keyed(lit, "Deadline") == nil
}

// requestHasContext reports whether a request passed to Do visibly carries
// a context: built inline or in the same function with
// http.NewRequestWithContext, WithContext or Clone.
func (c *checker) requestHasContext(cur inspector.Cursor, req ast.Expr) bool {
	info := c.pass.TypesInfo
	withCtx := func(e ast.Expr) bool {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok {
			return false
		}
		fn := match.Callee(info, call)
		return match.IsFunc(fn, httpPkg, "NewRequestWithContext") || match.IsMethod(fn, httpPkg, "Request", "WithContext", "Clone")
	}
	if withCtx(req) {
		return true
	}
	id, ok := ast.Unparen(req).(*ast.Ident)
	if !ok {
		return false
	}
	v := info.Uses[id]
	if v == nil {
		return false
	}
	if values, _ := assigned(info, enclosingFunc(cur), v); slices.ContainsFunc(values, withCtx) {
		return true
	}
	// A request that arrived as a parameter carries its caller's context.
	if pv, ok := v.(*types.Var); ok && isParam(enclosingFunc(cur), info, pv) {
		return true
	}
	return false
}

// addField builds the fix that adds "name: <d>" to lit, or replaces
// new(T) with &T{name: <d>}. It returns nil when the edit is not safe.
func (c *checker) addField(f *ast.File, lit *ast.CompositeLit, newCall *ast.CallExpr, name string, d time.Duration) *analysis.SuggestedFix {
	if d <= 0 {
		return nil
	}
	pos := token.NoPos
	if lit != nil {
		pos = lit.Lbrace
	} else {
		pos = newCall.Pos()
	}
	qual, importEdits, ok := c.timeQualifier(f, pos)
	if !ok {
		return nil
	}
	value := name + ": " + durationExpr(d, qual)
	var edits []analysis.TextEdit
	switch {
	case newCall != nil:
		src, ok := fixedit.Source(c.pass, newCall.Args[0])
		if !ok {
			return nil
		}
		edits = append(edits, analysis.TextEdit{Pos: newCall.Pos(), End: newCall.End(),
			NewText: []byte("&" + src + "{" + value + "}")})
	case len(lit.Elts) == 0:
		edits = append(edits, analysis.TextEdit{Pos: lit.Rbrace, End: lit.Rbrace, NewText: []byte(value)})
	default:
		if !isKeyed(lit) {
			return nil // positional fields: no safe place for a keyed one
		}
		last := lit.Elts[len(lit.Elts)-1]
		tf := c.pass.Fset.File(lit.Pos())
		if tf.Line(lit.Rbrace) == tf.Line(last.End()) {
			between, ok := fixedit.Text(c.pass, last.End(), lit.Rbrace)
			if !ok {
				return nil
			}
			sep := ", "
			if strings.Contains(between, ",") {
				sep = " "
			}
			edits = append(edits, analysis.TextEdit{Pos: lit.Rbrace, End: lit.Rbrace, NewText: []byte(sep + value)})
		} else {
			// One element per line: add a line with the last element's indent.
			lineStart := tf.LineStart(tf.Line(last.Pos()))
			indent, ok := fixedit.Text(c.pass, lineStart, last.Pos())
			if !ok || strings.TrimLeft(indent, " \t") != "" {
				return nil
			}
			at := tf.LineStart(tf.Line(lit.Rbrace))
			edits = append(edits, analysis.TextEdit{Pos: at, End: at, NewText: []byte(indent + value + ",\n")})
		}
	}
	return &analysis.SuggestedFix{
		Message:   "Add " + value,
		TextEdits: append(edits, importEdits...),
	}
}

// timeQualifier returns how code at pos names package time, adding the
// import when the file lacks it.
func (c *checker) timeQualifier(f *ast.File, pos token.Pos) (string, []analysis.TextEdit, bool) {
	for _, spec := range f.Imports {
		if path, _ := strconv.Unquote(spec.Path.Value); path != "time" {
			continue
		}
		name := "time"
		if spec.Name != nil {
			name = spec.Name.Name
		}
		switch name {
		case "_":
			continue
		case ".":
			return "", nil, true
		}
		if pn, ok := match.Lookup(c.pass.Pkg, name, pos).(*types.PkgName); ok && pn.Imported().Path() == "time" {
			return name, nil, true
		}
		return "", nil, false // shadowed here
	}
	if match.Lookup(c.pass.Pkg, "time", pos) != nil {
		return "", nil, false // the name is taken
	}
	edits, ok := fixedit.AddImport(c.pass, f, "time", "time")
	return "time", edits, ok
}

// durationExpr spells d as Go source, e.g. 30 * time.Second.
func durationExpr(d time.Duration, qual string) string {
	unit := func(u string) string {
		if qual == "" {
			return u
		}
		return qual + "." + u
	}
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "Hour"}, {time.Minute, "Minute"}, {time.Second, "Second"}, {time.Millisecond, "Millisecond"}} {
		if d%u.d == 0 {
			if d == u.d {
				return unit(u.name)
			}
			return fmt.Sprintf("%d * %s", d/u.d, unit(u.name))
		}
	}
	return fmt.Sprintf("%s(%d)", unit("Duration"), int64(d))
}

// unaddr strips the parentheses and the & around a composite literal:
// &T{...} and (T{...}) are T{...}.
func unaddr(e ast.Expr) ast.Expr {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	return e
}

// isKeyed reports whether every element of lit names its field.
func isKeyed(lit *ast.CompositeLit) bool {
	for _, e := range lit.Elts {
		if _, ok := e.(*ast.KeyValueExpr); !ok {
			return false
		}
	}
	return true
}

// keyed returns the element of lit keyed by field name, or nil.
func keyed(lit *ast.CompositeLit, name string) *ast.KeyValueExpr {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
				return kv
			}
		}
	}
	return nil
}

func isHTTP(t types.Type, name string) bool {
	if t == nil {
		return false
	}
	if _, ptr := types.Unalias(t).(*types.Pointer); ptr {
		return false
	}
	return match.IsNamed(t, httpPkg, name)
}

// isDefaultClient reports whether e is net/http.DefaultClient.
func isDefaultClient(info *types.Info, e ast.Expr) bool {
	var id *ast.Ident
	switch e := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		id = e.Sel
	case *ast.Ident:
		id = e
	default:
		return false
	}
	v, ok := info.Uses[id].(*types.Var)
	return ok && v.Name() == "DefaultClient" && v.Pkg() != nil && v.Pkg().Path() == httpPkg
}

// localNetwork reports whether a Dial network argument names a network
// that never waits on a remote peer to connect (UDP, Unix sockets, raw IP):
// a constant, or a value the enclosing switch case has matched to one.
func (c *checker) localNetwork(cur inspector.Cursor, e ast.Expr) bool {
	if localConst(c.pass.TypesInfo, e) {
		return true
	}
	// switch proto { case "unix": net.Dial(proto, addr) }: the case names it
	for cc := range cur.Enclosing((*ast.CaseClause)(nil)) {
		clause := cc.Node().(*ast.CaseClause)
		sw, ok := cc.Parent().Parent().Node().(*ast.SwitchStmt)
		if !ok || sw.Tag == nil || len(clause.List) == 0 || types.ExprString(sw.Tag) != types.ExprString(e) {
			continue
		}
		for _, v := range clause.List {
			if !localConst(c.pass.TypesInfo, v) {
				return false
			}
		}
		return true
	}
	return false
}

// localConst reports whether e is a constant naming a local network.
func localConst(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil {
		return false
	}
	n := strings.Trim(tv.Value.ExactString(), `"`)
	return strings.HasPrefix(n, "udp") || strings.HasPrefix(n, "unix") || strings.HasPrefix(n, "ip")
}

// fieldOrGlobal returns the field selected by sel, or the package variable
// for a qualified identifier, or nil.
func fieldOrGlobal(info *types.Info, sel *ast.SelectorExpr) types.Object {
	if s, ok := info.Selections[sel]; ok {
		if s.Kind() == types.FieldVal {
			return s.Obj()
		}
		return nil
	}
	if v, ok := info.Uses[sel.Sel].(*types.Var); ok {
		return v
	}
	return nil
}

func unkeyedField(info *types.Info, lit *ast.CompositeLit, idx int) *types.Var {
	t := info.TypeOf(lit)
	if t == nil {
		return nil
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok || idx >= st.NumFields() {
		return nil
	}
	return st.Field(idx)
}
