package retryloop

// The keys: values that are fresh on every attempt (a uuid, a timestamp,
// the attempt counter), for idempotency keys minted per attempt.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"net/http"

	"golang.org/x/tools/go/ssa"

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
// uuid or random id, the clock, runtime/retry's NewKey, a sequence.
func isFreshSource(fn *types.Func) bool {
	return fn.Pkg() != nil && (keyPkgs[fn.Pkg().Path()] || match.IsFunc(fn, "time", "Now") ||
		match.IsFunc(fn, RuntimeRetry, "NewKey") || isAtomicAdd(fn))
}

// isAtomicAdd matches sync/atomic's adds, whose result is a new number on
// every call (a sequence).
func isAtomicAdd(fn *types.Func) bool {
	return match.IsFunc(fn, "sync/atomic", "AddInt32", "AddInt64", "AddUint32", "AddUint64") ||
		match.IsMethod(fn, "sync/atomic", "Int32", "Add") || match.IsMethod(fn, "sync/atomic", "Int64", "Add") ||
		match.IsMethod(fn, "sync/atomic", "Uint32", "Add") || match.IsMethod(fn, "sync/atomic", "Uint64", "Add")
}

// freshness states of a function, for the memo.
const (
	freshUnknown int8 = iota
	freshBusy
	freshNo
	freshYes
)

// returnsFresh reports whether f returns a value that differs on every
// call: one made from a uuid, random or clock source, a sequence (an atomic
// add, a package or field counter it increments), or another function of
// the package that returns one. A function that only reads the clock on
// the side (to log, to time itself) does not.
func (s *summaries) returnsFresh(f *ssa.Function) bool {
	if s.fresh == nil {
		s.fresh = map[*ssa.Function]int8{}
	}
	switch s.fresh[f] {
	case freshBusy, freshNo:
		return false // recursion: the other path decides
	case freshYes:
		return true
	}
	s.fresh[f] = freshBusy
	res := false
	for _, b := range f.Blocks {
		for _, ins := range b.Instrs {
			ret, ok := ins.(*ssa.Return)
			if !ok {
				continue
			}
			for _, r := range ret.Results {
				if !match.IsError(r.Type()) && s.freshValue(f, r, map[ssa.Value]bool{}) {
					res = true
				}
			}
		}
	}
	s.fresh[f] = freshNo
	if res {
		s.fresh[f] = freshYes
	}
	return res
}

// freshValue reports whether v, computed in f, differs on every call of f.
func (s *summaries) freshValue(f *ssa.Function, v ssa.Value, seen map[ssa.Value]bool) bool {
	if v == nil || seen[v] {
		return false
	}
	seen[v] = true
	switch v := v.(type) {
	case *ssa.Call:
		if callee := v.Call.StaticCallee(); callee != nil {
			if obj, ok := callee.Object().(*types.Func); ok && (isFreshSource(obj) || isAtomicAdd(obj)) {
				return true
			}
			if callee.Pkg == s.ssa.Get().Pkg && s.returnsFresh(callee) {
				return true
			}
		}
		if b, ok := v.Call.Value.(*ssa.Builtin); ok && b.Name() != "append" {
			return false // len, cap: not the value itself
		}
		if v.Call.IsInvoke() && s.freshValue(f, v.Call.Value, seen) {
			return true // uuid.New().String() through an interface
		}
		// derived from a fresh argument: fmt.Sprint(time.Now().UnixNano())
		for _, a := range v.Call.Args {
			if s.freshValue(f, a, seen) {
				return true
			}
		}
	case *ssa.BinOp:
		if v.Op == token.ADD && s.counterStep(v) {
			return true
		}
		return s.freshValue(f, v.X, seen) || s.freshValue(f, v.Y, seen)
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return s.freshValue(f, v.X, seen)
		}
		// a load: of crypto/rand.Reader and the like, of a counter f
		// increments, or of memory filled with fresh bytes
		if g, ok := v.X.(*ssa.Global); ok && g.Pkg != nil && keyPkgs[g.Pkg.Pkg.Path()] {
			return true
		}
		return s.incremented(f, v.X) || s.freshAddr(f, v.X, seen)
	case *ssa.Phi:
		for _, e := range v.Edges {
			if s.freshValue(f, e, seen) {
				return true
			}
		}
	case *ssa.Extract:
		return s.freshValue(f, v.Tuple, seen)
	case *ssa.Convert:
		return s.freshValue(f, v.X, seen)
	case *ssa.ChangeType:
		return s.freshValue(f, v.X, seen)
	case *ssa.MakeInterface:
		return s.freshValue(f, v.X, seen)
	case *ssa.Slice:
		return s.freshValue(f, v.X, seen) || s.freshAddr(f, v.X, seen)
	case *ssa.Field:
		return s.freshValue(f, v.X, seen)
	case *ssa.Index:
		return s.freshValue(f, v.X, seen)
	case *ssa.Alloc, *ssa.MakeSlice:
		return s.freshAddr(f, v, seen)
	}
	return false
}

