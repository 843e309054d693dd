package retryloop

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"net/http"
	"regexp"
	"strings"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// guard is a condition a statement inside the loop runs under.
type guard struct {
	cond ast.Expr // if condition; nil for a select case
	neg  bool     // the else branch
	comm ast.Stmt // select case communication (nil: default or not a select)
	sel  bool     // a select case
}

// wctx is where a node sits inside the loop body.
type wctx struct {
	guards  []guard
	inLoop  bool // inside a nested loop: a bare continue is not ours
	inBreak bool // inside a nested loop, switch or select: a bare break is not ours
	top     bool // a direct statement of the loop body
}

func (c wctx) with(g guard) wctx {
	c.guards = append(c.guards[:len(c.guards):len(c.guards)], g)
	c.top = false
	return c
}

type walker struct {
	m     *model
	l     *Loop
	fbody *ast.BlockStmt               // the enclosing function's body
	errs  map[*types.Var]*ast.CallExpr // attempt errors
	resps map[*types.Var]*respInfo
	polls bool
	// counters are integer variables stepped inside the loop.
	counters map[*types.Var]bool
}

type respInfo struct {
	err  *types.Var
	call *ast.CallExpr
	stmt ast.Stmt
}

func children(n ast.Node) []ast.Node {
	var out []ast.Node
	ast.Inspect(n, func(c ast.Node) bool {
		if c == n {
			return true
		}
		if c != nil {
			out = append(out, c)
		}
		return false
	})
	return out
}

// walk visits every node of the loop body outside function literals,
// telling fn where it sits.
func (w *walker) walk(n ast.Node, c wctx, fn func(ast.Node, wctx)) {
	if n == nil {
		return
	}
	fn(n, c)
	switch n := n.(type) {
	case *ast.FuncLit:
		return
	case *ast.BlockStmt:
		top := n == w.l.Body
		for _, s := range n.List {
			cc := c
			cc.top = top
			w.walk(s, cc, fn)
		}
		return
	case *ast.IfStmt:
		c.top = false
		if n.Init != nil {
			w.walk(n.Init, c, fn)
		}
		w.walk(n.Cond, c, fn)
		w.walk(n.Body, c.with(guard{cond: n.Cond}), fn)
		if n.Else != nil {
			w.walk(n.Else, c.with(guard{cond: n.Cond, neg: true}), fn)
		}
		return
	case *ast.ForStmt, *ast.RangeStmt:
		c.inLoop, c.inBreak = true, true
	case *ast.SwitchStmt, *ast.TypeSwitchStmt:
		c.inBreak = true
	case *ast.SelectStmt:
		c.inBreak = true
		c.top = false
		for _, cl := range n.Body.List {
			cc := cl.(*ast.CommClause)
			g := c.with(guard{comm: cc.Comm, sel: true})
			if cc.Comm != nil {
				w.walk(cc.Comm, c, fn)
			}
			for _, s := range cc.Body {
				w.walk(s, g, fn)
			}
		}
		return
	case *ast.CaseClause:
		c = c.with(guard{})
		for _, s := range n.Body {
			w.walk(s, c, fn)
		}
		return
	}
	c.top = false
	for _, ch := range children(n) {
		w.walk(ch, c, fn)
	}
}

// targetsLoop reports whether a branch statement leaves or restarts l.
func (w *walker) targetsLoop(b *ast.BranchStmt, c wctx) bool {
	if b.Label != nil {
		return b.Label.Name == w.l.Label
	}
	switch b.Tok {
	case token.CONTINUE:
		return !c.inLoop
	case token.BREAK:
		return !c.inBreak
	}
	return false
}

// isExit reports whether n leaves the loop: return, break of l, panic.
func (w *walker) isExit(n ast.Node, c wctx) bool {
	switch n := n.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return n.Tok == token.BREAK && w.targetsLoop(n, c) || n.Tok == token.GOTO
	case *ast.CallExpr:
		if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "panic" {
			_, builtin := w.m.info().Uses[id].(*types.Builtin)
			return builtin
		}
		fn := match.Callee(w.m.info(), n)
		return match.IsFunc(fn, "os", "Exit") || match.IsFunc(fn, "log", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln")
	}
	return false
}

// containsExit reports whether a statement has an exit of l inside.
func (w *walker) containsExit(s ast.Node, c wctx) bool {
	found := false
	w.walk(s, c, func(n ast.Node, c wctx) {
		if w.isExit(n, c) {
			found = true
		}
	})
	return found
}

func (w *walker) containsContinue(s ast.Node, c wctx) bool {
	found := false
	w.walk(s, c, func(n ast.Node, c wctx) {
		if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.CONTINUE && w.targetsLoop(b, c) {
			found = true
		}
	})
	return found
}

func (w *walker) varOf(e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	v, _ := w.m.info().ObjectOf(id).(*types.Var)
	return v
}

