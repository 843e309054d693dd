package retryloop

// The walk over a loop body: where each node sits (the guards above it,
// nested loops and switches) and which statements leave or restart the loop.

import (
	"go/ast"
	"go/token"
	"go/types"

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
	// items is set for loops over work items: each time round takes a new
	// value from a channel, or drops the alternative just tried.
	items bool
	// results are the attempt calls' non-error results.
	results map[*types.Var]bool
	// counters are integer variables stepped inside the loop.
	counters map[*types.Var]bool
	// classifying holds the duration variables varKind is classifying,
	// so that d = next(d) does not recurse forever.
	classifying map[*types.Var]bool
	// steps are fields stepped or flagged inside the retry (state.retries++,
	// state.reauthed = true), by their source text.
	steps map[string]bool
	// derived are variables computed from the attempt's results (out :=
	// outcome{res, err}; again, delay := out.classify(n)).
	derived map[*types.Var]bool
	// verdicts are variables a call of a package function returned, with
	// the call: its summary says what the verdict tests.
	verdicts map[*types.Var]*ast.CallExpr
	// recur are the calls that start the next attempt of a retry by
	// recursion.
	recur map[*ast.CallExpr]bool
	decl  *ast.FuncDecl // the function a retry by recursion retries
	// flagging are the verdict flags whose bound is being worked out.
	flagging map[*types.Var]bool
	// labelled is set when a nested loop continues this one by its label:
	// the nested loop's calls are this retry's attempts.
	labelled bool
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
	case *ast.SwitchStmt:
		c.inBreak = true
		c.top = false
		if n.Init != nil {
			w.walk(n.Init, c, fn)
		}
		if n.Tag != nil {
			w.walk(n.Tag, c, fn)
		}
		fn(n.Body, c)
		for _, cl := range n.Body.List {
			cc := cl.(*ast.CaseClause)
			fn(cc, c)
			g := c.with(caseGuard(n, cc))
			for _, s := range cc.Body {
				w.walk(s, g, fn)
			}
		}
		return
	case *ast.TypeSwitchStmt:
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

// caseGuard is the condition a switch case runs under: its expressions
// (compared to the tag), or for default the negation of every other case.
func caseGuard(sw *ast.SwitchStmt, cc *ast.CaseClause) guard {
	if cc.List != nil {
		return guard{cond: caseCond(sw.Tag, cc.List)}
	}
	var all []ast.Expr
	for _, cl := range sw.Body.List {
		all = append(all, cl.(*ast.CaseClause).List...)
	}
	if len(all) == 0 {
		return guard{}
	}
	return guard{cond: caseCond(sw.Tag, all), neg: true}
}

// caseCond builds "tag == a || tag == b" (or "a || b" without a tag) from
// the case's own expressions; only its leaves carry type information.
func caseCond(tag ast.Expr, list []ast.Expr) ast.Expr {
	var cond ast.Expr
	for _, e := range list {
		if tag != nil {
			e = &ast.BinaryExpr{X: tag, OpPos: e.Pos(), Op: token.EQL, Y: e}
		}
		if cond == nil {
			cond = e
			continue
		}
		cond = &ast.BinaryExpr{X: cond, OpPos: e.Pos(), Op: token.LOR, Y: e}
	}
	return cond
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

// restarts reports whether n starts the next attempt: a continue of the
// loop, a goto back to the label of a goto loop, a recursive call.
func (w *walker) restarts(n ast.Node, c wctx) bool {
	switch n := n.(type) {
	case *ast.BranchStmt:
		switch n.Tok {
		case token.CONTINUE:
			return w.targetsLoop(n, c)
		case token.GOTO:
			_, isGoto := w.l.Stmt.(*ast.LabeledStmt)
			return isGoto && n.Label.Name == w.l.Label
		}
	case *ast.CallExpr:
		return w.recur[n]
	}
	return false
}

// recurs reports whether n holds a recursive call that retries.
func (w *walker) recurs(n ast.Node) bool {
	if len(w.recur) == 0 {
		return false
	}
	return match.Any(n, func(x ast.Node) bool {
		call, ok := x.(*ast.CallExpr)
		return ok && w.recur[call]
	})
}

// jumpsInside reports whether a goto lands inside the retry's body.
func (w *walker) jumpsInside(b *ast.BranchStmt) bool {
	obj := w.m.info().Uses[b.Label]
	return obj != nil && obj.Pos() >= w.l.Body.Pos() && obj.Pos() < w.l.Body.End()
}

// isExit reports whether n leaves the loop: return, break of l, panic.
func (w *walker) isExit(n ast.Node, c wctx) bool {
	switch n := n.(type) {
	case *ast.ReturnStmt:
		return !w.recurs(n)
	case *ast.BranchStmt:
		return n.Tok == token.BREAK && w.targetsLoop(n, c) || n.Tok == token.GOTO && !w.restarts(n, c) && !w.jumpsInside(n)
	case *ast.CallExpr:
		if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "panic" {
			_, builtin := w.m.info().Uses[id].(*types.Builtin)
			return builtin
		}
		fn := match.Callee(w.m.info(), n)
		return match.NoReturn(fn)
	}
	return false
}

// containsExit reports whether a statement has an exit of l inside.
func (w *walker) containsExit(s ast.Node, c wctx) bool { return w.anyIn(s, c, w.isExit) }

// containsContinue reports whether a statement starts another attempt of l.
func (w *walker) containsContinue(s ast.Node, c wctx) bool { return w.anyIn(s, c, w.restarts) }

// anyIn reports whether pred holds for a node of s, walked as the loop's.
func (w *walker) anyIn(s ast.Node, c wctx, pred func(ast.Node, wctx) bool) bool {
	found := false
	w.walk(s, c, func(n ast.Node, c wctx) { found = found || pred(n, c) })
	return found
}

func (w *walker) varOf(e ast.Expr) *types.Var { return varOf(w.m.info(), e) }

// varOf returns the variable an identifier names, or nil.
func varOf(info *types.Info, e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	v, _ := info.ObjectOf(id).(*types.Var)
	return v
}

// assign is one assignment to a variable.
type assign struct {
	stmt *ast.AssignStmt
	rhs  ast.Expr // the value assigned; nil when a call assigns several
}

// assignsOf returns the assignments to v in scope, in source order.
func assignsOf(info *types.Info, scope ast.Node, v *types.Var) []assign {
	var out []assign
	ast.Inspect(scope, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			return true
		}
		for i, lhs := range as.Lhs {
			if varOf(info, lhs) != v {
				continue
			}
			a := assign{stmt: as}
			if len(as.Rhs) == len(as.Lhs) {
				a.rhs = as.Rhs[i]
			}
			out = append(out, a)
		}
		return true
	})
	return out
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
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
