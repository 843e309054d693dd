package retryloop

// The attempt: the fallible calls of a loop body, and whether the loop
// leaves on their success and goes round again on their failure.

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// attemptOf decides whether the loop leaves on success and goes round again
// on failure (ok), and returns its attempt calls and its attempt counter.
func (w *walker) attemptOf() (calls []*ast.CallExpr, counter *types.Var, ok bool) {
	counter = w.l.Counter // a range over an integer counts itself
	w.errs = map[*types.Var]*ast.CallExpr{}
	w.resps = map[*types.Var]*respInfo{}
	w.counters = map[*types.Var]bool{}
	w.results = map[*types.Var]bool{}
	w.steps = map[string]bool{}
	w.derived = map[*types.Var]bool{}
	w.verdicts = map[*types.Var]*ast.CallExpr{}
	w.labelled = w.labelledRestart()
	for _, v := range w.recursionCounters() {
		w.counters[v] = true // get(ctx, url, attempt+1), do(req, true)
	}
	if f, ok := w.l.Stmt.(*ast.ForStmt); ok && f.Post != nil {
		if id, ok := f.Post.(*ast.IncDecStmt); ok {
			if v := w.varOf(id.X); v != nil {
				w.counters[v] = true
				counter = v
			}
		}
		if as, ok := f.Post.(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
			if v := w.varOf(as.Lhs[0]); v != nil {
				w.counters[v] = true
				counter = v
			}
		}
	}
	comms := map[ast.Stmt]bool{}
	var shrunk []ast.Expr
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		if s, ok := n.(ast.Stmt); ok && !c.inLoop && !comms[s] && w.takesItem(s) {
			w.items = true
		}
		switch n := n.(type) {
		case *ast.SelectStmt:
			for _, cl := range n.Body.List {
				if cc := cl.(*ast.CommClause); cc.Comm != nil {
					comms[cc.Comm] = true
				}
			}
		case *ast.AssignStmt:
			if x := shrinks(n); x != nil && !c.inLoop {
				shrunk = append(shrunk, x)
			}
			w.noteStep(n)
			if c.inLoop && !w.labelled || len(n.Rhs) != 1 {
				if isStep(n) {
					if v := w.varOf(n.Lhs[0]); v != nil {
						w.counters[v] = true
					}
				}
				return
			}
			if isStep(n) {
				if v := w.varOf(n.Lhs[0]); v != nil {
					w.counters[v] = true
				}
				return
			}
			w.noteDerived(n)
			call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr)
			if !ok || !w.m.fallible(call) && !w.m.sendOutcome(call) || w.isWaitCall(call) || isNewRequest(match.Callee(w.m.info(), call)) ||
				isListen(match.Callee(w.m.info(), call)) || w.recur[call] || w.judges(call) || len(w.errs) > 0 && w.waitsHelper(call) ||
				match.CtxMethodCall(w.m.info(), call, "Err") { // if err := ctx.Err(): the bound, not an attempt
				return
			}
			ev := w.varOf(n.Lhs[len(n.Lhs)-1])
			if ev == nil {
				return
			}
			if w.errs[ev] == nil || !w.sends(w.errs[ev]) && w.sends(call) {
				// the first call is the attempt; later ones (a cleanup,
				// a disconnect notice) reuse its variable, unless the
				// first only prepares the send that follows (err =
				// req.RewindBody(); ...; resp, err = req.Next())
				w.errs[ev] = call
				for _, lhs := range n.Lhs[:len(n.Lhs)-1] {
					if v := w.varOf(lhs); v != nil {
						w.results[v] = true
					}
				}
			}
			if len(n.Lhs) == 2 {
				if rv := w.varOf(n.Lhs[0]); rv != nil && isResponse(rv.Type()) {
					w.resps[rv] = &respInfo{err: ev, call: call, stmt: n}
				}
			}
		case *ast.IncDecStmt:
			if v := w.varOf(n.X); v != nil {
				w.counters[v] = true
			}
			if sel, ok := ast.Unparen(n.X).(*ast.SelectorExpr); ok {
				w.steps[types.ExprString(sel)] = true
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && w.isTickerChan(n.X) {
				w.polls = true
			}
		case *ast.CallExpr:
			if match.IsFunc(match.Callee(w.m.info(), n), "time", "Tick", "NewTicker") {
				w.polls = true
			}
			if isBuiltin(w.m.info(), n.Fun, "delete") && len(n.Args) == 2 && !c.inLoop {
				shrunk = append(shrunk, n.Args[0])
			}
		}
	})
	// A loop that drops an alternative from a list (the failed broker) and
	// tries the next walks the list: it ends with it and asks no one twice.
	// A list of delays consumed by the waits is a retry's schedule instead.
	for _, x := range shrunk {
		if !w.schedules(x) {
			w.items = true
		}
	}
	if len(w.errs) == 0 {
		return nil, nil, false
	}
	if counter == nil {
		for v := range w.counters {
			if b, ok := v.Type().Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 {
				counter = v
				break
			}
		}
	}
	// (a) an exit taken when the attempt succeeded.
	success, failExit, outcome := false, false, false
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		if _, ok := n.(*ast.CallExpr); ok {
			return // panics and fatal exits are not successes
		}
		if !w.isExit(n, c) {
			return
		}
		// leaving when the attempt succeeded with nothing (results ==
		// nil) ends a drain that takes one result each time round: a
		// success with a result goes round for the next one
		exhausted := false
		for _, g := range c.guards {
			if g.cond != nil && w.nothingLeft(g.cond, g.neg) {
				exhausted = true
			}
		}
		for _, g := range c.guards {
			if g.cond == nil {
				continue
			}
			if w.errNil(g.cond, g.neg) != nil && !exhausted {
				success = true
			}
			if w.goodOutcome(g.cond, g.neg) && w.againAfter(n) {
				outcome = true // the status or a helper's verdict says done; other outcomes go round
			}
			if !g.neg && len(c.guards) == 1 && w.errNotNilOnly(g.cond) {
				// an error check before the attempt (of building the
				// request, sharing the err variable) is not the attempt's
				if v := w.errCompare(g.cond, token.NEQ); n.Pos() > w.errs[v].End() {
					failExit = true
				}
			}
		}
	})
	if success && !failExit || outcome {
		return w.attemptCalls(), counter, true
	}
	// (b) a failure branch that continues, then an exit.
	fc := -1
	for i, s := range w.l.Body.List {
		if sw, ok := s.(*ast.SwitchStmt); ok && fc < 0 && sw.Tag == nil && w.mentionsAttempt(sw) && w.containsContinue(sw, wctx{}) {
			fc = i // switch { case err != nil: continue }
			continue
		}
		if fc < 0 && w.restartsOnAttempt(s) {
			fc = i // switch resp.StatusCode { case 429: continue }, continue outer, goto retry
			continue
		}
		if sw, ok := s.(*ast.SwitchStmt); ok && fc >= 0 && switchesOnStatus(w.m.info(), sw) && w.containsExit(sw.Body, wctx{}) {
			return w.attemptCalls(), counter, true // switch resp.StatusCode { case 200: return ... }
		}
		is, ok := s.(*ast.IfStmt)
		if !ok {
			continue
		}
		if fc < 0 && w.mentionsAttempt(is.Cond) && !w.okStatus(is.Cond) && w.containsContinue(is.Body, wctx{}) {
			fc = i
			continue
		}
		if fc >= 0 && mentionsStatus(w.m.info(), is.Cond) && w.containsExit(is.Body, wctx{}) {
			return w.attemptCalls(), counter, true
		}
	}
	if fc >= 0 {
		for _, s := range w.l.Body.List[fc+1:] {
			if w.isExit(s, wctx{top: true}) {
				return w.attemptCalls(), counter, true
			}
		}
	}
	return nil, nil, false
}

