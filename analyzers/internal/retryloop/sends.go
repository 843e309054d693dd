package retryloop

// The sends: which calls put an HTTP request on the wire. Not only
// client.Do: a RoundTripper's RoundTrip, a value, field or interface method
// of the shape func(*http.Request) (*http.Response, error) (a middleware
// chain, a retrying transport's next), and the package's own helpers that
// send the request they are given (their summaries say which argument).

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
	"github.com/resilvet/resilvet/analyzers/internal/pkgssa"
)

// sendParam returns the index of the request parameter of a send signature
// func(*http.Request) (*http.Response, error), or -1.
func sendParam(sig *types.Signature) int {
	if sig == nil || sig.Params().Len() != 1 || sig.Results().Len() != 2 {
		return -1
	}
	if !isRequestType(sig.Params().At(0).Type()) || !isResponse(sig.Results().At(0).Type()) ||
		!match.IsError(sig.Results().At(1).Type()) {
		return -1
	}
	return 0
}

// sendsByName reports whether fn is a Do or RoundTrip method taking one
// request: http.Client's, a RoundTripper's, or a client type's of any package.
func sendsByName(fn *types.Func) bool {
	if fn == nil || fn.Name() != "Do" && fn.Name() != "RoundTrip" {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	return ok && sig.Recv() != nil && sig.Params().Len() == 1 && isRequestType(sig.Params().At(0).Type())
}

// sentArg returns the index of the argument of call that it sends as an
// HTTP request, or -1. helper reports a send through a function of the
// package, whose summary (not its signature) says it sends.
func (m *model) sentArg(call *ast.CallExpr) (arg int, helper bool) {
	info := m.info()
	fn := match.Callee(info, call)
	switch {
	case fn == nil:
		// a func value: a local, a parameter, a field (next(req)); not a
		// conversion to a send-shaped type (Doer(fn))
		if tv, ok := info.Types[call.Fun]; !ok || tv.IsType() {
			return -1, false
		}
		var sig *types.Signature
		if t := info.TypeOf(call.Fun); t != nil {
			sig, _ = t.Underlying().(*types.Signature)
		}
		return sendParam(sig), false
	case sendsByName(fn):
		return 0, false
	case isAbstract(fn):
		// an interface method of the send shape (doer.Send(req))
		return sendParam(fn.Type().(*types.Signature)), false
	case fn.Pkg() == m.pass.Pkg:
		// only a call given a request can send one: ask no summary (and
		// build no SSA) for the others
		if !slices.ContainsFunc(call.Args, func(a ast.Expr) bool { return isRequestType(info.TypeOf(a)) }) {
			return -1, false
		}
		sum := m.sums.Of(fn)
		for i := range call.Args {
			if i < 64 && sum.SendsArgs&(1<<i) != 0 {
				return i, true
			}
		}
		return -1, false
	}
	return -1, false
}

// isAbstract reports whether fn is an interface method.
func isAbstract(fn *types.Func) bool {
	sig, ok := fn.Type().(*types.Signature)
	return ok && sig.Recv() != nil && types.IsInterface(sig.Recv().Type())
}

// sends reports whether call sends an HTTP request: a send of a request
// (Do, RoundTrip, a send-shaped value or helper), a call that returns a
// response and an error (a pipeline's req.Next(), c.get(url)), or
// net/http's own senders.
func (w *walker) sends(call *ast.CallExpr) bool {
	if i, _ := w.m.sentArg(call); i >= 0 {
		return true
	}
	if tup, ok := w.m.info().TypeOf(call).(*types.Tuple); ok && tup.Len() == 2 &&
		isResponse(tup.At(0).Type()) && match.IsError(tup.At(1).Type()) {
		return true
	}
	fn := match.Callee(w.m.info(), call)
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "net/http" &&
		(fn.Name() == "Get" || fn.Name() == "Post" || fn.Name() == "PostForm" || fn.Name() == "Head")
}

// sendOutcome reports whether call is a helper of the package that sends
// a request and returns one struct carrying the attempt's error: out :=
// send(c, req), then out.err decides.
func (m *model) sendOutcome(call *ast.CallExpr) bool {
	if errField(m.info().TypeOf(call)) == nil {
		return false
	}
	i, helper := m.sentArg(call)
	return i >= 0 && helper
}

// errField returns the error field of a struct (or pointer to one) t.
func errField(t types.Type) *types.Var {
	if t == nil {
		return nil
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	for i := range st.NumFields() {
		if f := st.Field(i); match.IsError(f.Type()) {
			return f
		}
	}
	return nil
}

// outcomeErr returns out for out.err, when out holds a send's outcome.
func (w *walker) outcomeErr(e ast.Expr) *types.Var {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	v := w.varOf(sel.X)
	if v == nil || w.errs[v] == nil || !w.m.sendOutcome(w.errs[v]) {
		return nil
	}
	if f := errField(v.Type()); f != nil && w.m.info().ObjectOf(sel.Sel) == f {
		return v
	}
	return nil
}

// sendCalls returns the calls among calls that send an HTTP request.
func (w *walker) sendCalls(calls []*ast.CallExpr) []*ast.CallExpr {
	var out []*ast.CallExpr
	for _, c := range calls {
		if w.sends(c) {
			out = append(out, c)
		}
	}
	return out
}

// passedFuncs returns the bodies of the function literals handed to calls
// inside n (a breaker's Execute, a retry library's Do, a local closure
// named in the call), outside goroutines: they run within the attempt.
func (w *walker) passedFuncs(n ast.Node) []*ast.BlockStmt {
	var bodies []*ast.BlockStmt
	seen := map[*ast.BlockStmt]bool{}
	var visit func(ast.Node)
	visit = func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				return false // another goroutine: not part of this attempt
			case *ast.CallExpr:
				for _, a := range n.Args {
					if t := w.m.info().TypeOf(a); t == nil || !isSignature(t) {
						continue
					}
					if b := w.m.funcBody(a, w.fbody); b != nil && !seen[b] {
						seen[b] = true
						bodies = append(bodies, b)
						visit(b)
					}
				}
			}
			return true
		})
	}
	visit(n)
	return bodies
}

