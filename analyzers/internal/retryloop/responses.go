package retryloop

// The responses: whose body is still open when the next attempt starts.

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// unclosedOf returns the responses whose bodies are left open when the
// next attempt starts, in source order.
func (w *walker) unclosedOf() []*Unclosed {
	var us []*Unclosed
	for rv, ri := range w.resps {
		f := &bodyFlow{w: w, rv: rv, ri: ri}
		end := f.list(w.l.Body.List, reachClosed, flowCtx{})
		u := &Unclosed{Resp: rv, Call: ri.call, Continues: f.conts}
		switch {
		case len(f.conts) > 0:
			u.Deferred = f.deferred[f.conts[0]]
		case f.recurs:
			// retried by a recursive call: reported at the send, with no fix
		case end&reachHeld != 0 && w.everStatusRetry(rv):
			u.Deferred = end&reachOpen == 0
		default:
			continue
		}
		us = append(us, u)
	}
	slices.SortStableFunc(us, func(a, b *Unclosed) int { return int(a.Call.Pos() - b.Call.Pos()) })
	return us
}

// reach says how the paths that get to a point of the loop body hold the
// response: a set of states, empty when no path gets there.
type reach uint8

const (
	reachClosed   reach = 1 << iota // not made yet, nil, closed, or handed elsewhere
	reachOpen                       // made, non-nil and still open
	reachDeferred                   // open, and a deferred call will close it when the function returns

	reachHeld = reachOpen | reachDeferred // open at the next attempt
)

// closed is r on a path where the response is known to be closed or nil.
func (r reach) closed() reach {
	if r == 0 {
		return 0
	}
	return reachClosed
}

// bodyFlow follows one response through the loop body, path by path, from
// the statement that makes it to the next attempt.
type bodyFlow struct {
	w  *walker
	rv *types.Var
	ri *respInfo
	// conts are the continues of the loop reached with the body open.
	conts []*ast.BranchStmt
	// deferred marks the continues reached only with a deferred close
	// pending, which runs when the function returns, after every attempt.
	deferred map[*ast.BranchStmt]bool
	// recurs is set when a recursive call retries with the body held.
	recurs bool
}

// flowCtx is where the flow is: the break and continue targets of the
// innermost switch, select or nested loop.
type flowCtx struct {
	brk    *reach // an unlabelled break goes here
	cont   *reach // an unlabelled continue of a nested loop goes here
	inLoop bool   // inside a nested loop: an unlabelled continue is not ours
}

func (f *bodyFlow) list(list []ast.Stmt, in reach, fc flowCtx) reach {
	for _, s := range list {
		in = f.stmt(s, in, fc)
	}
	return in
}

// stmt returns how the paths leave s, given how they enter it.
func (f *bodyFlow) stmt(s ast.Stmt, in reach, fc flowCtx) reach {
	if in == 0 || s == nil {
		return in
	}
	if s == f.ri.stmt {
		return reachOpen
	}
	switch s := s.(type) {
	case *ast.BlockStmt:
		return f.list(s.List, in, fc)
	case *ast.LabeledStmt:
		return f.stmt(s.Stmt, in, fc)
	case *ast.ReturnStmt:
		f.recursion(s, in)
		return 0
	case *ast.BranchStmt:
		return f.branch(s, in, fc)
	case *ast.ExprStmt:
		if f.w.isExit(s.X, wctx{}) {
			return 0
		}
	case *ast.IfStmt:
		in = f.stmt(s.Init, in, fc)
		in = f.leaf(s.Cond, in)
		then := in
		if f.w.respNil(s.Cond, false, f.rv, f.ri.err) {
			then = in.closed()
		}
		other := in
		if f.w.respNil(s.Cond, true, f.rv, f.ri.err) {
			other = in.closed()
		}
		// a condition that does not test the response (a flag set where the
		// status was judged, "not the last attempt") is taken to be about it
		// when one branch closes the body: the other has nothing to close
		if f.unrelated(s.Cond) {
			if f.w.handled(f.rv, s.Body.Pos(), s.Body.End()) || f.handsBack(s.Body, fc) {
				other = other.closed()
			}
			if s.Else != nil && (f.w.handled(f.rv, s.Else.Pos(), s.Else.End()) || f.handsBack(s.Else, fc)) {
				then = then.closed()
			}
		}
		out := f.stmt(s.Body, then, fc)
		if s.Else != nil {
			return out | f.stmt(s.Else, other, fc)
		}
		return out | other
	case *ast.SwitchStmt:
		in = f.stmt(s.Init, in, fc)
		in = f.leaf(s.Tag, in)
		return f.clauses(s.Body, in, fc, s.Tag == nil)
	case *ast.TypeSwitchStmt:
		in = f.stmt(s.Init, in, fc)
		in = f.leaf(s.Assign, in)
		return f.clauses(s.Body, in, fc, false)
	case *ast.SelectStmt:
		var brk, out reach
		inner := fc
		inner.brk = &brk
		for _, cl := range s.Body.List {
			cc := cl.(*ast.CommClause)
			out |= f.list(cc.Body, f.stmt(cc.Comm, in, fc), inner)
		}
		return out | brk
	case *ast.ForStmt, *ast.RangeStmt:
		return f.loop(s, in, fc)
	}
	return f.leaf(s, in)
}

