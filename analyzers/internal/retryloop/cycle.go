package retryloop

// Cycles that are not for statements: a goto back to a label, and a
// function that calls itself again after a failure.

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// gotoLoop models the statements from a label to the last goto back to it,
// returning nil when they are not a retry.
func (m *model) gotoLoop(ls *ast.LabeledStmt, stack []ast.Node) *Loop {
	ft, fbody := enclosingFunc(stack)
	if ft == nil || len(stack) < 2 {
		return nil
	}
	var list []ast.Stmt
	switch p := stack[len(stack)-2].(type) {
	case *ast.BlockStmt:
		list = p.List
	case *ast.CaseClause:
		list = p.Body
	case *ast.CommClause:
		list = p.Body
	default:
		return nil
	}
	start, last := -1, -1
	for i, s := range list {
		if s == ls {
			start = i
		}
		if start >= 0 && jumpsTo(s, ls.Label.Name) {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	region := append([]ast.Stmt{ls.Stmt}, list[start+1:last+1]...)
	l := &Loop{Stmt: ls, Label: ls.Label.Name, FuncType: ft, sums: m.sums, Body: synthetic(region, ls.Pos(), list[last].End())}
	return m.retryOf(l, stack, fbody, nil, nil)
}

// recursionCounters returns the parameters a recursive call passes on
// changed (attempt+1, true): they count or flag the attempts.
func (w *walker) recursionCounters() []*types.Var {
	fd, ok := w.fdecl()
	if !ok {
		return nil
	}
	info := w.m.info()
	params := paramVars(info, fd)
	var out []*types.Var
	for call := range w.recur {
		args := call.Args
		if fd.Recv != nil {
			args = append([]ast.Expr{nil}, args...)
		}
		for i, a := range args {
			if a == nil || i >= len(params) || params[i] == nil {
				continue
			}
			if id, ok := ast.Unparen(a).(*ast.Ident); !ok || info.Uses[id] != params[i] {
				out = append(out, params[i])
			}
		}
	}
	return out
}

// fdecl returns the function declaration a retry by recursion retries.
func (w *walker) fdecl() (*ast.FuncDecl, bool) {
	return w.decl, w.decl != nil
}

// jumpsTo reports whether s holds a goto to label.
func jumpsTo(s ast.Stmt, label string) bool {
	return match.Any(s, func(n ast.Node) bool {
		b, ok := n.(*ast.BranchStmt)
		return ok && b.Tok == token.GOTO && b.Label != nil && b.Label.Name == label
	})
}

// synthetic returns a block of list spanning [pos, end) that ends in a
// break: leaving the statements is leaving the retry.
func synthetic(list []ast.Stmt, pos, end token.Pos) *ast.BlockStmt {
	out := append(list[:len(list):len(list)], &ast.BranchStmt{TokPos: end - 1, Tok: token.BREAK})
	return &ast.BlockStmt{Lbrace: pos, List: out, Rbrace: end - 1}
}

// recursion models a function that calls itself again, with the same
// arguments but for a counter or a flag, returning nil when it does not or
// when the cycle is not a retry.
func (m *model) recursion(fd *ast.FuncDecl, stack []ast.Node) *Loop {
	info := m.info()
	fn, _ := info.Defs[fd.Name].(*types.Func)
	if fn == nil || fd.Body == nil {
		return nil
	}
	params := paramVars(info, fd)
	recur := map[*ast.CallExpr]bool{}
	var first *ast.CallExpr
	var stmt ast.Stmt
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if match.Callee(info, n) != fn || !m.sameCall(fd, n, params) {
				return true
			}
			recur[n] = true
			if first == nil {
				first = n
			}
		}
		return true
	})
	if first == nil {
		return nil
	}
	// the statement of the first recursive call: the innermost one
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if s, ok := n.(ast.Stmt); ok && s.Pos() <= first.Pos() && first.End() <= s.End() {
			if _, block := s.(*ast.BlockStmt); !block {
				stmt = s
			}
		}
		return true
	})
	l := &Loop{Stmt: stmt, FuncType: fd.Type, sums: m.sums, Recursion: first,
		Body: synthetic(fd.Body.List, fd.Body.Lbrace, fd.Body.End())}
	l.Body.Lbrace = fd.Body.Lbrace
	return m.retryOf(l, stack, fd.Body, recur, fd)
}