// isRetry collects the attempt calls and decides whether the loop leaves on
// success and goes round again on failure.
func (w *walker) isRetry() bool {
	w.errs = map[*types.Var]*ast.CallExpr{}
	w.resps = map[*types.Var]*respInfo{}
	w.counters = map[*types.Var]bool{}
	if f, ok := w.l.Stmt.(*ast.ForStmt); ok && f.Post != nil {
		if id, ok := f.Post.(*ast.IncDecStmt); ok {
			if v := w.varOf(id.X); v != nil {
				w.counters[v] = true
				w.l.Counter = v
			}
		}
		if as, ok := f.Post.(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
			if v := w.varOf(as.Lhs[0]); v != nil {
				w.counters[v] = true
				w.l.Counter = v
			}
		}
	}
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if c.inLoop || len(n.Rhs) != 1 {
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
			call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr)
			if !ok || !w.m.fallible(call) || w.isWaitCall(call) || isNewRequest(match.Callee(w.m.info(), call)) {
				return
			}
			ev := w.varOf(n.Lhs[len(n.Lhs)-1])
			if ev == nil {
				return
			}
			if w.errs[ev] == nil {
				// the first call is the attempt; later ones (a cleanup,
				// a disconnect notice) reuse its variable
				w.errs[ev] = call
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
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && w.isTickerChan(n.X) {
				w.polls = true
			}
		case *ast.CallExpr:
			if match.IsFunc(match.Callee(w.m.info(), n), "time", "Tick", "NewTicker") {
				w.polls = true
			}
		}
	})
	if len(w.errs) == 0 {
		return false
	}
	if w.l.Counter == nil {
		for v := range w.counters {
			if b, ok := v.Type().Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 {
				w.l.Counter = v
				break
			}
		}
	}
	// (a) an exit taken when the attempt succeeded.
	success, failExit := false, false
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		if _, ok := n.(*ast.CallExpr); ok {
			return // panics and fatal exits are not successes
		}
		if !w.isExit(n, c) {
			return
		}
		for _, g := range c.guards {
			if g.cond == nil {
				continue
			}
			if w.errNil(g.cond, g.neg) != nil {
				success = true
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
	if success && !failExit {
		w.collectCalls()
		return true
	}
	// (b) a failure branch that continues, then an exit.
	fc := -1
	for i, s := range w.l.Body.List {
		if sw, ok := s.(*ast.SwitchStmt); ok && fc < 0 && sw.Tag == nil && w.mentionsAttempt(sw) && w.containsContinue(sw, wctx{}) {
			fc = i // switch { case err != nil: continue }
			continue
		}
		is, ok := s.(*ast.IfStmt)
		if !ok {
			continue
		}
		if fc < 0 && w.mentionsAttempt(is.Cond) && w.containsContinue(is.Body, wctx{}) {
			fc = i
			continue
		}
		if fc >= 0 && mentionsStatus(w.m.info(), is.Cond) && w.containsExit(is.Body, wctx{}) {
			w.collectCalls()
			return true
		}
	}
	if fc >= 0 {
		for _, s := range w.l.Body.List[fc+1:] {
			if w.isExit(s, wctx{top: true}) {
				w.collectCalls()
				return true
			}
		}
	}
	return false
}

func (w *walker) collectCalls() {
	seen := map[*ast.CallExpr]bool{}
	for _, call := range w.errs {
		if !seen[call] {
			seen[call] = true
			w.l.Calls = append(w.l.Calls, call)
		}
	}
	// source order, for stable reports
	for i := 1; i < len(w.l.Calls); i++ {
		for j := i; j > 0 && w.l.Calls[j].Pos() < w.l.Calls[j-1].Pos(); j-- {
			w.l.Calls[j], w.l.Calls[j-1] = w.l.Calls[j-1], w.l.Calls[j]
		}
	}
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
	if isNil(w.m.info(), x) {
		x, y = y, x
	}
	if !isNil(w.m.info(), y) {
		return nil
	}
	v := w.varOf(x)
	if v != nil && w.errs[v] != nil {
		return v
	}
	return nil
}

func isNil(info *types.Info, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	_, isnil := info.Uses[id].(*types.Nil)
	return isnil
}

// mentionsAttempt reports whether e uses an attempt error or response.
func (w *walker) mentionsAttempt(e ast.Node) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := w.m.info().Uses[id].(*types.Var); ok && (w.errs[v] != nil || w.resps[v] != nil) {
				found = true
			}
		}
		return !found
	})
	return found
}

// statusSel matches X.StatusCode for an *http.Response X.
func statusSel(info *types.Info, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "StatusCode" && isResponse(info.TypeOf(sel.X))
}

func mentionsStatus(info *types.Info, e ast.Node) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if ex, ok := n.(ast.Expr); ok && statusSel(info, ex) {
			found = true
		}
		return !found
	})
	return found
}

// bound classifies what ends the loop when attempts keep failing.
func (w *walker) bound() {
	l := w.l
	if l.Bound != BoundNone {
		return
	}
	if f, ok := l.Stmt.(*ast.ForStmt); ok && f.Cond != nil {
		if v := w.m.constValue(f.Cond); v == nil || constant.BoolVal(v) == false {
			l.Bound = w.classify(f.Cond)
			if l.Bound == BoundNone {
				l.Bound = BoundOther
			}
			return
		}
	}
	w.walk(l.Body, wctx{}, func(n ast.Node, c wctx) {
		if l.Bound != BoundNone {
			return
		}
		// "continue only while attemptsLeft > 0": a guarded next attempt
		if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.CONTINUE && w.targetsLoop(b, c) {
			for _, g := range c.guards {
				if g.cond != nil && !g.neg {
					if k := w.classify(g.cond); k != BoundNone && k != BoundOther {
						l.Bound = k
					}
				}
			}
			return
		}
		if !w.isExit(n, c) {
			return
		}
		for _, g := range c.guards {
			switch {
			case g.sel && g.comm != nil:
				if w.isCtxDone(g.comm) {
					l.Bound = BoundContext
				} else if !w.isTimerRecv(g.comm) {
					l.Bound = BoundOther
				}
			case g.cond != nil:
				if b := w.classify(g.cond); b != BoundNone {
					l.Bound = b
				}
			}
		}
	})
}

