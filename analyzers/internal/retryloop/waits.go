package retryloop

// The waits between attempts: which call or receive waits, whether its
// duration is constant, grows or is randomised, and whether it ends with ctx.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"time"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// isCtxDone matches a receive from X.Done() of a context.
func (w *walker) isCtxDone(s ast.Stmt) bool { return match.DoneRecv(w.m.info(), s) }

func (w *walker) isTimerRecv(s ast.Stmt) bool {
	ch := match.Received(s)
	if call, ok := ch.(*ast.CallExpr); ok {
		return match.IsFunc(match.Callee(w.m.info(), call), "time", "After")
	}
	if sel, ok := ch.(*ast.SelectorExpr); ok && sel.Sel.Name == "C" {
		return match.IsNamed(w.m.info().TypeOf(sel.X), "time", "Timer")
	}
	return false
}

// drainsStopped reports whether a statement runs under !t.Stop(): it
// drains a timer that fired before it could be stopped.
func drainsStopped(c wctx) bool {
	for _, g := range c.guards {
		u, ok := g.cond.(*ast.UnaryExpr)
		if !ok || g.neg || u.Op != token.NOT {
			continue
		}
		if call, ok := ast.Unparen(u.X).(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Stop" {
				return true
			}
		}
	}
	return false
}

// isWaitCall reports whether call waits between attempts.
func (w *walker) isWaitCall(call *ast.CallExpr) bool {
	return match.WaitOf(match.Callee(w.m.info(), call)) != match.NotWait
}

// calledField returns the function-valued field a call goes through
// (c.sleep(d)), or nil.
func (w *walker) calledField(call *ast.CallExpr) *types.Var {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	v, ok := w.m.info().Uses[sel.Sel].(*types.Var)
	if !ok || !v.IsField() {
		return nil
	}
	return v
}