// freshAddr reports whether the memory at addr (a local array, slice or
// struct) is filled with a fresh value: stored into, or handed to a call
// together with a fresh source (rand.Read(b), io.ReadFull(rand.Reader, b)).
func (s *summaries) freshAddr(f *ssa.Function, addr ssa.Value, seen map[ssa.Value]bool) bool {
	root := addr
	for {
		switch a := root.(type) {
		case *ssa.IndexAddr:
			root = a.X
			continue
		case *ssa.FieldAddr:
			root = a.X
			continue
		case *ssa.Slice:
			root = a.X
			continue
		}
		break
	}
	switch root.(type) {
	case *ssa.Alloc, *ssa.MakeSlice:
	default:
		return false
	}
	return s.fills(f, root, seen, 0)
}

// fills reports whether a fresh value is written through addr or an
// address derived from it.
func (s *summaries) fills(f *ssa.Function, addr ssa.Value, seen map[ssa.Value]bool, depth int) bool {
	refs := addr.Referrers()
	if refs == nil || depth > 3 {
		return false
	}
	for _, r := range *refs {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr == addr && s.freshValue(f, r.Val, seen) {
				return true
			}
		case *ssa.IndexAddr, *ssa.FieldAddr, *ssa.Slice:
			if s.fills(f, r.(ssa.Value), seen, depth+1) {
				return true
			}
		case *ssa.Call:
			if callee := r.Call.StaticCallee(); callee != nil {
				if obj, ok := callee.Object().(*types.Func); ok && isFreshSource(obj) {
					return true // rand.Read(b)
				}
			}
			for _, a := range r.Call.Args {
				if a != addr && s.freshValue(f, a, seen) {
					return true
				}
			}
		}
	}
	return false
}

// sameAddr reports whether two addresses name the same package variable or
// the same field of the same struct type.
func sameAddr(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	fa, ok1 := a.(*ssa.FieldAddr)
	fb, ok2 := b.(*ssa.FieldAddr)
	return ok1 && ok2 && fa.Field == fb.Field && types.Identical(fa.X.Type(), fb.X.Type())
}

// counterStep reports whether add is "x + n" for x loaded from an address
// the result is stored back to: n++ on a package or field counter.
func (s *summaries) counterStep(add *ssa.BinOp) bool {
	load, ok := add.X.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	for _, r := range *add.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Val == add && sameAddr(st.Addr, load.X) {
			switch load.X.(type) {
			case *ssa.Global, *ssa.FieldAddr:
				return true
			}
		}
	}
	return false
}

// incremented reports whether f steps the counter at addr (a package
// variable or a field) before reading it: seq++; return seq.
func (s *summaries) incremented(f *ssa.Function, addr ssa.Value) bool {
	switch addr.(type) {
	case *ssa.Global, *ssa.FieldAddr:
	default:
		return false
	}
	for _, b := range f.Blocks {
		for _, ins := range b.Instrs {
			if st, ok := ins.(*ssa.Store); ok && sameAddr(st.Addr, addr) {
				if add, ok := st.Val.(*ssa.BinOp); ok && add.Op == token.ADD && s.counterStep(add) {
					return true
				}
			}
		}
	}
	return false
}

// HeaderSet is a header that a function of the package sets on a request
// it is given.
type HeaderSet struct {
	Param int    // the request's index among the call's arguments (receiver excluded)
	Name  string // canonical header name
	// Arg is the index of the argument the value is, or -1.
	Arg int
	// Fresh is set when the value differs on every call.
	Fresh bool
}

