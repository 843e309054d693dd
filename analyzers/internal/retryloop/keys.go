package retryloop

// The keys: values that are fresh on every attempt (a uuid, a timestamp,
// the attempt counter), for idempotency keys minted per attempt.

import (
	"go/ast"
	"go/types"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

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

// keysOf returns the variables assigned a value that is fresh on every
// attempt, with the fresh part.
func (w *walker) keysOf() map[*types.Var]ast.Expr {
	keys := map[*types.Var]ast.Expr{}
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
			if g := freshIn(info, as.Rhs[i], w.l.Counter, keys, w.m.sums); g != nil {
				keys[v] = g
			}
		}
		return true
	})
	return keys
}

// Fresh returns the part of e that differs on every attempt of l (a uuid,
// random or clock value, the attempt counter), or nil.
func (l *Loop) Fresh(info *types.Info, e ast.Expr) ast.Expr {
	return freshIn(info, e, l.Counter, l.Keys, l.sums)
}

// freshIn returns the part of e that differs on every attempt: a fresh
// call, the attempt counter, or one of the keys found so far.
func freshIn(info *types.Info, e ast.Expr, counter *types.Var, keys map[*types.Var]ast.Expr, sums *summaries) ast.Expr {
	var g ast.Expr
	ast.Inspect(e, func(n ast.Node) bool {
		if g != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			fn := match.Callee(info, n)
			if fn != nil && fn.Pkg() != nil && (isFreshSource(fn) || sums.Of(fn).Fresh) {
				g = n
			}
		case *ast.Ident:
			if v, ok := info.Uses[n].(*types.Var); ok {
				if v == counter && counter != nil {
					g = n
				} else if k := keys[v]; k != nil {
					g = n
				}
			}
		}
		return true
	})
	return g
}

// isFreshSource matches the calls that return a new value every time: a
// uuid or random id, the clock, runtime/retry's NewKey.
func isFreshSource(fn *types.Func) bool {
	return fn.Pkg() != nil && (keyPkgs[fn.Pkg().Path()] || match.IsFunc(fn, "time", "Now") ||
		match.IsFunc(fn, RuntimeRetry, "NewKey"))
}