// sendSummaries adds to the package's summaries which request arguments
// each function sends or may change, and whether it returns an open
// response: from the direct sends first, then through the package's own
// functions until nothing changes.
func (s *summaries) sendSummaries(p *pkgssa.Package) {
	// a few rounds reach the fixpoint of any realistic helper chain; the
	// cap keeps a change that feeds back on itself from spinning
	for round, changed := 0, true; changed && round < 16; round++ {
		changed = false
		for _, f := range p.Funcs {
			sum := s.by[f]
			sends, changes, rewinds := s.requestParams(f)
			open := s.returnsOpen(f)
			if sends != sum.SendsArgs || changes != sum.ChangesArgs || open != sum.OpenResponse || rewinds != sum.RewindsArgs {
				sum.SendsArgs, sum.ChangesArgs, sum.OpenResponse, sum.RewindsArgs = sends, changes, open, rewinds
				changed = true
			}
		}
	}
}

// requestParams returns the request parameters f sends, those whose
// headers it may change and those whose body it restores, as bits of its
// arguments (the receiver not counted).
func (s *summaries) requestParams(f *ssa.Function) (sends, changes, rewinds uint64) {
	shift := 0
	if f.Signature.Recv() != nil {
		shift = 1
	}
	for i := shift; i < len(f.Params) && i-shift < 64; i++ {
		if !isRequestType(f.Params[i].Type()) {
			continue
		}
		u := s.requestUse(f.Params[i])
		bit := uint64(1) << (i - shift)
		if u.sent {
			sends |= bit
		}
		if u.changed {
			changes |= bit
		}
		if u.rewound {
			rewinds |= bit
		}
	}
	return sends, changes, rewinds
}

// reqUse is what a function does with a request it holds.
type reqUse struct{ sent, changed, rewound bool }

// requestUse follows a request value (and req.WithContext(ctx) of it):
// whether it is sent, and whether anything may change its headers.
func (s *summaries) requestUse(req ssa.Value) reqUse {
	var u reqUse
	seen := map[ssa.Value]bool{}
	work := []ssa.Value{req}
	for len(work) > 0 {
		v := work[0]
		work = work[1:]
		if seen[v] {
			continue
		}
		seen[v] = true
		refs := v.Referrers()
		if refs == nil {
			continue
		}
		for _, ins := range *refs {
			switch ins := ins.(type) {
			case ssa.CallInstruction:
				c := ins.Common()
				if fn, ok := staticFunc(c); ok && len(c.Args) > 0 && c.Args[0] == v &&
					match.IsMethod(fn, "net/http", "Request", "Context", "WithContext", "Clone") {
					if call, ok := ins.(*ssa.Call); ok && fn.Name() != "Context" {
						work = append(work, call) // a copy sharing the body
					}
					continue
				}
				i, helper := s.sentIndex(c)
				if i >= 0 && c.Args[i] == v {
					u.sent = true
					u.changed = u.changed || helper.changed
					u.rewound = u.rewound || helper.rewound
					continue
				}
				u.changed = true
			case *ssa.FieldAddr:
				switch fieldName(ins) {
				case "Header":
					u.changed = true
				case "GetBody":
					u.rewound = true
				case "Body":
					u.rewound = u.rewound || stored(ins)
				}
			case *ssa.Phi, *ssa.ChangeType:
				work = append(work, ins.(ssa.Value))
			case *ssa.BinOp, *ssa.DebugRef, *ssa.Return, *ssa.If:
			default:
				u.changed = true // stored, captured, converted: out of sight
			}
		}
	}
	return u
}

// fieldName names the struct field fa addresses.
func fieldName(fa *ssa.FieldAddr) string {
	pt, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return ""
	}
	st, ok := pt.Elem().Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	return st.Field(fa.Field).Name()
}

