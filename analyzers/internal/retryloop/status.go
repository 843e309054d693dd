package retryloop

// The statuses: which response status conditions lead to another attempt,
// and the permanent (4xx) statuses they let through.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// statusSel matches X.StatusCode for an *http.Response X.
func statusSel(info *types.Info, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "StatusCode" && isResponse(info.TypeOf(sel.X))
}

func mentionsStatus(info *types.Info, e ast.Node) bool {
	return match.Any(e, func(n ast.Node) bool {
		ex, ok := n.(ast.Expr)
		return ok && statusSel(info, ex)
	})
}

// switchesOnStatus reports whether sw decides on a response status: its
// tag is the status, or a case of a tagless switch compares it.
func switchesOnStatus(info *types.Info, sw *ast.SwitchStmt) bool {
	if sw.Tag != nil {
		return mentionsStatus(info, sw.Tag)
	}
	for _, cl := range sw.Body.List {
		for _, e := range cl.(*ast.CaseClause).List {
			if mentionsStatus(info, e) {
				return true
			}
		}
	}
	return false
}

type check struct {
	is   *ast.IfStmt
	exit bool
}

// exitStatus returns the retry of a top-level success check that lets permanent
// statuses fall through to the next attempt ("if resp.StatusCode == 200
// { return }" and nothing else ends the loop).
func (w *walker) exitStatus(earlier []check, is *ast.IfStmt) *StatusRetry {
	info := w.m.info()
	if !w.retriesAfter(is) {
		return nil
	}
	top := false
	for _, s := range w.l.Body.List {
		if s == is {
			top = true
		}
	}
	if !top || is.Else != nil {
		return nil
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
	if len(codes) == 0 {
		return nil
	}
	return &StatusRetry{Cond: statusCompare(info, is.Cond), Permanent: codes, Success: true}
}

// permanent are the statuses a retry must not repeat.
var permanent = []int{400, 401, 403, 404, 409, 422}

// statusesOf returns the status conditions whose branch retries permanent
// errors.
func (w *walker) statusesOf() []*StatusRetry {
	info := w.m.info()
	var out []*StatusRetry
	var checks []check
	hasSwitch := false
	w.walk(w.l.Body, wctx{}, func(n ast.Node, c wctx) {
		switch n := n.(type) {
		case *ast.IfStmt:
			if mentionsStatus(info, n.Cond) {
				// a branch that goes round again is a retry, whatever else it may leave on
				checks = append(checks, check{n, w.exitsOnOutcome(n.Body) && !w.containsContinue(n.Body, wctx{})})
			}
		case *ast.SwitchStmt:
			if switchesOnStatus(info, n) {
				hasSwitch = true
			}
		}
	})
	if hasSwitch {
		return nil
	}
	for i, ck := range checks {
		if ck.exit {
			if s := w.exitStatus(checks[:i], ck.is); s != nil {
				out = append(out, s)
			}
			continue
		}
		if !w.retriesAfter(ck.is) || w.judgedInside(ck.is.Body) {
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
			out = append(out, &StatusRetry{Cond: statusCompare(info, ck.is.Cond), Permanent: codes})
		}
	}
	return out
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
			return junction(evalStatus(info, e.X, k), evalStatus(info, e.Y, k), tFalse, tTrue)
		case token.LOR:
			return junction(evalStatus(info, e.X, k), evalStatus(info, e.Y, k), tTrue, tFalse)
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

// junction combines the two sides of && (decisive: tFalse) or || (decisive:
// tTrue): either side decisive decides, both sides the other value give it.
func junction(x, y, decisive, other tri) tri {
	switch {
	case x == decisive || y == decisive:
		return decisive
	case x == other && y == other:
		return other
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
