package retryloop

// Verdicts: a retry's exit decided by the attempt's status or by a helper
// of the package given its outcome (if !s.retryable(req, res) { break };
// again, delay := out.classify(cfg, n)), and what bounds such a verdict.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// retryName and stopName match the verdicts whose names say what true
// means: go round again, or stop.
var (
	retryName = regexp.MustCompile(`(?i)retr|again|transient|temporar|recoverable|throttl`)
	stopName  = regexp.MustCompile(`(?i)^(is|should)?(done|ok|success|succeeded|complete|final|permanent|fatal|stop|giveup)`)
)

// noteStep records a field stepped or flagged by as: state.retries += 1,
// state.retries = state.retries + 1, state.reauthed = true.
func (w *walker) noteStep(as *ast.AssignStmt) {
	for i, lhs := range as.Lhs {
		sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
		if !ok {
			continue
		}
		name := types.ExprString(sel)
		switch {
		case isStep(as):
			w.steps[name] = true
		case len(as.Rhs) == len(as.Lhs) && as.Tok == token.ASSIGN:
			rhs := as.Rhs[i]
			if v := w.m.constValue(rhs); v != nil && v.Kind() == constant.Bool {
				w.steps[name] = true
			} else if b, ok := ast.Unparen(rhs).(*ast.BinaryExpr); ok && (b.Op == token.ADD || b.Op == token.SUB) &&
				types.ExprString(b.X) == name && w.m.constValue(b.Y) != nil {
				w.steps[name] = true
			}
		}
	}
}

// noteDerived records the variables as computes from the attempt's
// outcome, and those a call of a package function returns.
func (w *walker) noteDerived(as *ast.AssignStmt) {
	if len(as.Rhs) != 1 {
		return
	}
	rhs := ast.Unparen(as.Rhs[0])
	outcome := w.mentionsOutcome(rhs)
	var call *ast.CallExpr
	if c, ok := rhs.(*ast.CallExpr); ok {
		if fn := match.Callee(w.m.info(), c); fn != nil && fn.Pkg() == w.m.pass.Pkg {
			call = c
		}
	}
	for _, lhs := range as.Lhs {
		v := w.varOf(lhs)
		if v == nil {
			continue
		}
		if outcome {
			w.derived[v] = true
		}
		if call != nil {
			w.verdicts[v] = call
		}
	}
}

// judges reports whether a fallible call is given the attempt's error: it
// judges the failure (a retry policy, a wrapper), it is not another attempt.
func (w *walker) judges(call *ast.CallExpr) bool {
	for _, a := range call.Args {
		if match.Any(a, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return false
			}
			v, ok := w.m.info().Uses[id].(*types.Var)
			return ok && w.errs[v] != nil
		}) {
			return true
		}
	}
	return false
}

// goodOutcome reports whether an exit guarded by cond (neg: by its else
// branch) is taken when the attempt is done: its response's status is 200,
// or a verdict on its outcome says not to go round again.
func (w *walker) goodOutcome(cond ast.Expr, neg bool) bool {
	info := w.m.info()
	if mentionsStatus(info, cond) && w.mentionsAttempt(cond) {
		switch evalStatus(info, cond, 200) {
		case tTrue:
			return !neg
		case tFalse:
			return neg
		}
		return false
	}
	ok, retryWhenTrue := w.decision(cond)
	return ok && !neg != retryWhenTrue
}

// decision reports whether e is a verdict on the attempt's outcome, and
// whether e holds when the verdict is to go round again.
func (w *walker) decision(e ast.Expr) (ok, retryWhenTrue bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			ok, r := w.decision(e.X)
			return ok, !r
		}
	case *ast.CallExpr:
		fn := match.Callee(w.m.info(), e)
		if fn == nil || !w.mentionsOutcome(e) {
			return false, false
		}
		return w.named(fn.Name(), fn)
	case *ast.Ident:
		v, isVar := w.m.info().Uses[e].(*types.Var)
		if isVar && w.flag(v) {
			return w.named(v.Name(), nil)
		}
		if !isVar || w.verdicts[v] == nil || !w.mentionsOutcome(w.verdicts[v]) {
			return false, false
		}
		if ok, r := w.named(v.Name(), nil); ok {
			return ok, r
		}
		return w.named("", match.Callee(w.m.info(), w.verdicts[v]))
	}
	return false, false
}