// paramVars returns the receiver and parameters of fd, in order.
func paramVars(info *types.Info, fd *ast.FuncDecl) []*types.Var {
	var out []*types.Var
	for _, fl := range []*ast.FieldList{fd.Recv, fd.Type.Params} {
		if fl == nil {
			continue
		}
		for _, f := range fl.List {
			if len(f.Names) == 0 {
				out = append(out, nil)
			}
			for _, n := range f.Names {
				v, _ := info.Defs[n].(*types.Var)
				out = append(out, v)
			}
		}
	}
	return out
}

// sameCall reports whether call, a call of fd, asks for the same thing
// again: the receiver and every argument are fd's own, unchanged in its
// body, but for a counter or a flag (n+1, true). A call with other
// arguments (the next page, a child node, a redirect's URL) is not a retry.
func (m *model) sameCall(fd *ast.FuncDecl, call *ast.CallExpr, params []*types.Var) bool {
	info := m.info()
	var args []ast.Expr
	if fd.Recv != nil {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return false
		}
		args = append(args, sel.X)
	}
	args = append(args, call.Args...)
	if len(args) != len(params) || call.Ellipsis.IsValid() {
		return false
	}
	for i, a := range args {
		p := params[i]
		if p == nil {
			return false
		}
		if id, ok := ast.Unparen(a).(*ast.Ident); ok && info.Uses[id] == p {
			if assigned(info, fd.Body, p) {
				return false // url = next: a different request
			}
			continue
		}
		if m.constValue(a) != nil {
			if b, ok := p.Type().Underlying().(*types.Basic); ok && b.Info()&(types.IsBoolean|types.IsInteger) != 0 {
				continue // a flag or a fresh count
			}
			return false // from = "": the request without an option, a fallback
		}
		if b, ok := ast.Unparen(a).(*ast.BinaryExpr); ok && (b.Op == token.ADD || b.Op == token.SUB) &&
			match.Mentions(info, b.X, p) && m.constValue(b.Y) != nil {
			continue // attempt+1
		}
		return false
	}
	return true
}

// assigned reports whether v is assigned (or stepped) in body.
func assigned(info *types.Info, body ast.Node, v *types.Var) bool {
	return match.Any(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if id, ok := ast.Unparen(lhs).(*ast.Ident); ok && info.Uses[id] == v {
					return true
				}
			}
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && info.Uses[id] == v {
				return true
			}
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND && info.Uses[id] == v {
				return true
			}
		}
		return false
	})
}

// once reports whether every restart is guarded by "!flag" for a flag the
// retry sets (reauthed = true, a recursion's flag parameter passed true).
func (w *walker) once() bool {
	info := w.m.info()
	flag := func(e ast.Expr) bool {
		u, ok := ast.Unparen(e).(*ast.UnaryExpr)
		if !ok || u.Op != token.NOT || !isBool(info.TypeOf(u.X)) {
			return false
		}
		switch x := ast.Unparen(u.X).(type) {
		case *ast.Ident:
			v, ok := info.Uses[x].(*types.Var)
			return ok && (w.counters[v] || setTrue(info, w.l.Body, v))
		case *ast.SelectorExpr:
			return w.steps[types.ExprString(x)]
		}
		return false
	}
	return w.everyRestartUnder(func(cond ast.Expr) bool {
		return slices.ContainsFunc(conjuncts(cond, token.LAND), flag)
	})
}

// everyRestartUnder reports whether the loop restarts and every restart
// runs under a condition (the branch taken when it holds) that test accepts.
func (w *walker) everyRestartUnder(test func(cond ast.Expr) bool) bool {
	restarts, guarded := 0, 0
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		if !w.restarts(n, c) {
			return
		}
		restarts++
		for _, g := range c.guards {
			if g.cond != nil && !g.neg && test(g.cond) {
				guarded++
				return
			}
		}
	})
	return restarts > 0 && guarded == restarts
}

// setTrue reports whether body assigns true to v.
func setTrue(info *types.Info, body ast.Node, v *types.Var) bool {
	return match.Any(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return false
		}
		for i, lhs := range as.Lhs {
			if id, ok := ast.Unparen(lhs).(*ast.Ident); ok && info.Uses[id] == v {
				if tv, ok := info.Types[as.Rhs[i]]; ok && tv.Value != nil && tv.Value.String() == "true" {
					return true
				}
			}
		}
		return false
	})
}