// waitsOf returns the waits between attempts.
func (w *walker) waitsOf(fbody *ast.BlockStmt) []*Wait {
	info := w.m.info()
	var waits []*Wait
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
					markCalls(wt.Node, seen) // <-time.After(c.delayFor(n)): the argument is part of it
					wt.CtxAware = cases > 1
					seen[wt.Node] = true
					waits = append(waits, wt)
				}
			}
		case *ast.ExprStmt:
			if w.isTimerRecv(n) {
				if drainsStopped(c) {
					return // if !t.Stop() { <-t.C }: the timer fired already, nothing waits
				}
				if wt := w.timerWait(n); !seen[wt.Node] {
					markCalls(wt.Node, seen)
					wt.CtxAware = false // a bare receive: nothing else wakes it
					seen[wt.Node] = true
					waits = append(waits, wt)
				}
				return
			}
			call, ok := ast.Unparen(n.X).(*ast.CallExpr)
			if ok && match.WaitOf(match.Callee(info, call)) == match.Sleep && len(call.Args) == 1 {
				markCalls(call, seen) // time.Sleep(c.backoff(n)): the argument is part of the wait
				waits = append(waits, &Wait{Node: call, Dur: call.Args[0], Sleep: n, Kind: w.durKind(call.Args[0], fbody)})
			}
		case *ast.CallExpr:
			if seen[n] {
				return
			}
			defer markCalls(n, seen) // a wait's arguments (retry.Backoff(...)) are part of it
			fn := match.Callee(info, n)
			switch {
			case fn == nil && w.judges(n):
				// client.RetryFunc(ctx, err, n): a policy the user supplies,
				// given the failure; it decides, and may wait, before the next
				waits = append(waits, &Wait{Node: n, Kind: WaitUnknown, CtxAware: true})
			case fn == nil:
				// a call through a function-valued field: c.sleep(d), where
				// the package sets the field to time.Sleep, sleeps blind
				fld := w.calledField(n)
				switch {
				case fld == nil:
				case w.m.sums.fieldSleeps(fld):
					wt := &Wait{Node: n, Kind: WaitUnknown, Helper: true}
					if len(n.Args) == 1 {
						wt.Dur, wt.Kind = n.Args[0], w.durKind(n.Args[0], fbody)
					}
					waits = append(waits, wt)
				case match.WaitOf(fld) != match.NotWait:
					// a wait of its own making the package does not show: trust it
					waits = append(waits, &Wait{Node: n, Kind: WaitUnknown, CtxAware: true})
				}
			case match.IsFunc(fn, "time", "Sleep") && len(n.Args) == 1:
				// a Sleep inside an expression (rare): ignores ctx like any other
				waits = append(waits, &Wait{Node: n, Dur: n.Args[0], Kind: w.durKind(n.Args[0], fbody)})
			case match.IsFunc(fn, "time", "After"):
				// a receive handled above; anything else uses the channel elsewhere
				if !seen[n] {
					waits = append(waits, &Wait{Node: n, Dur: n.Args[0], Kind: w.durKind(n.Args[0], fbody), CtxAware: true})
				}
			case match.IsFunc(fn, "time", "NewTimer", "AfterFunc") || match.IsMethod(fn, "time", "Timer", "Reset"):
				waits = append(waits, &Wait{Node: n, Dur: n.Args[0], Kind: w.durKind(n.Args[0], fbody), CtxAware: true})
			case match.IsFunc(fn, RuntimeRetry, "Wait") && len(n.Args) == 2:
				waits = append(waits, &Wait{Node: n, Dur: n.Args[1], Kind: w.durKind(n.Args[1], fbody), CtxAware: true})
			case match.IsMethod(fn, "golang.org/x/time/rate", "Limiter", "Wait", "WaitN"):
				waits = append(waits, &Wait{Node: n, Kind: WaitUnknown, CtxAware: true, Pacing: true})
			case fn.Name() == "NextBackOff":
				waits = append(waits, &Wait{Node: n, Kind: WaitJittered, CtxAware: true})
			case !w.isAttempt(n) && !w.recur[n] && w.waitsHelper(n) && !w.isWaitCall(n):
				// c.hold(ctx, n): a helper of the package that waits, whatever its name
				blind := w.m.sums.Of(fn).BlindWait() && !w.m.shortSleeper(fn)
				waits = append(waits, &Wait{Node: n, Kind: WaitUnknown, CtxAware: !blind, Helper: blind})
			case w.isWaitCall(n):
				// a wait of its own making: trust it to honour cancellation,
				// unless it is ours to see and sleeps blind
				// (an interface's: through the package's implementations)
				sum := Summary{}
				if fn.Pkg() == w.m.pass.Pkg {
					sum = w.m.sums.Of(fn)
				}
				kind := WaitUnknown
				if sum.WaitKind == WaitGrowing || sum.WaitKind == WaitJittered {
					kind = sum.WaitKind // a constant has no duration here to name
				}
				blind := sum.BlindWait() && !w.m.shortSleeper(fn)
				waits = append(waits, &Wait{Node: n, Kind: kind, CtxAware: !blind, Helper: blind})
			}
		}
	})
	return w.mergeTimer(waits)
}

// mergeTimer folds a receive from a timer's C into the one NewTimer or
// Reset of the retry that set its duration: one wait, with the duration's
// kind and the receive's watch on the context.
func (w *walker) mergeTimer(waits []*Wait) []*Wait {
	var set, recv *Wait
	for _, wt := range waits {
		switch n := wt.Node.(type) {
		case *ast.CallExpr:
			fn := match.Callee(w.m.info(), n)
			if match.IsFunc(fn, "time", "NewTimer") || match.IsMethod(fn, "time", "Timer", "Reset") {
				if set != nil {
					return waits
				}
				set = wt
			}
		case *ast.UnaryExpr:
			if recv != nil {
				return waits
			}
			recv = wt
		}
	}
	if set == nil || recv == nil {
		return waits
	}
	set.CtxAware = recv.CtxAware
	return slices.DeleteFunc(waits, func(wt *Wait) bool { return wt == recv })
}

// markCalls marks the calls inside a wait as part of it.
func markCalls(n ast.Node, seen map[ast.Node]bool) {
	ast.Inspect(n, func(x ast.Node) bool {
		if c, ok := x.(*ast.CallExpr); ok {
			seen[c] = true
		}
		return true
	})
}

// waitsHelper reports whether call is of a function of the package that
// waits (c.hold(ctx, n)): after an attempt, it is the wait before the next.
func (w *walker) waitsHelper(call *ast.CallExpr) bool {
	fn := match.Callee(w.m.info(), call)
	return fn != nil && fn.Pkg() == w.m.pass.Pkg && w.m.sums.Of(fn).Waits
}

// isAttempt reports whether call is one of the retry's attempt calls.
func (w *walker) isAttempt(call *ast.CallExpr) bool {
	for _, c := range w.errs {
		if c == call {
			return true
		}
	}
	return false
}