// classify says which bound a condition expresses, BoundNone when it only
// classifies the attempt's outcome.
func (w *walker) classify(cond ast.Expr) Bound {
	info := w.m.info()
	b := BoundNone
	rank := func(x Bound) {
		if b == BoundNone || x < b {
			b = x
		}
	}
	ast.Inspect(cond, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok {
				if pn, ok := info.Uses[id].(*types.PkgName); ok {
					switch pn.Imported().Path() {
					case "context":
						rank(BoundContext)
					case "time":
						rank(BoundDeadline)
					}
					return false
				}
			}
			if statusSel(info, n) {
				return false
			}
		case *ast.Ident:
			obj := info.Uses[n]
			switch obj := obj.(type) {
			case *types.Var:
				switch {
				case match.IsContext(obj.Type()):
					rank(BoundContext)
				case match.IsNamed(obj.Type(), "time", "Time") || match.IsNamed(obj.Type(), "time", "Duration"):
					rank(BoundDeadline)
				case w.counters[obj]:
					rank(BoundAttempts)
				case w.errs[obj] != nil || w.resps[obj] != nil:
				default:
					rank(BoundOther)
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if x := w.varOf(sel.X); x == nil || (w.errs[x] == nil && w.resps[x] == nil) {
					if _, isPkg := info.Uses[identOf(sel.X)].(*types.PkgName); !isPkg {
						rank(BoundOther)
					}
				}
			}
		}
		return true
	})
	return b
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}

// received returns the channel operand of a statement that is a receive
// (<-ch, or v := <-ch), or nil.
func received(s ast.Stmt) ast.Expr {
	var x ast.Expr
	switch s := s.(type) {
	case *ast.ExprStmt:
		x = s.X
	case *ast.AssignStmt:
		x = s.Rhs[0]
	default:
		return nil
	}
	if u, ok := ast.Unparen(x).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return ast.Unparen(u.X)
	}
	return nil
}

// isCtxDone matches a receive from X.Done() of a context.
func (w *walker) isCtxDone(s ast.Stmt) bool {
	call, ok := received(s).(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Done" && match.IsContext(w.m.info().TypeOf(sel.X))
}

func (w *walker) isTimerRecv(s ast.Stmt) bool {
	ch := received(s)
	if call, ok := ch.(*ast.CallExpr); ok {
		return match.IsFunc(match.Callee(w.m.info(), call), "time", "After")
	}
	if sel, ok := ch.(*ast.SelectorExpr); ok && sel.Sel.Name == "C" {
		return match.IsNamed(w.m.info().TypeOf(sel.X), "time", "Timer")
	}
	return false
}

var waitName = regexp.MustCompile(`(?i)sleep|wait|backoff|delay|pause`)

// isWaitCall reports whether call waits between attempts.
func (w *walker) isWaitCall(call *ast.CallExpr) bool {
	fn := match.Callee(w.m.info(), call)
	if fn == nil {
		return false
	}
	if match.IsFunc(fn, "time", "Sleep", "After", "NewTimer", "AfterFunc") || match.IsMethod(fn, "time", "Timer", "Reset") {
		return true
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		if match.IsNamed(sig.Recv().Type(), "sync", "WaitGroup") || match.IsNamed(sig.Recv().Type(), "sync", "Cond") {
			return false
		}
	}
	return waitName.MatchString(fn.Name())
}

// waits records the waits between attempts.
func (w *walker) waits(fbody *ast.BlockStmt) {
	info := w.m.info()
	seen := map[ast.Node]bool{}
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		switch n := n.(type) {
		case *ast.SelectStmt:
			cases := 0
			for _, cl := range n.Body.List {
				if cl.(*ast.CommClause).Comm != nil {
					cases++
				}
			}
			for _, cl := range n.Body.List {
				cc := cl.(*ast.CommClause)
				if cc.Comm != nil && w.isTimerRecv(cc.Comm) {
					wt := w.timerWait(cc.Comm)
					wt.CtxAware = cases > 1
					seen[wt.Node] = true
					w.l.Waits = append(w.l.Waits, wt)
				}
			}
		case *ast.ExprStmt:
			if w.isTimerRecv(n) {
				if wt := w.timerWait(n); !seen[wt.Node] {
					wt.CtxAware = false // a bare receive: nothing else wakes it
					seen[wt.Node] = true
					w.l.Waits = append(w.l.Waits, wt)
				}
				return
			}
			call, ok := ast.Unparen(n.X).(*ast.CallExpr)
			if ok && match.IsFunc(match.Callee(info, call), "time", "Sleep") && len(call.Args) == 1 {
				seen[call] = true
				w.l.Waits = append(w.l.Waits, &Wait{Node: call, Dur: call.Args[0], Sleep: n, Kind: w.durKind(call.Args[0], fbody)})
			}
		case *ast.CallExpr:
			if seen[n] {
				return
			}
			defer func() {
				// a wait's arguments (retry.Backoff(...)) are part of it
				ast.Inspect(n, func(x ast.Node) bool {
					if c, ok := x.(*ast.CallExpr); ok {
						seen[c] = true
					}
					return true
				})
			}()
			fn := match.Callee(info, n)
			switch {
			case fn == nil:
			case match.IsFunc(fn, "time", "Sleep") && len(n.Args) == 1:
				// a Sleep inside an expression (rare): ignores ctx like any other
				w.l.Waits = append(w.l.Waits, &Wait{Node: n, Dur: n.Args[0], Kind: w.durKind(n.Args[0], fbody)})
			case match.IsFunc(fn, "time", "After"):
				// a receive handled above; anything else uses the channel elsewhere
				if !seen[n] {
					w.l.Waits = append(w.l.Waits, &Wait{Node: n, Dur: n.Args[0], Kind: w.durKind(n.Args[0], fbody), CtxAware: true})
				}
			case match.IsFunc(fn, "time", "NewTimer", "AfterFunc") || match.IsMethod(fn, "time", "Timer", "Reset"):
				w.l.Waits = append(w.l.Waits, &Wait{Node: n, Dur: n.Args[0], Kind: w.durKind(n.Args[0], fbody), CtxAware: true})
			case match.IsFunc(fn, RuntimeRetry, "Wait") && len(n.Args) == 2:
				w.l.Waits = append(w.l.Waits, &Wait{Node: n, Dur: n.Args[1], Kind: w.durKind(n.Args[1], fbody), CtxAware: true})
			case fn.Name() == "NextBackOff":
				w.l.Waits = append(w.l.Waits, &Wait{Node: n, Kind: WaitJittered, CtxAware: true})
			case w.isWaitCall(n):
				// a wait of its own making: trust it to honour cancellation
				w.l.Waits = append(w.l.Waits, &Wait{Node: n, Kind: WaitUnknown, CtxAware: true})
			}
		}
	})
}