// attemptCalls returns the attempt calls, in source order.
func (w *walker) attemptCalls() []*ast.CallExpr {
	var calls []*ast.CallExpr
	seen := map[*ast.CallExpr]bool{}
	for _, call := range w.errs {
		if !seen[call] {
			seen[call] = true
			calls = append(calls, call)
		}
	}
	// source order, for stable reports
	slices.SortStableFunc(calls, func(a, b *ast.CallExpr) int { return int(a.Pos() - b.Pos()) })
	// the send first: it names the retry in reports
	for i, c := range calls {
		if i > 0 && w.sends(c) {
			copy(calls[1:i+1], calls[:i])
			calls[0] = c
			break
		}
	}
	return calls
}

// isStep reports whether as adds to or subtracts from a variable.
func isStep(as *ast.AssignStmt) bool {
	return (as.Tok == token.ADD_ASSIGN || as.Tok == token.SUB_ASSIGN) && len(as.Lhs) == 1
}

func (w *walker) isTickerChan(e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if ok && sel.Sel.Name == "C" {
		return match.IsNamed(w.m.info().TypeOf(sel.X), "time", "Ticker")
	}
	if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
		return match.IsFunc(match.Callee(w.m.info(), call), "time", "Tick")
	}
	return false
}

// conjuncts splits a && b && c; disjuncts a || b || c.
func conjuncts(e ast.Expr, op token.Token) []ast.Expr {
	e = ast.Unparen(e)
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == op {
		return append(conjuncts(b.X, op), conjuncts(b.Y, op)...)
	}
	return []ast.Expr{e}
}

// errNil returns the attempt error known nil when cond holds (neg: when it
// does not hold).
func (w *walker) errNil(cond ast.Expr, neg bool) *types.Var {
	parts, want := conjuncts(cond, token.LAND), token.EQL
	if neg {
		parts, want = conjuncts(cond, token.LOR), token.NEQ
	}
	for _, p := range parts {
		if v := w.errCompare(p, want); v != nil {
			return v
		}
	}
	// a lone "err == nil || ..." still exits whenever the attempt succeeded
	if !neg {
		for _, p := range conjuncts(cond, token.LOR) {
			if v := w.errCompare(p, token.EQL); v != nil {
				return v
			}
		}
	}
	return nil
}