func (w *walker) timerWait(s ast.Stmt) *Wait {
	u := match.Recv(s) // a timer receive, as isTimerRecv found
	if call, ok := ast.Unparen(u.X).(*ast.CallExpr); ok && len(call.Args) == 1 {
		return &Wait{Node: call, Dur: call.Args[0], Kind: w.durKind(call.Args[0], w.fbody)}
	}
	// <-timer.C: the duration was given to NewTimer or Reset, recorded there
	return &Wait{Node: u, Kind: WaitUnknown, CtxAware: true}
}

func isRandPkg(p string) bool {
	return p == "math/rand" || p == "math/rand/v2"
}

// durKind classifies a duration expression.
func (w *walker) durKind(e ast.Expr, fbody *ast.BlockStmt) WaitKind {
	return w.exprKind(e, fbody).wait()
}

// exprKind classifies a duration expression: a field or parameter in it
// is a configured scale, which keeps math.Pow(2, n) * c.base growing.
func (w *walker) exprKind(e ast.Expr, fbody *ast.BlockStmt) dkind {
	info := w.m.info()
	if w.m.constValue(e) != nil {
		return dConst
	}
	kind := dConst
	worse := func(k dkind) { kind = join(kind, k) }
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if tv, ok := info.Types[n.Fun]; ok && tv.IsType() {
				return true // a conversion
			}
			fn := match.Callee(info, n)
			switch {
			case fn != nil && fn.Pkg() != nil && isRandPkg(fn.Pkg().Path()):
				worse(dJitter)
			case fn != nil && strings.Contains(strings.ToLower(fn.Name()), "jitter"):
				worse(dJitter)
			case match.IsFunc(fn, RuntimeRetry, "Backoff"):
				worse(dJitter)
			case match.IsFunc(fn, "math", "Pow", "Exp2"):
				worse(dGrow)
			case isBuiltin(info, n.Fun, "min", "max"):
			case fn != nil && fn.Pkg() == w.m.pass.Pkg:
				worse(w.m.sums.Of(fn).Delay.dkind()) // c.backoff(n) computed here
				return false
			case fn == nil && w.calledField(n) != nil:
				worse(w.m.sums.fieldDelay(w.calledField(n)).dkind()) // c.backoffFunc(n)
				return false
			default:
				worse(dUnknown)
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
				worse(dScale) // a field: configured elsewhere
			}
			return false
		case *ast.BinaryExpr:
			if n.Op == token.SHL {
				if w.m.constValue(n.Y) == nil {
					worse(dGrow)
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
func (w *walker) varKind(v *types.Var, fbody *ast.BlockStmt) dkind {
	if w.counters[v] {
		return dGrow
	}
	if fbody == nil || v.Pos() < fbody.Pos() || v.Pos() >= fbody.End() {
		return dScale // a parameter, a package variable: configured
	}
	// d = next(d) mentions d in its own value: its kind is unknown there
	if w.classifying[v] {
		return dUnknown
	}
	if w.classifying == nil {
		w.classifying = map[*types.Var]bool{}
	}
	w.classifying[v] = true
	defer delete(w.classifying, v)
	info := w.m.info()
	kind := dConst
	worse := func(k dkind) { kind = join(kind, k) }
	assigned := false
	for _, a := range assignsOf(info, fbody, v) {
		assigned = true
		inLoop := a.stmt.Pos() >= w.l.Body.Pos() && a.stmt.Pos() < w.l.Body.End()
		if a.rhs == nil {
			worse(dUnknown)
			continue
		}
		opAssign := a.stmt.Tok != token.DEFINE && a.stmt.Tok != token.ASSIGN
		switch {
		case mentionsRand(info, a.rhs):
			worse(dJitter)
		case opaqueCall(info, a.rhs):
			worse(w.exprKind(a.rhs, fbody)) // computed elsewhere: boff.Duration(), or a package function
		case inLoop && (opAssign || match.Mentions(info, a.rhs, v)):
			worse(dGrow) // d *= 2, d = d * 2
		case opAssign:
			worse(dUnknown) // stepped outside the loop
		default:
			worse(w.exprKind(a.rhs, fbody)) // d := time.Duration(math.Pow(2, n)) * c.base; d = c.max
		}
	}
	ast.Inspect(fbody, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.Defs[name] == v {
					assigned = true
					if i < len(n.Values) && w.m.constValue(n.Values[i]) == nil {
						worse(dUnknown)
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && varOf(info, n.X) == v {
				worse(dUnknown)
			}
		}
		return true
	})
	if !assigned {
		return dUnknown
	}
	return kind
}

// opaqueCall reports whether e calls anything but a conversion, min, max or
// math.Pow: its value is computed where this model does not look.
func opaqueCall(info *types.Info, e ast.Expr) bool {
	return match.Any(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return false
		}
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
			return false
		}
		return !isBuiltin(info, call.Fun, "min", "max") && !match.IsFunc(match.Callee(info, call), "math", "Pow", "Exp2")
	})
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
	return match.Any(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return false
		}
		fn := match.Callee(info, call)
		return fn != nil && fn.Pkg() != nil && isRandPkg(fn.Pkg().Path()) ||
			fn != nil && strings.Contains(strings.ToLower(fn.Name()), "jitter")
	})
}