func (w *walker) timerWait(s ast.Stmt) *Wait {
	var x ast.Expr
	switch s := s.(type) {
	case *ast.ExprStmt:
		x = s.X
	case *ast.AssignStmt:
		x = s.Rhs[0]
	}
	u := ast.Unparen(x).(*ast.UnaryExpr)
	if call, ok := ast.Unparen(u.X).(*ast.CallExpr); ok && len(call.Args) == 1 {
		return &Wait{Node: call, Dur: call.Args[0], Kind: w.durKind(call.Args[0], w.fbody)}
	}
	// <-timer.C: the duration was given to NewTimer or Reset, recorded there
	return &Wait{Node: u, Kind: WaitUnknown, CtxAware: true}
}

var keyPkgs = map[string]bool{
	"github.com/google/uuid":       true,
	"github.com/gofrs/uuid":        true,
	"github.com/gofrs/uuid/v5":     true,
	"github.com/satori/go.uuid":    true,
	"github.com/oklog/ulid":        true,
	"github.com/oklog/ulid/v2":     true,
	"github.com/segmentio/ksuid":   true,
	"github.com/rs/xid":            true,
	"math/rand":                    true,
	"math/rand/v2":                 true,
	"crypto/rand":                  true,
	"github.com/lithammer/shortid": true,
}

func isRandPkg(p string) bool {
	return p == "math/rand" || p == "math/rand/v2"
}

// combine merges the wait kinds of two parts of one wait: jittered and
// unknown stick (they silence the check); growing beats constant.
func combine(a, b WaitKind) WaitKind {
	switch {
	case a == WaitJittered || b == WaitJittered:
		return WaitJittered
	case a == WaitUnknown || b == WaitUnknown:
		return WaitUnknown
	case a == WaitGrowing || b == WaitGrowing:
		return WaitGrowing
	}
	return a
}

// durKind classifies a duration expression.
func (w *walker) durKind(e ast.Expr, fbody *ast.BlockStmt) WaitKind {
	info := w.m.info()
	if w.m.constValue(e) != nil {
		return WaitConstant
	}
	kind := WaitConstant
	worse := func(k WaitKind) { kind = combine(kind, k) }
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if tv, ok := info.Types[n.Fun]; ok && tv.IsType() {
				return true // a conversion
			}
			fn := match.Callee(info, n)
			switch {
			case fn != nil && fn.Pkg() != nil && isRandPkg(fn.Pkg().Path()):
				worse(WaitJittered)
			case fn != nil && strings.Contains(strings.ToLower(fn.Name()), "jitter"):
				worse(WaitJittered)
			case match.IsFunc(fn, RuntimeRetry, "Backoff"):
				worse(WaitJittered)
			case match.IsFunc(fn, "math", "Pow", "Exp2"):
				worse(WaitGrowing)
			case isBuiltin(info, n.Fun, "min", "max"):
			default:
				worse(WaitUnknown)
				return false
			}
			return true
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok {
				if _, ok := info.Uses[id].(*types.PkgName); ok {
					return false
				}
			}
			if w.m.constValue(n) == nil {
				worse(WaitUnknown) // a field: configured elsewhere
			}
			return false
		case *ast.BinaryExpr:
			if n.Op == token.SHL {
				if w.m.constValue(n.Y) == nil {
					worse(WaitGrowing)
				}
			}
		case *ast.Ident:
			v, ok := info.Uses[n].(*types.Var)
			if !ok {
				return false
			}
			worse(w.varKind(v, fbody))
		}
		return true
	})
	return kind
}