// flag reports whether v is a verdict flag of the body: a bool declared in
// it, named for what true means (shouldRetry), set to true or false only.
func (w *walker) flag(v *types.Var) bool {
	if w.verdicts[v] != nil || !isBool(v.Type()) || v.Pos() < w.l.Body.Pos() || v.Pos() >= w.l.Body.End() {
		return false
	}
	if ok, _ := w.named(v.Name(), nil); !ok {
		return false
	}
	constOnly := true
	ast.Inspect(w.l.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if w.varOf(lhs) == v && (len(n.Rhs) != len(n.Lhs) || w.m.constValue(n.Rhs[i]) == nil) {
					constOnly = false
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if w.m.info().Defs[name] == v && i < len(n.Values) && w.m.constValue(n.Values[i]) == nil {
					constOnly = false
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && w.varOf(n.X) == v {
				constOnly = false
			}
		}
		return constOnly
	})
	return constOnly
}

// flagBound says which bound the branches that set the flag v express.
func (w *walker) flagBound(v *types.Var) Bound {
	if w.flagging[v] {
		return BoundOther // flags set under each other: do not chase the cycle
	}
	if w.flagging == nil {
		w.flagging = map[*types.Var]bool{}
	}
	w.flagging[v] = true
	defer delete(w.flagging, v)
	b := BoundNone
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		as, ok := n.(*ast.AssignStmt)
		if !ok || !slices.ContainsFunc(as.Lhs, func(e ast.Expr) bool { return w.varOf(e) == v }) {
			return
		}
		for _, g := range c.guards {
			if g.cond == nil || match.Mentions(w.m.info(), g.cond, v) {
				continue
			}
			if k := w.classify(g.cond); k != BoundNone && (b == BoundNone || k < b) {
				b = k
			}
		}
	})
	return b
}

// named reads a verdict's meaning from its name, or from its results: a
// bool and a delay say whether and when to go round again.
func (w *walker) named(name string, fn *types.Func) (ok, retryWhenTrue bool) {
	switch {
	case name != "" && stopName.MatchString(name):
		return true, false
	case name != "" && retryName.MatchString(name):
		return true, true
	case fn != nil:
		res := fn.Type().(*types.Signature).Results()
		if res.Len() == 2 && isBool(res.At(0).Type()) && match.IsNamed(res.At(1).Type(), "time", "Duration") {
			return true, true
		}
	}
	return false, false
}

func isBool(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsBoolean != 0
}

// againAfter reports whether the retry can still go round after the exit n
// is not taken: a restart follows it, or, in a for loop, nothing after its
// statement leaves unconditionally.
func (w *walker) againAfter(n ast.Node) bool {
	list := w.l.Body.List
	idx := -1
	for i, s := range list {
		if s.Pos() <= n.Pos() && n.End() <= s.End() {
			idx = i
		}
	}
	if idx < 0 {
		return false
	}
	restart := false
	w.walk(w.l.Body, wctx{}, func(x ast.Node, c wctx) {
		if x.Pos() > n.Pos() && w.restarts(x, c) {
			restart = true
		}
	})
	if restart {
		return true
	}
	switch w.l.Stmt.(type) {
	case *ast.ForStmt, *ast.RangeStmt:
	default:
		return false // a goto or recursive retry goes round only by its restart
	}
	for _, s := range list[idx+1:] {
		if w.isExit(s, wctx{top: true}) {
			return false
		}
	}
	return true
}

// restartsOnAttempt reports whether s holds a restart taken under a
// condition on the attempt's outcome.
func (w *walker) restartsOnAttempt(s ast.Stmt) bool {
	found := false
	w.walk(s, wctx{}, func(n ast.Node, c wctx) {
		if found || !w.restarts(n, c) {
			return
		}
		for _, g := range c.guards {
			if g.cond == nil || g.neg && mentionsStatus(w.m.info(), g.cond) || w.okStatus(g.cond) {
				continue
			}
			if ok, _ := w.decision(g.cond); ok || w.mentionsAttempt(g.cond) {
				found = true // not on its results alone: that is a poll for a state
			}
		}
	})
	return found
}

