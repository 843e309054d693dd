package retryloop

// Growth of the package's own waits, on SSA: whether the duration a
// function sleeps, or returns for its caller to sleep, grows with the
// attempt (math.Pow of it, a shift by it) or is randomised; and which
// functions a call through a function-valued field or an interface of the
// package reaches (sleep: time.Sleep set by a constructor, a Policy whose
// implementations are declared here).

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// dkind classifies a duration value; scale is a configured value (a field,
// a parameter) that means nothing alone but keeps a product growing.
type dkind int

const (
	dConst dkind = iota
	dScale
	dGrow
	dUnknown
	dJitter
)

// join merges the kinds of two parts of a duration: randomness and the
// unknown stick, growth beats a scale, a scale beats a constant.
func join(a, b dkind) dkind { return max(a, b) }

func (k dkind) wait() WaitKind {
	switch k {
	case dConst:
		return WaitConstant
	case dGrow:
		return WaitGrowing
	case dJitter:
		return WaitJittered
	}
	return WaitUnknown
}

// growth holds the package-wide facts the growth questions need.
type growth struct {
	s      *summaries
	stores map[*types.Var][]ssa.Value // values stored to a field, anywhere in the package
	delay  map[*ssa.Function]dkind    // memo of delayOf
	waitK  map[*ssa.Function]dkind    // memo of waitOf
	impls  map[*types.Func][]*ssa.Function
	named  []types.Type // the package's concrete named types, by pointer
}

func newGrowth(s *summaries, funcs []*ssa.Function) *growth {
	g := &growth{s: s, stores: map[*types.Var][]ssa.Value{}, delay: map[*ssa.Function]dkind{}, waitK: map[*ssa.Function]dkind{},
		impls: map[*types.Func][]*ssa.Function{}}
	for _, f := range funcs {
		for _, b := range f.Blocks {
			for _, ins := range b.Instrs {
				if st, ok := ins.(*ssa.Store); ok {
					if fld := fieldOf(st.Addr); fld != nil && isSignature(fld.Type()) {
						g.stores[fld] = append(g.stores[fld], st.Val)
					}
				}
			}
		}
	}
	return g
}

// fieldOf returns the struct field an address points to.
func fieldOf(v ssa.Value) *types.Var {
	fa, ok := v.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	pt, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	st, ok := pt.Elem().Underlying().(*types.Struct)
	if !ok || fa.Field >= st.NumFields() {
		return nil
	}
	return st.Field(fa.Field)
}

// funcsOf returns the functions a function value can be, as far as the
// package shows: a function, a closure, the closures a package function
// returns, the values the package stores in a field. A parameter (the
// caller's choice, such as an option's argument) adds nothing.
func (g *growth) funcsOf(v ssa.Value, seen map[ssa.Value]bool) []*ssa.Function {
	if seen[v] {
		return nil
	}
	seen[v] = true
	switch v := v.(type) {
	case *ssa.Function:
		return []*ssa.Function{v}
	case *ssa.MakeClosure:
		if f, ok := v.Fn.(*ssa.Function); ok {
			return []*ssa.Function{f}
		}
	case *ssa.ChangeType:
		return g.funcsOf(v.X, seen) // a literal returned as a named func type
	case *ssa.MakeInterface:
		return g.funcsOf(v.X, seen)
	case *ssa.UnOp:
		if v.Op == token.MUL {
			if fld := fieldOf(v.X); fld != nil {
				return g.fieldFuncs(fld, seen)
			}
		}
	case *ssa.Call:
		f := v.Call.StaticCallee()
		if f == nil || f.Pkg != g.s.ssa.Get().Pkg {
			return nil
		}
		var out []*ssa.Function
		for _, b := range f.Blocks {
			if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(r.Results) == 1 {
				out = append(out, g.funcsOf(r.Results[0], seen)...)
			}
		}
		return out
	case *ssa.Phi:
		var out []*ssa.Function
		for _, e := range v.Edges {
			out = append(out, g.funcsOf(e, seen)...)
		}
		return out
	}
	return nil
}

func (g *growth) fieldFuncs(fld *types.Var, seen map[ssa.Value]bool) []*ssa.Function {
	var out []*ssa.Function
	for _, st := range g.stores[fld] {
		out = append(out, g.funcsOf(st, seen)...)
	}
	return out
}

// FieldFuncs returns the functions the package stores in a function-valued
// field.
func (g *growth) FieldFuncs(fld *types.Var) []*ssa.Function {
	return g.fieldFuncs(fld, map[ssa.Value]bool{})
}