// stored reports whether a value is stored at the address fa.
func stored(fa *ssa.FieldAddr) bool {
	if fa.Referrers() == nil {
		return false
	}
	for _, ins := range *fa.Referrers() {
		if st, ok := ins.(*ssa.Store); ok && st.Addr == fa {
			return true
		}
	}
	return false
}

// staticFunc returns the types.Func a call statically invokes.
func staticFunc(c *ssa.CallCommon) (*types.Func, bool) {
	if c.IsInvoke() {
		return nil, false
	}
	callee := c.StaticCallee()
	if callee == nil {
		return nil, false
	}
	fn, ok := callee.Object().(*types.Func)
	return fn, ok
}

// sentIndex returns the index in c.Args of the request the call sends,
// or -1; when a function of the package sends it, helper says whether that
// function may change its headers or restores its body first.
func (s *summaries) sentIndex(c *ssa.CallCommon) (i int, helper reqUse) {
	if c.IsInvoke() {
		if sendsByName(c.Method) {
			return 0, helper
		}
		return sendParam(c.Method.Type().(*types.Signature)), helper
	}
	callee := c.StaticCallee()
	if callee == nil {
		sig, _ := c.Value.Type().Underlying().(*types.Signature)
		return sendParam(sig), helper
	}
	if fn, ok := callee.Object().(*types.Func); ok && sendsByName(fn) {
		return 1, helper // the receiver comes first
	}
	sum := s.by[callee]
	if sum == nil {
		return -1, helper
	}
	shift := 0
	if callee.Signature.Recv() != nil {
		shift = 1
	}
	for j := 0; j+shift < len(c.Args) && j < 64; j++ {
		if bit := uint64(1) << j; sum.SendsArgs&bit != 0 {
			return j + shift, reqUse{sent: true, changed: sum.ChangesArgs&bit != 0, rewound: sum.RewindsArgs&bit != 0}
		}
	}
	return -1, helper
}

// returnsOpen reports whether f returns a response it got from a call, or
// a struct holding one, without closing the response's body.
func (s *summaries) returnsOpen(f *ssa.Function) bool {
	for _, b := range f.Blocks {
		for _, ins := range b.Instrs {
			call, ok := ins.(*ssa.Call)
			if !ok {
				continue
			}
			for _, r := range responsesOf(call) {
				if s.openReturned(r) {
					return true
				}
			}
		}
	}
	return false
}

// responsesOf returns the *http.Response results of a call: the call
// itself, or its extracted results.
func responsesOf(call *ssa.Call) []ssa.Value {
	if isResponse(call.Type()) {
		return []ssa.Value{call}
	}
	if _, ok := call.Type().(*types.Tuple); !ok || call.Referrers() == nil {
		return nil
	}
	var out []ssa.Value
	for _, ins := range *call.Referrers() {
		if ex, ok := ins.(*ssa.Extract); ok && isResponse(ex.Type()) {
			out = append(out, ex)
		}
	}
	return out
}

// openReturned reports whether the response r reaches a return, itself or
// stored in a struct that is returned, and its body is closed nowhere.
func (s *summaries) openReturned(r ssa.Value) bool {
	returned := false
	seen := map[ssa.Value]bool{}
	work := []ssa.Value{r}
	for len(work) > 0 {
		v := work[0]
		work = work[1:]
		if seen[v] || v.Referrers() == nil {
			continue
		}
		seen[v] = true
		for _, ins := range *v.Referrers() {
			switch ins := ins.(type) {
			case *ssa.Return:
				returned = true
			case *ssa.Phi:
				work = append(work, ins)
			case *ssa.FieldAddr:
				if closesBody(ins) {
					return false
				}
			case *ssa.Store:
				if ins.Val == v {
					if fa, ok := ins.Addr.(*ssa.FieldAddr); ok && holderReturned(fa.X) {
						returned = true
					}
				}
			}
		}
	}
	return returned
}

// closesBody reports whether fa is resp.Body and Close is called on it.
func closesBody(fa *ssa.FieldAddr) bool {
	if fieldName(fa) != "Body" || fa.Referrers() == nil {
		return false
	}
	for _, ins := range *fa.Referrers() {
		load, ok := ins.(*ssa.UnOp)
		if !ok || load.Op != token.MUL || load.Referrers() == nil {
			continue
		}
		for _, use := range *load.Referrers() {
			if c, ok := use.(ssa.CallInstruction); ok && c.Common().IsInvoke() && c.Common().Method.Name() == "Close" {
				return true
			}
		}
	}
	return false
}

// holderReturned reports whether the struct at x (an allocation the
// response is stored into) is returned, as a pointer or loaded.
func holderReturned(x ssa.Value) bool {
	if x.Referrers() == nil {
		return false
	}
	for _, ins := range *x.Referrers() {
		switch ins := ins.(type) {
		case *ssa.Return:
			return true
		case *ssa.UnOp:
			if ins.Op == token.MUL && ins.Referrers() != nil {
				for _, use := range *ins.Referrers() {
					if _, ok := use.(*ssa.Return); ok {
						return true
					}
				}
			}
		}
	}
	return false
}