// judgedInside reports whether every restart in a status branch is taken
// only under a further verdict on the outcome (else if isRetryable(err)):
// the status alone does not send the attempt round again.
func (w *walker) judgedInside(body *ast.BlockStmt) bool {
	restarts, judged := 0, 0
	w.walk(body, wctx{}, func(n ast.Node, c wctx) {
		if !w.restarts(n, c) {
			return
		}
		restarts++
		for _, g := range c.guards {
			if g.cond == nil {
				continue
			}
			if ok, _ := w.decision(g.cond); ok || w.mentionsOutcome(g.cond) {
				judged++
				return
			}
		}
	})
	return restarts > 0 && judged == restarts
}

// failures are the statuses of a failed attempt.
var failures = []int{400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504}

// okStatus reports whether cond holds for no failure status: a branch
// taken on a redirect or an accepted-and-pending answer, not on a failure.
func (w *walker) okStatus(cond ast.Expr) bool {
	info := w.m.info()
	if !mentionsStatus(info, cond) {
		return false
	}
	for _, k := range failures {
		if evalStatus(info, cond, k) != tFalse {
			return false
		}
	}
	return true
}

// labelledRestart reports whether a loop nested in the body continues
// this one by its label.
func (w *walker) labelledRestart() bool {
	if w.l.Label == "" {
		return false
	}
	if _, ok := w.l.Stmt.(*ast.LabeledStmt); ok {
		return false
	}
	found := false
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		if b, ok := n.(*ast.BranchStmt); ok && c.inLoop && b.Tok == token.CONTINUE && b.Label != nil && b.Label.Name == w.l.Label {
			found = true
		}
	})
	return found
}

// callBound says which bound a call of a package function expresses when
// a retry's exit depends on it: what its branches test (its summary), seen
// through the arguments given here. ok is false for other functions.
func (w *walker) callBound(call *ast.CallExpr) (b Bound, ok bool) {
	info := w.m.info()
	fn := match.Callee(info, call)
	if fn == nil || fn.Pkg() != w.m.pass.Pkg || w.m.sums == nil {
		return BoundNone, false
	}
	sum := w.m.sums.Of(fn)
	var args []ast.Expr
	if sel, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr); isSel {
		if s, isMethod := info.Selections[sel]; isMethod && s.Kind() == types.MethodVal {
			args = append(args, sel.X)
		}
	}
	args = append(args, call.Args...)
	b = BoundNone
	rank := func(x Bound) {
		if x != BoundNone && (b == BoundNone || x < b) {
			b = x
		}
	}
	if sum.TestsOther {
		rank(BoundOther)
	}

	for i, a := range args {
		if i < 64 && sum.Tests&(1<<i) != 0 {
			rank(w.argBound(a))
		}
	}
	return b, true
}

// argBound says what a helper testing the argument e bounds.
func (w *walker) argBound(e ast.Expr) Bound {
	info := w.m.info()
	if w.m.constValue(e) != nil {
		return BoundNone
	}
	counted := match.Any(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			v, ok := info.Uses[n].(*types.Var)
			return ok && w.counters[v]
		case *ast.SelectorExpr:
			return w.steps[types.ExprString(n)]
		}
		return false
	})
	t := info.TypeOf(e)
	switch {
	case counted:
		return BoundAttempts
	case t != nil && match.IsContext(t):
		return BoundContext
	case t != nil && (match.IsNamed(t, "time", "Time") || match.IsNamed(t, "time", "Duration")):
		return BoundDeadline
	case w.mentionsOutcome(e):
		return BoundNone
	}
	return BoundOther
}