// implementations returns the package's methods that an invoke of method
// m of an interface declared here can reach: the methods of the package's
// named types that implement it. Interfaces of other packages (io.Reader)
// stay opaque. Computed once per method.
func (g *growth) implementations(iface types.Type, m *types.Func) []*ssa.Function {
	if m.Pkg() != g.s.pkg {
		return nil
	}
	if fs, ok := g.impls[m]; ok {
		return fs
	}
	var out []*ssa.Function
	if it, ok := iface.Underlying().(*types.Interface); ok {
		p := g.s.ssa.Get()
		for _, t := range g.concrete() {
			if !types.Implements(t, it) {
				continue
			}
			obj, _, _ := types.LookupFieldOrMethod(t, true, m.Pkg(), m.Name())
			if fn, ok := obj.(*types.Func); ok {
				if f := p.Func(fn); f != nil {
					out = append(out, f)
				}
			}
		}
	}
	g.impls[m] = out
	return out
}

// concrete returns pointers to the package's named non-interface types.
func (g *growth) concrete() []types.Type {
	if g.named != nil {
		return g.named
	}
	g.named = []types.Type{}
	scope := g.s.pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || types.IsInterface(tn.Type()) {
			continue
		}
		if n, ok := tn.Type().(*types.Named); ok && n.TypeParams().Len() > 0 {
			continue // generic: its methods are instantiated elsewhere
		}
		g.named = append(g.named, types.NewPointer(tn.Type()))
	}
	return g.named
}

// calleesOf returns the functions a call can reach that this package
// shows: the static callee, an interface's implementations in the package,
// the functions a called field or value holds.
func (g *growth) calleesOf(c *ssa.CallCommon) []*ssa.Function {
	if c.IsInvoke() {
		return g.implementations(c.Value.Type(), c.Method)
	}
	if f := c.StaticCallee(); f != nil {
		return []*ssa.Function{f}
	}
	if _, ok := c.Value.(*ssa.Builtin); ok {
		return nil
	}
	return g.funcsOf(c.Value, map[ssa.Value]bool{})
}

func funcObj(f *ssa.Function) *types.Func {
	obj, _ := f.Object().(*types.Func)
	return obj
}

// valueKind classifies a duration value.
// walkState is one classification's path (the values being classified,
// to see updates round a loop) and its budget.
type walkState struct {
	on    map[ssa.Value]bool
	steps int
}

// maxSteps bounds one classification: a delay is a few operations.
const maxSteps = 500

func newWalk() *walkState { return &walkState{on: map[ssa.Value]bool{}} }

func (g *growth) valueKind(v ssa.Value, st *walkState) dkind {
	if st.on[v] {
		return dConst // carried round a loop unchanged; arithmetic on it is growth (below)
	}
	if st.steps++; st.steps > maxSteps {
		return dUnknown
	}
	st.on[v] = true
	defer delete(st.on, v)
	switch v := v.(type) {
	case *ssa.Const:
		return dConst
	case *ssa.Convert:
		return g.valueKind(v.X, st)
	case *ssa.ChangeType:
		return g.valueKind(v.X, st)
	case *ssa.Parameter:
		if b, ok := v.Type().Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 && match.AttemptName(v.Name()) {
			return dGrow // backoff(retries): grows with the attempt it is given
		}
		return dScale
	case *ssa.FreeVar:
		return dScale
	case *ssa.UnOp:
		if v.Op == token.MUL {
			return dScale // a field or global: configuration
		}
		return dUnknown
	case *ssa.BinOp:
		x, y := g.valueKind(v.X, st), g.valueKind(v.Y, st)
		if v.Op == token.SHL && y != dConst || carried(v.X, st) || carried(v.Y, st) {
			return join(join(x, y), dGrow) // d << n, d = d * 2 round a loop
		}
		return join(x, y)
	case *ssa.Phi:
		k := dConst
		for _, e := range v.Edges {
			k = join(k, g.valueKind(e, st))
		}
		return k
	case *ssa.Call:
		return g.callKind(&v.Call, st)
	}
	return dUnknown
}

// carried reports whether v is a value being classified further up: the
// operand of an update round a loop.
func carried(v ssa.Value, st *walkState) bool {
	for {
		switch c := v.(type) {
		case *ssa.Convert:
			v = c.X
			continue
		case *ssa.ChangeType:
			v = c.X
			continue
		}
		_, phi := v.(*ssa.Phi)
		return phi && st.on[v]
	}
}