// handsBack reports whether a branch ends by handing the response on: it
// returns it to the caller (if !shouldRetry { return res, err }) or leaves
// the loop with it (if !shouldRetry { break }). The condition is then the
// verdict on the response, and the path that goes on is the one that judged
// it a failure, where the body was dealt with when the verdict was made.
func (f *bodyFlow) handsBack(s ast.Stmt, fc flowCtx) bool {
	b, ok := s.(*ast.BlockStmt)
	if !ok || len(b.List) == 0 {
		return false
	}
	switch last := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt:
		return match.Any(last, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			return ok && f.w.m.info().Uses[id] == f.rv
		})
	case *ast.BranchStmt:
		return last.Tok == token.BREAK && (last.Label == nil && fc.brk == nil || last.Label != nil && last.Label.Name == f.w.l.Label)
	}
	return false
}

// unrelated reports whether cond mentions neither the response, nor its
// error, nor a status.
func (f *bodyFlow) unrelated(cond ast.Expr) bool {
	info := f.w.m.info()
	return !mentionsStatus(info, cond) && !match.Any(cond, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		return ok && (info.Uses[id] == f.rv || info.Uses[id] == f.ri.err)
	})
}

// leaf returns how the paths leave a statement or expression with no
// control flow of its own: closed when it closes the body or hands the
// response elsewhere.
func (f *bodyFlow) leaf(n ast.Node, in reach) reach {
	if n == nil || in&reachHeld == 0 {
		return in
	}
	if d, ok := n.(*ast.DeferStmt); ok && match.Any(d, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		return ok && f.w.m.info().Uses[id] == f.rv
	}) {
		if in&reachOpen != 0 {
			in = in&^reachOpen | reachDeferred
		}
		return in
	}
	f.recursion(n, in)
	if f.w.handled(f.rv, n.Pos(), n.End()) {
		return in.closed()
	}
	return in
}

// recursion notes a retry by a recursive call in n made while the body is
// still held.
func (f *bodyFlow) recursion(n ast.Node, in reach) {
	if in&reachHeld != 0 && f.w.recurs(n) {
		f.recurs = true
	}
}

func (f *bodyFlow) branch(b *ast.BranchStmt, in reach, fc flowCtx) reach {
	ours := b.Label != nil && b.Label.Name == f.w.l.Label
	switch b.Tok {
	case token.CONTINUE, token.GOTO:
		if b.Tok == token.GOTO && !f.w.restarts(b, wctx{}) {
			break // a goto elsewhere
		}
		if b.Tok == token.GOTO || ours || b.Label == nil && !fc.inLoop {
			if in&reachHeld != 0 {
				f.conts = append(f.conts, b)
				if f.deferred == nil {
					f.deferred = map[*ast.BranchStmt]bool{}
				}
				f.deferred[b] = in&reachOpen == 0
			}
		} else if b.Label == nil && fc.cont != nil {
			*fc.cont |= in
		}
	case token.BREAK:
		if b.Label == nil && fc.brk != nil {
			*fc.brk |= in
		}
	case token.FALLTHROUGH:
		return in
	}
	return 0 // a labelled jump elsewhere, a goto, or leaving the loop
}