// shortWait is the longest sleep a helper may make blind: cancellation is
// then noticed a moment later, at the next attempt's own check.
const shortWait = time.Second

// shortSleeper reports whether fn, a function of the package, sleeps only
// a short time: each time.Sleep in it takes a constant of at most shortWait,
// or a variable it clamps to one (if d > max { d = max }, d = min(d, max)).
func (m *model) shortSleeper(fn *types.Func) bool {
	if fn == nil || fn.Pkg() != m.pass.Pkg {
		return false
	}
	info := m.info()
	var short func(e ast.Expr) bool
	short = func(e ast.Expr) bool {
		if init := m.settledVar(e); init != nil {
			return short(init) // var maxBackoff = 100 * time.Millisecond
		}
		v := m.constValue(e)
		if v == nil || v.Kind() != constant.Int {
			return false
		}
		d, ok := constant.Int64Val(v)
		return ok && time.Duration(d) <= shortWait
	}
	for _, f := range m.pass.Files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil || info.Defs[fd.Name] != fn {
				continue
			}
			sleeps, clamped := 0, 0
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || !match.IsFunc(match.Callee(info, call), "time", "Sleep") || len(call.Args) != 1 {
					return true
				}
				sleeps++
				arg := call.Args[0]
				v := varOf(info, arg)
				if short(arg) || v != nil && clampsTo(info, fd.Body, v, short) {
					clamped++
				}
				return true
			})
			return sleeps > 0 && clamped == sleeps
		}
	}
	return false
}

// settledVar returns the initial value of the package variable e names
// when no file of the package but tests assigns it (a constant kept in a
// variable so that tests can shorten it), and nil otherwise.
func (m *model) settledVar(e ast.Expr) ast.Expr {
	info := m.info()
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return nil
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.Parent() != m.pass.Pkg.Scope() {
		return nil
	}
	var init ast.Expr
	for _, f := range m.pass.Files {
		if match.IsTestFile(m.pass, f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if info.Defs[name] == v && i < len(n.Values) {
						init = n.Values[i]
					}
				}
			case *ast.AssignStmt:
				for _, lhs := range n.Lhs {
					if varOf(info, lhs) == v {
						init, v = nil, nil // assigned: not settled
					}
				}
			}
			return v != nil
		})
		if v == nil {
			return nil
		}
	}
	return init
}

// clampsTo reports whether body clamps v to a value short accepts:
// if v > c { v = c }, or v = min(v, c).
func clampsTo(info *types.Info, body *ast.BlockStmt, v *types.Var, short func(ast.Expr) bool) bool {
	return match.Any(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt:
			b, ok := n.Cond.(*ast.BinaryExpr)
			if !ok || (b.Op != token.GTR && b.Op != token.GEQ) || varOf(info, b.X) != v || !short(b.Y) || len(n.Body.List) != 1 {
				return false
			}
			as, ok := n.Body.List[0].(*ast.AssignStmt)
			return ok && len(as.Lhs) == 1 && varOf(info, as.Lhs[0]) == v && short(as.Rhs[0])
		case *ast.AssignStmt:
			if len(n.Lhs) != 1 || len(n.Rhs) != 1 || varOf(info, n.Lhs[0]) != v {
				return false
			}
			call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr)
			return ok && isBuiltin(info, call.Fun, "min") && slices.ContainsFunc(call.Args, short)
		}
		return false
	})
}