// headersSet returns the headers fn, a function of the package, sets on
// its *http.Request parameters (req.Header.Set, Add, or a map store, in fn
// or in a function of the package it hands the request to).
func (s *summaries) headersSet(fn *types.Func) []HeaderSet {
	if s == nil || fn == nil || fn.Pkg() != s.pkg {
		return nil
	}
	f := s.ssa.Get().Func(fn)
	if f == nil {
		return nil
	}
	recv := 0
	if f.Signature.Recv() != nil {
		recv = 1
	}
	var out []HeaderSet
	for _, h := range s.headersOf(f, map[*ssa.Function]bool{}) {
		h.Param -= recv
		if h.Arg >= 0 {
			h.Arg -= recv
		}
		if h.Param >= 0 {
			out = append(out, h)
		}
	}
	return out
}

// headersOf is headersSet on SSA, with indexes into f.Params.
func (s *summaries) headersOf(f *ssa.Function, busy map[*ssa.Function]bool) []HeaderSet {
	if busy[f] {
		return nil
	}
	busy[f] = true
	param := func(v ssa.Value) int {
		for i, p := range f.Params {
			if p == v && match.IsHTTPRequestPtr(p.Type()) {
				return i
			}
		}
		return -1
	}
	// the request whose Header map h is: *(&req.Header)
	headerOf := func(h ssa.Value) int {
		load, ok := h.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return -1
		}
		fa, ok := load.X.(*ssa.FieldAddr)
		if !ok {
			return -1
		}
		return param(fa.X)
	}
	set := func(p int, name ssa.Value, val ssa.Value) *HeaderSet {
		c, ok := name.(*ssa.Const)
		if p < 0 || !ok || c.Value == nil || c.Value.Kind() != constant.String {
			return nil
		}
		h := HeaderSet{Param: p, Name: http.CanonicalHeaderKey(constant.StringVal(c.Value)), Arg: -1}
		for i, q := range f.Params {
			if q == val {
				h.Arg = i
			}
		}
		h.Fresh = h.Arg < 0 && s.freshValue(f, val, map[ssa.Value]bool{})
		return &h
	}
	var out []HeaderSet
	for _, b := range f.Blocks {
		for _, ins := range b.Instrs {
			switch ins := ins.(type) {
			case *ssa.Call:
				callee := ins.Call.StaticCallee()
				if callee == nil {
					continue
				}
				args := ins.Call.Args
				if obj, ok := callee.Object().(*types.Func); ok && match.IsMethod(obj, "net/http", "Header", "Set", "Add") && len(args) == 3 {
					if h := set(headerOf(args[0]), args[1], args[2]); h != nil {
						out = append(out, *h)
					}
					continue
				}
				if callee.Pkg != s.ssa.Get().Pkg {
					continue
				}
				// handed on to another function of the package
				for _, h := range s.headersOf(callee, busy) {
					if h.Param >= len(args) {
						continue
					}
					if p := param(args[h.Param]); p >= 0 {
						h.Param = p
						if h.Arg >= 0 {
							v := args[h.Arg]
							h.Arg = -1
							for i, q := range f.Params {
								if q == v {
									h.Arg = i
								}
							}
							h.Fresh = h.Arg < 0 && s.freshValue(f, v, map[ssa.Value]bool{})
						}
						out = append(out, h)
					}
				}
			case *ssa.MapUpdate:
				// req.Header["Idempotency-Key"] = []string{v}
				if !match.IsNamed(ins.Map.Type(), "net/http", "Header") {
					continue
				}
				if h := set(headerOf(ins.Map), ins.Key, ins.Value); h != nil {
					out = append(out, *h)
				}
			}
		}
	}
	delete(busy, f)
	return out
}

// helperHeaders records the headers that call, a function of the package
// given the request as argument i, sets on it: the value is the argument
// it copies, or the call itself (HelperHeaders says whether it is fresh).
func (w *walker) helperHeaders(r *Request, call *ast.CallExpr, i int) {
	for _, h := range w.m.sums.headersSet(match.Callee(w.m.info(), call)) {
		if h.Param != i {
			continue
		}
		if h.Arg >= 0 && h.Arg < len(call.Args) {
			r.Headers[h.Name] = call.Args[h.Arg]
			continue
		}
		if r.HelperHeaders == nil {
			r.HelperHeaders = map[string]bool{}
		}
		r.Headers[h.Name] = call
		r.HelperHeaders[h.Name] = r.HelperHeaders[h.Name] || h.Fresh
	}
}