// clauses follows the cases of a switch; cond is set for a tagless switch,
// whose case expressions are conditions.
func (f *bodyFlow) clauses(body *ast.BlockStmt, in reach, fc flowCtx, cond bool) reach {
	var brk, out, carry reach
	inner := fc
	inner.brk = &brk
	hasDefault := false
	for _, cl := range body.List {
		cc := cl.(*ast.CaseClause)
		hasDefault = hasDefault || cc.List == nil
		cin := in
		for _, e := range cc.List {
			cin = f.leaf(e, cin)
		}
		if cond && len(cc.List) == 1 && f.w.respNil(cc.List[0], false, f.rv, f.ri.err) {
			cin = cin.closed()
		}
		end := f.list(cc.Body, cin|carry, inner)
		carry = 0
		if n := len(cc.Body); n > 0 {
			if b, ok := cc.Body[n-1].(*ast.BranchStmt); ok && b.Tok == token.FALLTHROUGH {
				carry = end
				continue
			}
		}
		out |= end
	}
	if !hasDefault {
		out |= in // no case matched
	}
	return out | brk
}

// loop follows a loop nested in the retry: it may run no time, and a
// response it handles anywhere is taken as handled after it.
func (f *bodyFlow) loop(s ast.Stmt, in reach, fc flowCtx) reach {
	var body *ast.BlockStmt
	switch s := s.(type) {
	case *ast.ForStmt:
		in = f.stmt(s.Init, in, fc)
		in = f.leaf(s.Cond, in)
		body = s.Body
	case *ast.RangeStmt:
		in = f.leaf(s.X, in)
		body = s.Body
	}
	var brk, cont reach
	out := in | f.list(body.List, in, flowCtx{brk: &brk, cont: &cont, inLoop: true}) | brk | cont
	if f.w.handled(f.rv, s.Pos(), s.End()) {
		return out.closed()
	}
	return out
}

// respNil reports whether cond (negated: its failure) implies the response
// is nil: err != nil, or resp == nil.
func (w *walker) respNil(cond ast.Expr, neg bool, rv, ev *types.Var) bool {
	parts, errOp, respOp := conjuncts(cond, token.LAND), token.NEQ, token.EQL
	if neg {
		parts, errOp, respOp = conjuncts(cond, token.LOR), token.EQL, token.NEQ
	}
	for _, p := range parts {
		if v := w.errCompare(p, errOp); v == ev {
			return true
		}
		if b, ok := ast.Unparen(p).(*ast.BinaryExpr); ok && b.Op == respOp {
			if w.varOf(b.X) == rv && match.IsNil(w.m.info(), b.Y) || w.varOf(b.Y) == rv && match.IsNil(w.m.info(), b.X) {
				return true
			}
		}
	}
	return false
}

// readers are packages whose functions read a body without closing it.
var readers = map[string]bool{"io": true, "io/ioutil": true, "encoding/json": true, "encoding/xml": true, "bufio": true, "fmt": true}

// handled reports whether the response rv is closed, or handed elsewhere,
// between from and to.
func (w *walker) handled(rv *types.Var, from, to token.Pos) bool {
	info := w.m.info()
	found := false
	var stack []ast.Node
	ast.Inspect(w.l.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		if found {
			return false
		}
		id, ok := n.(*ast.Ident)
		if !ok || info.Uses[id] != rv || id.Pos() < from || id.Pos() >= to {
			return true
		}
		// walk up from the use
		for i := len(stack) - 2; i >= 0; i-- {
			switch p := stack[i].(type) {
			case *ast.SelectorExpr:
				if p.Sel.Name == "Close" && !deferred(stack[:i]) {
					found = true // a deferred Close runs when the function returns, after every attempt
				}
				if p.Sel.Name != "Body" {
					if i == len(stack)-2 {
						return true // resp.StatusCode, resp.Header: a read
					}
				}
				continue
			case *ast.CallExpr:
				fn := match.Callee(info, p)
				if fn != nil && fn.Pkg() != nil && readers[fn.Pkg().Path()] {
					return true
				}
				// the response itself given to a function of the package
				// that only reads it (logs its status, decodes its error)
				if arg := slices.Index(p.Args, stack[i+1].(ast.Expr)); arg >= 0 && i+1 == len(stack)-1 && !w.m.sums.keepsResponse(fn, arg) {
					return true
				}
				found = true
			case *ast.BinaryExpr:
				return true // resp == nil
			case *ast.ReturnStmt:
				return true // handed to the caller on a path that ends the retry
			case *ast.ParenExpr, *ast.StarExpr:
				continue
			default:
				// stored, returned, deferred, sent: handled elsewhere
				found = true
			}
			break
		}
		return true
	})
	return found
}