func (g *growth) callKind(c *ssa.CallCommon, st *walkState) dkind {
	if b, ok := c.Value.(*ssa.Builtin); ok {
		if b.Name() != "min" && b.Name() != "max" {
			return dUnknown
		}
		k := dConst
		for _, a := range c.Args {
			k = join(k, g.valueKind(a, st))
		}
		return k
	}
	if f := c.StaticCallee(); f != nil {
		obj := funcObj(f)
		switch {
		case obj != nil && obj.Pkg() != nil && isRandPkg(obj.Pkg().Path()),
			strings.Contains(strings.ToLower(f.Name()), "jitter"),
			match.IsFunc(obj, RuntimeRetry, "Backoff"):
			return dJitter
		case match.IsFunc(obj, "math", "Pow", "Exp2"):
			for _, a := range c.Args {
				if g.valueKind(a, st) != dConst {
					return dGrow
				}
			}
			return dConst
		}
	}
	fs := g.calleesOf(c)
	if len(fs) == 0 {
		return dUnknown
	}
	k := dConst
	for _, f := range fs {
		if f.Pkg != g.s.ssa.Get().Pkg {
			return dUnknown
		}
		k = join(k, g.delayOf(f))
	}
	return k
}

// delayOf classifies the duration f returns; dUnknown when it returns none.
func (g *growth) delayOf(f *ssa.Function) dkind {
	if k, ok := g.delay[f]; ok {
		return k
	}
	g.delay[f] = dUnknown // recursion: unknown
	res := f.Signature.Results()
	idx := -1
	for i := 0; i < res.Len(); i++ {
		if match.IsNamed(res.At(i).Type(), "time", "Duration") {
			idx = i
			break
		}
	}
	k := dUnknown
	if idx >= 0 {
		k = dConst
		returns := 0
		for _, b := range f.Blocks {
			if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && idx < len(r.Results) {
				returns++
				k = join(k, g.valueKind(r.Results[idx], newWalk()))
			}
		}
		if returns == 0 {
			k = dUnknown
		}
	}
	g.delay[f] = k
	return k
}

// waitOf classifies the durations f waits, itself or in the package
// functions it calls; dUnknown when it waits on nothing it shows.
func (g *growth) waitOf(f *ssa.Function) dkind {
	if k, ok := g.waitK[f]; ok {
		return k
	}
	g.waitK[f] = dUnknown
	k, waits := dConst, false
	for _, b := range f.Blocks {
		for _, ins := range b.Instrs {
			call, ok := ins.(ssa.CallInstruction)
			if !ok {
				continue
			}
			c := call.Common()
			for _, callee := range g.calleesOf(c) {
				obj := funcObj(callee)
				switch {
				case match.WaitOf(obj) == match.Sleep || match.IsFunc(obj, "time", "After", "NewTimer") ||
					match.IsMethod(obj, "time", "Timer", "Reset"):
					args := c.Args
					if c.Signature().Recv() != nil && !c.IsInvoke() && len(args) > 1 {
						args = args[1:] // the timer of Reset
					}
					if len(args) == 1 {
						waits = true
						k = join(k, g.valueKind(args[0], newWalk()))
					}
				case callee.Pkg == g.s.ssa.Get().Pkg && g.s.by[callee] != nil && g.s.by[callee].Waits:
					waits = true
					k = join(k, g.waitOf(callee))
				}
			}
		}
	}
	if !waits || k == dScale {
		k = dUnknown
	}
	g.waitK[f] = k
	return k
}

// fieldFuncs returns the functions the package stores in a function-valued
// field, after computing the package's summaries.
func (s *summaries) fieldFuncs(fld *types.Var) []*ssa.Function {
	if s == nil || fld == nil || fld.Pkg() != s.pkg {
		return nil
	}
	if !s.done {
		s.compute()
	}
	return s.g.FieldFuncs(fld)
}

// fieldDelay classifies the durations the functions held in a field return
// (backoffFunc: ExponentialBackoff(2, d) set by the constructor).
func (s *summaries) fieldDelay(fld *types.Var) WaitKind {
	fs := s.fieldFuncs(fld)
	if len(fs) == 0 {
		return WaitUnknown
	}
	k := dConst
	for _, f := range fs {
		if f.Pkg != s.ssa.Get().Pkg {
			return WaitUnknown
		}
		k = join(k, s.g.delayOf(f))
	}
	return k.wait()
}

// fieldSleeps reports whether every function the package stores in a
// function-valued field sleeps blind: time.Sleep itself, or a package
// function that sleeps without watching a context.
func (s *summaries) fieldSleeps(fld *types.Var) bool {
	fs := s.fieldFuncs(fld)
	for _, f := range fs {
		obj := funcObj(f)
		switch {
		case match.WaitOf(obj) == match.Sleep:
		case f.Pkg == s.ssa.Get().Pkg && s.by[f] != nil && s.by[f].BlindWait():
		default:
			return false
		}
	}
	return len(fs) > 0
}

func (k WaitKind) dkind() dkind {
	switch k {
	case WaitConstant:
		return dConst
	case WaitGrowing:
		return dGrow
	case WaitJittered:
		return dJitter
	}
	return dUnknown
}