// varKind classifies a duration variable by its assignments.
func (w *walker) varKind(v *types.Var, fbody *ast.BlockStmt) WaitKind {
	if w.counters[v] {
		return WaitGrowing
	}
	if fbody == nil || v.Pos() < fbody.Pos() || v.Pos() >= fbody.End() {
		return WaitUnknown // a parameter, a package variable
	}
	info := w.m.info()
	kind := WaitConstant
	worse := func(k WaitKind) { kind = combine(kind, k) }
	assigned := false
	ast.Inspect(fbody, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if w.varOf(lhs) != v {
					continue
				}
				assigned = true
				inLoop := n.Pos() >= w.l.Body.Pos() && n.Pos() < w.l.Body.End()
				if len(n.Rhs) != len(n.Lhs) {
					worse(WaitUnknown)
					continue
				}
				rhs := n.Rhs[i]
				opAssign := n.Tok != token.DEFINE && n.Tok != token.ASSIGN
				switch {
				case mentionsRand(info, rhs):
					worse(WaitJittered)
				case opaqueCall(info, rhs):
					worse(WaitUnknown) // computed elsewhere: boff.Duration()
				case inLoop && (opAssign || mentionsVar(info, rhs, v)):
					worse(WaitGrowing) // d *= 2, d = d * 2
				case opAssign:
					worse(WaitUnknown) // stepped outside the loop
				case w.m.constValue(rhs) != nil:
				default:
					worse(WaitUnknown)
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.Defs[name] == v {
					assigned = true
					if i < len(n.Values) && w.m.constValue(n.Values[i]) == nil {
						worse(WaitUnknown)
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && w.varOf(n.X) == v {
				worse(WaitUnknown)
			}
		}
		return true
	})
	if !assigned {
		return WaitUnknown
	}
	return kind
}

// opaqueCall reports whether e calls anything but a conversion, min, max or
// math.Pow: its value is computed where this model does not look.
func opaqueCall(info *types.Info, e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
			return true
		}
		if isBuiltin(info, call.Fun, "min", "max") || match.IsFunc(match.Callee(info, call), "math", "Pow", "Exp2") {
			return true
		}
		found = true
		return false
	})
	return found
}

func isBuiltin(info *types.Info, fun ast.Expr, names ...string) bool {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.Uses[id].(*types.Builtin)
	if !ok {
		return false
	}
	for _, n := range names {
		if b.Name() == n {
			return true
		}
	}
	return false
}

func mentionsRand(info *types.Info, e ast.Node) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			fn := match.Callee(info, call)
			if fn != nil && fn.Pkg() != nil && isRandPkg(fn.Pkg().Path()) ||
				fn != nil && strings.Contains(strings.ToLower(fn.Name()), "jitter") {
				found = true
			}
		}
		return !found
	})
	return found
}

func mentionsVar(info *types.Info, e ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}

type check struct {
	is   *ast.IfStmt
	exit bool
}

// exitStatus records a top-level success check that lets permanent
// statuses fall through to the next attempt ("if resp.StatusCode == 200
// { return }" and nothing else ends the loop).
func (w *walker) exitStatus(earlier []check, is *ast.IfStmt) {
	info := w.m.info()
	if !w.retriesAfter(is) {
		return
	}
	top := false
	for _, s := range w.l.Body.List {
		if s == is {
			top = true
		}
	}
	if !top || is.Else != nil {
		return
	}
	var codes []int
	for _, k := range permanent {
		if evalStatus(info, is.Cond, k) != tFalse {
			continue
		}
		covered := false
		for _, prev := range earlier {
			if prev.exit && evalStatus(info, prev.is.Cond, k) != tFalse {
				covered = true
			}
		}
		if !covered {
			codes = append(codes, k)
		}
	}
	if len(codes) > 0 {
		w.l.RetriedStatuses = append(w.l.RetriedStatuses, &StatusRetry{Cond: statusCompare(info, is.Cond), Permanent: codes, Success: true})
	}
}

// permanent are the statuses a retry must not repeat.
var permanent = []int{400, 401, 403, 404, 409, 422}

// statuses records status conditions whose branch retries permanent errors.
func (w *walker) statuses() {
	info := w.m.info()
	var checks []check
	hasSwitch := false
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		switch n := n.(type) {
		case *ast.IfStmt:
			if mentionsStatus(info, n.Cond) {
				checks = append(checks, check{n, w.exitsOnOutcome(n.Body)})
			}
		case *ast.SwitchStmt:
			if n.Tag != nil && mentionsStatus(info, n.Tag) {
				hasSwitch = true
			}
		}
	})
	if hasSwitch {
		return
	}
	for i, ck := range checks {
		if ck.exit {
			w.exitStatus(checks[:i], ck.is)
			continue
		}
		if !w.retriesAfter(ck.is) {
			continue
		}
		var codes []int
		for _, k := range permanent {
			if evalStatus(info, ck.is.Cond, k) != tTrue {
				continue
			}
			earlier := false
			for _, prev := range checks[:i] {
				if prev.exit && evalStatus(info, prev.is.Cond, k) != tFalse {
					earlier = true
				}
			}
			if !earlier {
				codes = append(codes, k)
			}
		}
		if len(codes) > 0 {
			w.l.RetriedStatuses = append(w.l.RetriedStatuses, &StatusRetry{Cond: statusCompare(info, ck.is.Cond), Permanent: codes})
		}
	}
}

// retriesAfter reports whether the branch of is leads to the next attempt:
// it continues, or falls through to the end of the body.
func (w *walker) retriesAfter(is *ast.IfStmt) bool {
	if w.containsContinue(is.Body, wctx{}) {
		return true
	}
	for i, s := range w.l.Body.List {
		if s != is {
			continue
		}
		for _, rest := range w.l.Body.List[i+1:] {
			if w.isExit(rest, wctx{top: true}) {
				return false
			}
			if ex, ok := rest.(*ast.ExprStmt); ok && w.isExit(ex.X, wctx{top: true}) {
				return false
			}
		}
		return true
	}
	return false
}

