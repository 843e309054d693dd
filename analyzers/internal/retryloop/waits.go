package retryloop

// The waits between attempts: which call or receive waits, whether its
// duration is constant, grows or is randomised, and whether it ends with ctx.

import (
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"strings"

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
					wt.CtxAware = cases > 1
					seen[wt.Node] = true
					waits = append(waits, wt)
				}
			}
		case *ast.ExprStmt:
			if w.isTimerRecv(n) {
				if wt := w.timerWait(n); !seen[wt.Node] {
					wt.CtxAware = false // a bare receive: nothing else wakes it
					seen[wt.Node] = true
					waits = append(waits, wt)
				}
				return
			}
			call, ok := ast.Unparen(n.X).(*ast.CallExpr)
			if ok && match.IsFunc(match.Callee(info, call), "time", "Sleep") && len(call.Args) == 1 {
				seen[call] = true
				waits = append(waits, &Wait{Node: call, Dur: call.Args[0], Sleep: n, Kind: w.durKind(call.Args[0], fbody)})
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
			case fn == nil && w.judges(n):
				// client.RetryFunc(ctx, err, n): a policy the user supplies,
				// given the failure; it decides, and may wait, before the next
				waits = append(waits, &Wait{Node: n, Kind: WaitUnknown, CtxAware: true})
			case fn == nil:
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
			case fn.Name() == "NextBackOff":
				waits = append(waits, &Wait{Node: n, Kind: WaitJittered, CtxAware: true})
			case !w.isAttempt(n) && !w.recur[n] && w.waitsHelper(n) && !w.isWaitCall(n):
				// c.hold(ctx, n): a helper of the package that waits, whatever its name
				blind := w.m.sums.Of(fn).BlindWait()
				waits = append(waits, &Wait{Node: n, Kind: WaitUnknown, CtxAware: !blind, Helper: blind})
			case w.isWaitCall(n):
				// a wait of its own making: trust it to honour cancellation,
				// unless it is ours to see and sleeps blind
				blind := fn.Pkg() == w.m.pass.Pkg && w.m.sums.Of(fn).BlindWait()
				waits = append(waits, &Wait{Node: n, Kind: WaitUnknown, CtxAware: !blind, Helper: blind})
			}
		}
	})
	return waits
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
				case inLoop && (opAssign || match.Mentions(info, rhs, v)):
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
