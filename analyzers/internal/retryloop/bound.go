package retryloop

// The bound: what ends a retry whose attempts keep failing.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// boundOf classifies what ends the loop when attempts keep failing.
func (w *walker) boundOf() Bound {
	l := w.l
	if f, ok := l.Stmt.(*ast.ForStmt); ok && f.Cond != nil {
		if v := w.m.constValue(f.Cond); v == nil || constant.BoolVal(v) == false {
			if b := w.classify(f.Cond); b != BoundNone {
				return b
			}
			return BoundOther
		}
	}
	bound := BoundNone
	w.walk(l.Body, wctx{}, func(n ast.Node, c wctx) {
		if bound != BoundNone {
			return
		}
		// "continue only while attemptsLeft > 0": a guarded next attempt
		if w.restarts(n, c) {
			for _, g := range c.guards {
				if g.cond != nil && !g.neg {
					if k := w.classify(g.cond); k != BoundNone && k != BoundOther {
						bound = k
					}
				}
			}
			return
		}
		if !w.isExit(n, c) || w.sideStepFailure(c) {
			return
		}
		for _, g := range c.guards {
			switch {
			case g.sel && g.comm != nil:
				if w.isCtxDone(g.comm) {
					bound = BoundContext
				} else if !w.isTimerRecv(g.comm) {
					bound = BoundOther
				}
			case g.cond != nil:
				if b := w.classify(g.cond); b != BoundNone {
					bound = b
				}
			}
		}
	})
	if bound == BoundNone {
		bound = w.doneFallsToExit()
	}
	return bound
}

// doneFallsToExit finds select { ...; case <-ctx.Done(): log } followed by
// an exit of the loop: the cancelled context leaves the select without
// another attempt, into the exit.
func (w *walker) doneFallsToExit() Bound {
	list := w.l.Body.List
	for i, s := range list[:max(len(list)-1, 0)] {
		sel, ok := s.(*ast.SelectStmt)
		if !ok || !w.isExit(list[i+1], wctx{top: true}) {
			continue
		}
		for _, cl := range sel.Body.List {
			cc := cl.(*ast.CommClause)
			if cc.Comm != nil && w.isCtxDone(cc.Comm) && !w.containsContinue(&ast.BlockStmt{List: cc.Body}, wctx{}) {
				return BoundContext
			}
		}
	}
	return BoundNone
}

// classify says which bound a condition expresses, BoundNone when it only
// classifies the attempt's outcome.
func (w *walker) classify(cond ast.Expr) Bound {
	info := w.m.info()
	b := BoundNone
	rank := func(x Bound) {
		if x != BoundNone && (b == BoundNone || x < b) {
			b = x
		}
	}
	ast.Inspect(cond, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if w.steps[types.ExprString(n)] {
				rank(BoundAttempts) // state.retries < max, !state.reauthed
				return false
			}
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
			if statusSel(info, n) || w.outcomeErr(n) != nil {
				return false // the attempt's outcome, not a bound
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
				case w.flag(obj):
					rank(w.flagBound(obj)) // shouldRetry: what the branches that set it test
				case w.verdicts[obj] != nil:
					if k, ok := w.callBound(w.verdicts[obj]); ok {
						rank(k) // again, delay := out.classify(n): what classify tests
					} else {
						rank(BoundOther)
					}
				default:
					rank(BoundOther)
				}
			}
		case *ast.CallExpr:
			if k, ok := w.callBound(n); ok {
				rank(k) // a helper of the package: what its branches test
				return false
			}
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

// sideStepFailure reports an exit taken because a call made under a
// condition failed (a debug dump of the request under "if c.debug != nil"):
// it leaves on an error, so the condition above it does not bound the
// retries.
func (w *walker) sideStepFailure(c wctx) bool {
	for i, g := range c.guards {
		if i == 0 || g.cond == nil || g.neg {
			continue
		}
		v := w.errCompare(ast.Unparen(g.cond), token.NEQ)
		if v == nil {
			continue
		}
		if outer := c.guards[i-1].cond; outer != nil && v.Pos() > outer.End() {
			return true // the failing call runs only under the outer condition
		}
	}
	return false
}