// statusCompare returns the comparison inside cond that tests the status.
func statusCompare(info *types.Info, cond ast.Expr) ast.Expr {
	var found ast.Expr
	ast.Inspect(cond, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && found == nil && b.Op != token.LAND && b.Op != token.LOR && mentionsStatus(info, b) {
			found = b
		}
		return found == nil
	})
	if found == nil {
		return cond
	}
	return found
}

type tri int

const (
	tUnknown tri = iota
	tTrue
	tFalse
)

// evalStatus evaluates cond for a response status k, three-valued.
func evalStatus(info *types.Info, cond ast.Expr, k int) tri {
	switch e := ast.Unparen(cond).(type) {
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			switch evalStatus(info, e.X, k) {
			case tTrue:
				return tFalse
			case tFalse:
				return tTrue
			}
		}
		return tUnknown
	case *ast.BinaryExpr:
		switch e.Op {
		case token.LAND:
			x, y := evalStatus(info, e.X, k), evalStatus(info, e.Y, k)
			if x == tFalse || y == tFalse {
				return tFalse
			}
			if x == tTrue && y == tTrue {
				return tTrue
			}
			return tUnknown
		case token.LOR:
			x, y := evalStatus(info, e.X, k), evalStatus(info, e.Y, k)
			if x == tTrue || y == tTrue {
				return tTrue
			}
			if x == tFalse && y == tFalse {
				return tFalse
			}
			return tUnknown
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			lhs, ok1 := statusValue(info, e.X, k)
			rhs, ok2 := statusValue(info, e.Y, k)
			if !ok1 || !ok2 {
				return tUnknown
			}
			if cmp(e.Op, lhs, rhs) {
				return tTrue
			}
			return tFalse
		}
	}
	return tUnknown
}

// statusValue evaluates a status expression (X.StatusCode, X.StatusCode/100)
// or an integer constant.
func statusValue(info *types.Info, e ast.Expr, k int) (int64, bool) {
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		v, ok := constant.Int64Val(constant.ToInt(tv.Value))
		return v, ok
	}
	if statusSel(info, e) {
		return int64(k), true
	}
	if b, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && b.Op == token.QUO && statusSel(info, b.X) {
		if d, ok := statusValue(info, b.Y, k); ok && d != 0 {
			return int64(k) / d, true
		}
	}
	return 0, false
}

func cmp(op token.Token, a, b int64) bool {
	switch op {
	case token.EQL:
		return a == b
	case token.NEQ:
		return a != b
	case token.LSS:
		return a < b
	case token.LEQ:
		return a <= b
	case token.GTR:
		return a > b
	}
	return a >= b
}

// responses finds response bodies left open when the next attempt starts.
func (w *walker) responses() {
	for rv, ri := range w.resps {
		u := &Unclosed{Resp: rv, Call: ri.call}
		w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
			b, ok := n.(*ast.BranchStmt)
			if !ok || b.Tok != token.CONTINUE || !w.targetsLoop(b, c) || b.Pos() < ri.stmt.End() {
				return
			}
			for _, g := range c.guards {
				if g.cond != nil && w.respNil(g.cond, g.neg, rv, ri.err) {
					return
				}
			}
			if !w.handled(rv, ri.stmt.End(), b.Pos()) {
				u.Continues = append(u.Continues, b)
			}
		})
		if len(u.Continues) > 0 || w.fallsThroughOpen(rv, ri) {
			w.l.Unclosed = append(w.l.Unclosed, u)
		}
	}
	// source order
	us := w.l.Unclosed
	for i := 1; i < len(us); i++ {
		for j := i; j > 0 && us[j].Call.Pos() < us[j-1].Call.Pos(); j-- {
			us[j], us[j-1] = us[j-1], us[j]
		}
	}
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
			if w.varOf(b.X) == rv && isNil(w.m.info(), b.Y) || w.varOf(b.Y) == rv && isNil(w.m.info(), b.X) {
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
				if p.Sel.Name == "Close" {
					found = true
				}
				if p.Sel.Name != "Body" {
					if i == len(stack)-2 {
						return true // resp.StatusCode, resp.Header: a read
					}
				}
				continue
			case *ast.CallExpr:
				if fn := match.Callee(info, p); fn != nil && fn.Pkg() != nil && readers[fn.Pkg().Path()] {
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

// fallsThroughOpen reports whether the body can reach its end with the
// response open and non-nil.
func (w *walker) fallsThroughOpen(rv *types.Var, ri *respInfo) bool {
	list := w.l.Body.List
	idx := -1
	for i, s := range list {
		if s.Pos() <= ri.stmt.Pos() && ri.stmt.End() <= s.End() {
			idx = i
		}
	}
	if idx < 0 || list[idx] != ri.stmt {
		return false
	}
	for _, s := range list[idx+1:] {
		if w.isExit(s, wctx{top: true}) {
			return false
		}
		if is, ok := s.(*ast.IfStmt); ok && is.Else == nil {
			// if err == nil { return } / if err != nil { continue }: the
			// rest runs only with a nil or checked response
			if w.errCompare(is.Cond, token.EQL) == ri.err && w.containsExit(is.Body, wctx{}) {
				return false
			}
			if w.errCompare(is.Cond, token.NEQ) == ri.err {
				// from here on the response is non-nil: keep looking
				continue
			}
		}
	}
	// a response only ever nil-checked and read gets no close anywhere
	return !w.handled(rv, ri.stmt.End(), w.l.Body.End()) && w.everStatusRetry(rv)
}

// everStatusRetry reports whether the loop can retry with a response in hand:
// it reads the status (a non-nil response that was judged a failure).
func (w *walker) everStatusRetry(rv *types.Var) bool {
	found := false
	ast.Inspect(w.l.Body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "StatusCode" && w.varOf(sel.X) == rv {
			found = true
		}
		return !found
	})
	return found
}

// requests records the HTTP requests the retry sends.
func (w *walker) requests(fbody *ast.BlockStmt) {
	info := w.m.info()
	seen := map[*ast.CallExpr]bool{}
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return
		}
		fn := match.Callee(info, call)
		if fn == nil {
			return
		}
		switch {
		case fn.Name() == "Do" && len(call.Args) == 1 && isRequestType(info.TypeOf(call.Args[0])):
			if r := w.send(call, fbody); r != nil {
				if r.New != nil {
					seen[r.New] = true
				}
				w.l.Requests = append(w.l.Requests, r)
			}
		case match.IsFunc(fn, "net/http", "Post", "PostForm") || match.IsMethod(fn, "net/http", "Client", "Post", "PostForm"):
			r := &Request{Send: call, Method: "POST", NoHeaders: true, InRetry: true, URL: call.Args[0]}
			if fn.Name() == "Post" && len(call.Args) == 3 {
				r.Body = call.Args[2]
				r.Reader = w.outsideReader(r.Body, fbody)
			}
			w.l.Requests = append(w.l.Requests, r)
		}
	})
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		call, ok := n.(*ast.CallExpr)
		if !ok || seen[call] || !isNewRequest(match.Callee(info, call)) {
			return
		}
		// built here but sent elsewhere (a helper, a wrapper)
		r := w.newRequest(call, nil, fbody)
		r.HeadersOpaque = true
		w.l.Requests = append(w.l.Requests, r)
	})
}