// nothingLeft reports whether cond (neg: its negation) holds only when a
// non-error result of the attempt is nil or empty.
func (w *walker) nothingLeft(cond ast.Expr, neg bool) bool {
	parts, want := conjuncts(cond, token.LAND), token.EQL
	if neg {
		parts, want = conjuncts(cond, token.LOR), token.NEQ
	}
	for _, p := range parts {
		b, ok := ast.Unparen(p).(*ast.BinaryExpr)
		if !ok || b.Op != want {
			continue
		}
		x, y := b.X, b.Y
		if match.IsNil(w.m.info(), x) || w.m.constValue(x) != nil {
			x, y = y, x
		}
		if call, ok := ast.Unparen(x).(*ast.CallExpr); ok && isBuiltin(w.m.info(), call.Fun, "len") && len(call.Args) == 1 {
			if c := w.m.constValue(y); c != nil && c.String() == "0" {
				x, y = call.Args[0], nil
			}
		}
		if v := w.varOf(x); v != nil && w.results[v] && (y == nil || match.IsNil(w.m.info(), y)) {
			return true
		}
	}
	return false
}

// errNotNilOnly reports whether cond is just "err != nil" for an attempt error.
func (w *walker) errNotNilOnly(cond ast.Expr) bool {
	return w.errCompare(ast.Unparen(cond), token.NEQ) != nil
}

func (w *walker) errCompare(e ast.Expr, op token.Token) *types.Var {
	b, ok := ast.Unparen(e).(*ast.BinaryExpr)
	if !ok || b.Op != op {
		return nil
	}
	x, y := b.X, b.Y
	if match.IsNil(w.m.info(), x) {
		x, y = y, x
	}
	if !match.IsNil(w.m.info(), y) {
		return nil
	}
	v := w.varOf(x)
	if v == nil {
		v = w.outcomeErr(x) // out.err of out := send(c, req)
	}
	if v != nil && w.errs[v] != nil {
		return v
	}
	return nil
}

// mentionsAttempt reports whether e uses an attempt error or response.
func (w *walker) mentionsAttempt(e ast.Node) bool {
	return match.Any(e, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := w.m.info().Uses[id].(*types.Var)
		return ok && (w.errs[v] != nil || w.resps[v] != nil)
	})
}

// mentionsOutcome reports whether e uses the attempt's error, response or
// results, or a value computed from them.
func (w *walker) mentionsOutcome(e ast.Node) bool {
	return match.Any(e, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := w.m.info().Uses[id].(*types.Var)
		return ok && (w.errs[v] != nil || w.resps[v] != nil || w.results[v] || w.derived[v])
	})
}

// takesItem reports whether s takes a value from a channel that another
// goroutine feeds (not a timer's, a ticker's or ctx.Done()): a loop that
// receives its work item each time round handles a new item, it does not
// repeat one.
func (w *walker) takesItem(s ast.Stmt) bool {
	ch := match.Received(s)
	if ch == nil {
		return false
	}
	return !w.isTimerRecv(s) && !w.isCtxDone(s) && !w.isTickerChan(ch)
}

// shrinks returns x of "x = x[i:]", "x = x[:n]" or "x = append(x[:i],
// x[i+1:]...)": the statement drops elements from x.
func shrinks(as *ast.AssignStmt) ast.Expr {
	if as.Tok != token.ASSIGN || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil
	}
	lhs := types.ExprString(as.Lhs[0])
	rhs := ast.Unparen(as.Rhs[0])
	if call, ok := rhs.(*ast.CallExpr); ok && call.Ellipsis.IsValid() && len(call.Args) == 2 {
		if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "append" {
			rhs = ast.Unparen(call.Args[0])
		}
	}
	if sl, ok := rhs.(*ast.SliceExpr); ok && types.ExprString(sl.X) == lhs && (sl.Low != nil || sl.High != nil) {
		return as.Lhs[0]
	}
	return nil
}

// schedules reports whether the shrinking list x feeds a wait of the loop
// (time.Sleep(delays[0]); delays = delays[1:]).
func (w *walker) schedules(x ast.Expr) bool {
	name := types.ExprString(x)
	return match.Any(w.l.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return false
		}
		if fn := match.Callee(w.m.info(), call); fn == nil || !w.isWaitCall(call) && !match.IsFunc(fn, "time", "After") {
			return false
		}
		return slices.ContainsFunc(call.Args, func(a ast.Expr) bool { return strings.Contains(types.ExprString(a), name) })
	})
}

// isListen matches binding a local address: retrying it asks no dependency.
func isListen(fn *types.Func) bool {
	return match.IsFunc(fn, "net", "Listen", "ListenPacket", "ListenTCP", "ListenUDP", "ListenUnix") ||
		match.IsMethod(fn, "net", "ListenConfig", "Listen", "ListenPacket")
}