// everStatusRetry reports whether the loop can retry with a response in hand:
// it reads the status (a non-nil response that was judged a failure).
func (w *walker) everStatusRetry(rv *types.Var) bool {
	return match.Any(w.l.Body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "StatusCode" && w.varOf(sel.X) == rv
	})
}

// deferred reports whether the innermost statement on stack is a defer.
func deferred(stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.DeferStmt:
			return true
		case ast.Stmt:
			return false
		}
	}
	return false
}

// keepsResponse reports whether fn, given a response as argument arg,
// closes its body or hands it on (stores, returns or passes it elsewhere):
// true unless fn is a function of the package that only reads the response
// (its status and headers, its body through io, encoding/json and the
// like). A caller still owns a response it gave to a reader.
func (s *summaries) keepsResponse(fn *types.Func, arg int) bool {
	if s == nil || fn == nil || fn.Pkg() != s.pkg {
		return true
	}
	f := s.ssa.Get().Func(fn)
	if f == nil {
		return true
	}
	if f.Signature.Recv() != nil {
		arg++
	}
	if arg >= len(f.Params) || !isResponse(f.Params[arg].Type()) {
		return true
	}
	return s.keeps(f.Params[arg], map[*ssa.Function]bool{f: true})
}

// keeps reports whether the response v is closed or escapes.
func (s *summaries) keeps(v ssa.Value, busy map[*ssa.Function]bool) bool {
	refs := v.Referrers()
	if refs == nil {
		return true
	}
	for _, r := range *refs {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.BinOp:
			// resp == nil
		case *ssa.FieldAddr:
			if !isResponse(r.X.Type()) {
				return true
			}
			if types.Unalias(r.X.Type()).(*types.Pointer).Elem().Underlying().(*types.Struct).Field(r.Field).Name() != "Body" {
				continue // StatusCode, Header, Status: reads
			}
			for _, load := range *r.Referrers() {
				u, ok := load.(*ssa.UnOp)
				if !ok || u.Op != token.MUL {
					return true // the field's address escapes, or Body is replaced
				}
				if bodyKept(u) {
					return true
				}
			}
		case *ssa.Call:
			callee := r.Call.StaticCallee()
			if callee == nil || callee.Pkg != s.ssa.Get().Pkg || busy[callee] {
				return true
			}
			for i, a := range r.Call.Args {
				if a != v {
					continue
				}
				busy[callee] = true
				kept := s.keeps(callee.Params[i], busy)
				delete(busy, callee)
				if kept {
					return true
				}
			}
		default:
			return true // stored, returned, sent, captured, converted
		}
	}
	return false
}

// bodyKept reports whether the loaded body b is closed or escapes: only
// reads through the reader packages leave it to the caller.
func bodyKept(b ssa.Value) bool {
	refs := b.Referrers()
	if refs == nil {
		return true
	}
	for _, r := range *refs {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.BinOp:
			// resp.Body != nil
		case *ssa.MakeInterface, *ssa.ChangeInterface:
			// io.Reader(resp.Body) handed to a reader
			if bodyKept(r.(ssa.Value)) {
				return true
			}
		case *ssa.Call:
			if r.Call.IsInvoke() {
				if r.Call.Value == b && r.Call.Method.Name() == "Read" {
					continue
				}
				return true // Close, or another method
			}
			callee := r.Call.StaticCallee()
			if callee == nil || callee.Pkg == nil || !readers[callee.Pkg.Pkg.Path()] {
				return true
			}
		default:
			return true
		}
	}
	return false
}