func isRequestType(t types.Type) bool {
	if match.IsHTTPRequestPtr(t) {
		return true
	}
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && match.IsNamed(p.Elem(), retryablehttpPath, "Request")
}

func isNewRequest(fn *types.Func) bool {
	return match.IsFunc(fn, "net/http", "NewRequest", "NewRequestWithContext") ||
		match.IsFunc(fn, retryablehttpPath, "NewRequest", "NewRequestWithContext")
}

// send models the request a Do call sends.
func (w *walker) send(call *ast.CallExpr, fbody *ast.BlockStmt) *Request {
	info := w.m.info()
	arg := ast.Unparen(call.Args[0])
	// req.WithContext(ctx) sends req's body
	if c, ok := arg.(*ast.CallExpr); ok {
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "WithContext") {
			arg = ast.Unparen(sel.X)
		}
	}
	if c, ok := arg.(*ast.CallExpr); ok {
		if fn := match.Callee(info, c); fn != nil && isNewRequest(fn) {
			r := w.newRequest(c, nil, fbody)
			r.Send = call
			return r
		}
		return nil
	}
	v := w.varOf(arg)
	if v == nil || fbody == nil {
		return nil
	}
	// the last NewRequest assigned to v before the send
	var newCall *ast.CallExpr
	ast.Inspect(fbody, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || as.Pos() > call.Pos() || len(as.Rhs) != 1 {
			return true
		}
		if w.varOf(as.Lhs[0]) != v {
			return true
		}
		if c, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr); ok {
			if fn := match.Callee(info, c); fn != nil && isNewRequest(fn) {
				newCall = c
				return true
			}
		}
		newCall = nil // built some other way
		return true
	})
	if newCall == nil {
		return nil
	}
	r := w.newRequest(newCall, v, fbody)
	r.Send = call
	return r
}

// newRequest models a NewRequest call, assigned to v when v is not nil.
func (w *walker) newRequest(call *ast.CallExpr, v *types.Var, fbody *ast.BlockStmt) *Request {
	info := w.m.info()
	fn := match.Callee(info, call)
	r := &Request{New: call, Var: v, Headers: map[string]ast.Expr{}}
	r.InRetry = call.Pos() >= w.l.Body.Pos() && call.Pos() < w.l.Body.End()
	r.Retryable = fn.Pkg().Path() == retryablehttpPath
	args := call.Args
	if strings.HasSuffix(fn.Name(), "WithContext") && len(args) > 0 {
		args = args[1:]
	}
	if len(args) >= 3 {
		r.URL = args[1]
		if cv := w.m.constValue(args[0]); cv != nil && cv.Kind() == constant.String {
			r.Method = strings.ToUpper(constant.StringVal(cv))
		}
		if !isNil(info, args[2]) && !isNoBody(info, args[2]) {
			r.Body = args[2]
			r.Reader = w.outsideReader(args[2], fbody)
		}
	}
	if v == nil {
		return r
	}
	// headers set on v, and whether the body is restored per attempt
	ast.Inspect(fbody, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if h, ok := sel.X.(*ast.SelectorExpr); ok && h.Sel.Name == "Header" && w.varOf(h.X) == v {
					switch sel.Sel.Name {
					case "Set", "Add":
						if len(n.Args) == 2 {
							if cv := w.m.constValue(n.Args[0]); cv != nil && cv.Kind() == constant.String {
								r.Headers[http.CanonicalHeaderKey(constant.StringVal(cv))] = n.Args[1]
							} else {
								r.HeadersOpaque = true
							}
						}
					}
					return true
				}
			}
			for _, a := range n.Args {
				if w.varOf(a) == v && n != r.Send && !isSendOf(info, n) {
					r.HeadersOpaque = true // passed to a helper that may set headers
				}
			}
		case *ast.SelectorExpr:
			if w.varOf(n.X) == v {
				switch n.Sel.Name {
				case "GetBody":
					r.Rewound = true
				}
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				sel, ok := lhs.(*ast.SelectorExpr)
				if !ok || w.varOf(sel.X) != v {
					if ix, ok := lhs.(*ast.IndexExpr); ok {
						if h, ok := ix.X.(*ast.SelectorExpr); ok && h.Sel.Name == "Header" && w.varOf(h.X) == v {
							if cv := w.m.constValue(ix.Index); cv != nil && cv.Kind() == constant.String && len(n.Rhs) == 1 {
								r.Headers[http.CanonicalHeaderKey(constant.StringVal(cv))] = n.Rhs[0]
							} else {
								r.HeadersOpaque = true
							}
						}
					}
					continue
				}
				switch sel.Sel.Name {
				case "Header":
					r.HeadersOpaque = true
				case "Body":
					if n.Pos() >= w.l.Body.Pos() && n.Pos() < w.l.Body.End() {
						r.Rewound = true
					}
				}
			}
			for _, rhs := range n.Rhs {
				if sel, ok := ast.Unparen(rhs).(*ast.SelectorExpr); ok && sel.Sel.Name == "Header" && w.varOf(sel.X) == v {
					r.HeadersOpaque = true // h := req.Header; h.Set(...)
				}
			}
		}
		return true
	})
	return r
}