// computeTests fills in what each function's branches test: its
// parameters (Tests) or anything else (TestsOther), carried through the
// package's own calls to a fixpoint.
func (s *summaries) computeTests(funcs []*ssa.Function) {
	for changed := true; changed; {
		changed = false
		for _, f := range funcs {
			sum := s.by[f]
			if sum == nil {
				continue
			}
			t := tester{s: s, f: f, seen: map[ssa.Value]bool{}}
			for _, b := range f.Blocks {
				for _, ins := range b.Instrs {
					switch ins := ins.(type) {
					case *ssa.If:
						t.root(ins.Cond)
					case *ssa.BinOp:
						switch ins.Op {
						case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
							t.root(ins.X)
							t.root(ins.Y)
						}
					case *ssa.Return:
						for _, r := range ins.Results {
							if isBool(r.Type()) {
								t.root(r)
							}
						}
					}
				}
			}
			if t.tests|sum.Tests != sum.Tests || t.other && !sum.TestsOther {
				sum.Tests |= t.tests
				sum.TestsOther = sum.TestsOther || t.other
				changed = true
			}
		}
	}
}

type tester struct {
	s     *summaries
	f     *ssa.Function
	seen  map[ssa.Value]bool
	tests uint64
	other bool
}

// root marks where the value v comes from: a parameter, or something else
// (a closure's variable, the clock, a numeric package variable).
func (t *tester) root(v ssa.Value) {
	if v == nil || t.seen[v] {
		return
	}
	t.seen[v] = true
	switch v := v.(type) {
	case *ssa.Const, *ssa.Function, *ssa.Builtin:
	case *ssa.Parameter:
		for i, p := range t.f.Params {
			if p == v && i < 64 {
				t.tests |= 1 << i
			}
		}
	case *ssa.Global:
		if b, ok := v.Type().(*types.Pointer).Elem().Underlying().(*types.Basic); ok && b.Info()&types.IsNumeric != 0 {
			t.other = true // a package counter; sentinel errors and tables are constants here
		}
	case *ssa.UnOp, *ssa.BinOp, *ssa.Convert, *ssa.ChangeType, *ssa.ChangeInterface, *ssa.MakeInterface,
		*ssa.Field, *ssa.FieldAddr, *ssa.Index, *ssa.IndexAddr, *ssa.Lookup, *ssa.Extract, *ssa.TypeAssert,
		*ssa.Slice, *ssa.Phi:
		// computed from its operands: where they come from
		for _, op := range v.(ssa.Instruction).Operands(nil) {
			t.root(*op)
		}
	case *ssa.Call:
		t.call(&v.Call)
	case *ssa.Alloc:
		// a spilled parameter or a local: what is stored in it
		for _, r := range *v.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == v {
				t.root(st.Val)
			}
		}
	default:
		t.other = true // a local cell, a closure's variable, a value made here
	}
}

func (t *tester) call(c *ssa.CallCommon) {
	if callee := c.StaticCallee(); callee != nil {
		if obj, ok := callee.Object().(*types.Func); ok && obj.Pkg() != nil && obj.Pkg().Path() == "time" {
			t.other = true // the clock: a deadline
			return
		}
		if sum := t.s.by[callee]; sum != nil && callee.Pkg == t.f.Pkg {
			// a helper of the package: what it tests, of what it is given
			t.other = t.other || sum.TestsOther
			for i, a := range c.Args {
				if i < 64 && sum.Tests&(1<<i) != 0 {
					t.root(a)
				}
			}
			return
		}
	}
	if c.IsInvoke() {
		t.root(c.Value)
	} else if c.StaticCallee() == nil {
		t.root(c.Value)
	}
	for _, a := range c.Args {
		t.root(a)
	}
}

// onConflict reports whether every restart of the loop is guarded by a test
// for a write conflict: a call named like IsConflict, or a status compared
// with 409.
func (w *walker) onConflict() bool { return w.everyRestartUnder(w.conflictTest) }

func (w *walker) conflictTest(cond ast.Expr) bool {
	info := w.m.info()
	return match.Any(cond, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			fn := match.Callee(info, n)
			return fn != nil && strings.Contains(fn.Name(), "Conflict")
		case ast.Expr:
			if v := w.m.constValue(n); v != nil && v.Kind() == constant.Int {
				code, ok := constant.Int64Val(v)
				return ok && code == 409
			}
		}
		return false
	})
}