func isSendOf(info *types.Info, call *ast.CallExpr) bool {
	fn := match.Callee(info, call)
	return fn != nil && fn.Name() == "Do"
}

func isNoBody(info *types.Info, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "NoBody" {
		return false
	}
	v, ok := info.Uses[sel.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "net/http"
}

// outsideReader reports whether e names an in-memory reader built outside
// the retry and not rewound inside it: the first attempt drains it.
func (w *walker) outsideReader(e ast.Expr, fbody *ast.BlockStmt) bool {
	v := w.varOf(e)
	if v == nil || fbody == nil {
		return false
	}
	body := w.l.Body
	if v.Pos() >= body.Pos() && v.Pos() < body.End() {
		return false
	}
	info := w.m.info()
	built, other := false, false
	ast.Inspect(fbody, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if w.varOf(lhs) != v {
					continue
				}
				if n.Pos() >= body.Pos() && n.Pos() < body.End() || len(n.Rhs) != len(n.Lhs) {
					other = true
					continue
				}
				if isReaderCtor(info, n.Rhs[i]) {
					built = true
				} else {
					other = true
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && w.varOf(sel.X) == v && n.Pos() >= body.Pos() && n.Pos() < body.End() {
				switch sel.Sel.Name {
				case "Seek", "Reset":
					other = true
				}
			}
		}
		return true
	})
	return built && !other
}

func isReaderCtor(info *types.Info, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := match.Callee(info, e)
		return match.IsFunc(fn, "bytes", "NewReader", "NewBuffer", "NewBufferString") ||
			match.IsFunc(fn, "strings", "NewReader")
	case *ast.UnaryExpr:
		if cl, ok := e.X.(*ast.CompositeLit); ok && e.Op == token.AND {
			return match.IsNamed(info.TypeOf(cl), "bytes", "Buffer")
		}
	}
	return false
}

// keys records values that are fresh on every attempt.
func (w *walker) keys() {
	w.l.Keys = map[*types.Var]ast.Expr{}
	info := w.m.info()
	ast.Inspect(w.l.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, lhs := range as.Lhs {
			v := w.varOf(lhs)
			if v == nil {
				continue
			}
			if g := w.l.fresh(info, as.Rhs[i]); g != nil {
				w.l.Keys[v] = g
			}
		}
		return true
	})
}

// Fresh returns the part of e that differs on every attempt of l (a uuid,
// random or clock value, the attempt counter), or nil.
func (l *Loop) Fresh(info *types.Info, e ast.Expr) ast.Expr { return l.fresh(info, e) }

func (l *Loop) fresh(info *types.Info, e ast.Expr) ast.Expr {
	var g ast.Expr
	ast.Inspect(e, func(n ast.Node) bool {
		if g != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			fn := match.Callee(info, n)
			if fn != nil && fn.Pkg() != nil && (keyPkgs[fn.Pkg().Path()] || match.IsFunc(fn, "time", "Now") ||
				match.IsFunc(fn, RuntimeRetry, "NewKey")) {
				g = n
			}
		case *ast.Ident:
			if v, ok := info.Uses[n].(*types.Var); ok {
				if v == l.Counter && l.Counter != nil {
					g = n
				} else if k := l.Keys[v]; k != nil {
					g = n
				}
			}
		}
		return true
	})
	return g
}

// exitsOnOutcome reports whether a branch leaves the loop because of the
// attempt's outcome, not because a wait was cancelled or attempts ran out.
func (w *walker) exitsOnOutcome(b *ast.BlockStmt) bool {
	found := false
	w.walk(b, wctx{}, func(n ast.Node, c wctx) {
		if !w.isExit(n, c) {
			return
		}
		for _, g := range c.guards {
			if g.sel || g.cond != nil && w.classify(g.cond) != BoundNone {
				return
			}
		}
		found = true
	})
	return found
}
