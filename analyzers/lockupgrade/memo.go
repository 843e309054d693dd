package lockupgrade

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// A set-once memo is a field or package variable that the package fills
// only on a lookup miss (`if c.info == nil { ...; c.info = v }`) and never
// resets or writes elsewhere, with a value that owns nothing: concurrent
// misses each fetch and store an equivalent value, and the ones replaced
// are plain data that nothing needs to release. A re-check would save a
// duplicate fetch, not a lost update or a leak.

// setOnceMemo reports whether w is the miss-path store of a set-once memo
// whose value owns no resource.
func (f *fnState) setOnceMemo(w write) bool {
	st, ok := w.instr.(*ssa.Store)
	if !ok || addrOf(st.Addr) != w.state {
		return false // an entry of a map or slice, or part of the state
	}
	key, ok := memoKey(st.Addr)
	if !ok || !f.c.onlyStore(key, st) {
		return false
	}
	return !ownsResource(st.Val)
}

// memoKey names, across the package, the location a stores into: a struct
// field (whatever the struct value) or a package variable.
func memoKey(a ssa.Value) (any, bool) {
	switch a := a.(type) {
	case *ssa.FieldAddr:
		s, ok := a.X.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Struct)
		if !ok {
			return nil, false
		}
		return s.Field(a.Field), true
	case *ssa.Global:
		return a, true
	}
	return nil, false
}

// memoWrites are the writes of one location across the package.
type memoWrites struct {
	stores []*ssa.Store
	others []token.Pos // other writes: its address escapes
}

// onlyStore reports whether st is the only write of key in the package,
// apart from stores into a composite literal being built (`&T{info: v}`),
// stores of a result of st's own function (a copy of what the memo's
// loader returned) and, for st outside tests, the set-up writes of tests.
func (c *checker) onlyStore(key any, st *ssa.Store) bool {
	c.scanWrites()
	mw := c.writesOf[key]
	if mw == nil {
		return false
	}
	counts := func(pos token.Pos) bool { return c.inTest(st.Pos()) || !c.inTest(pos) }
	others := mw.others
	if v, ok := key.(*types.Var); ok {
		others = append(others[:len(others):len(others)], c.wholeStores[v]...)
	}
	for _, pos := range others {
		if counts(pos) {
			return false
		}
	}
	for _, o := range mw.stores {
		if o == st || fromComplit(o.Addr) || loaderResult(o.Val, st.Parent()) || !counts(o.Pos()) {
			continue
		}
		return false
	}
	return true
}

// inTest reports whether pos lies in a _test.go file.
func (c *checker) inTest(pos token.Pos) bool {
	return strings.HasSuffix(c.pass.Fset.Position(pos).Filename, "_test.go")
}

// scanWrites records, once per package, every store into a field or a
// package variable and every other way one may be written.
func (c *checker) scanWrites() {
	if c.writesOf != nil {
		return
	}
	c.writesOf = map[any]*memoWrites{}
	c.wholeStores = map[*types.Var][]token.Pos{}
	get := func(k any) *memoWrites {
		mw := c.writesOf[k]
		if mw == nil {
			mw = &memoWrites{}
			c.writesOf[k] = mw
		}
		return mw
	}
	var ops []*ssa.Value
	for _, fn := range c.withInit() {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				if st, ok := in.(*ssa.Store); ok {
					if k, ok := memoKey(st.Addr); ok {
						get(k).stores = append(get(k).stores, st)
					}
					// `*p = T{}` writes every field of T.
					if s, ok := st.Val.Type().Underlying().(*types.Struct); ok && !fromAlloc(st.Addr) && !fromComplit(st.Addr) {
						for i := range s.NumFields() {
							c.wholeStores[s.Field(i)] = append(c.wholeStores[s.Field(i)], st.Pos())
						}
					}
				}
				if fa, ok := in.(*ssa.FieldAddr); ok {
					if k, ok := memoKey(fa); ok && escapes(fa, fa.Referrers()) {
						get(k).others = append(get(k).others, fa.Pos())
					}
				}
				ops = in.Operands(ops[:0])
				for _, op := range ops {
					g, ok := (*op).(*ssa.Global)
					if !ok {
						continue
					}
					if escapes(g, &[]ssa.Instruction{in}) {
						get(g).others = append(get(g).others, in.Pos())
					}
				}
			}
		}
	}
}

// withInit returns the package's functions together with its
// initialisation code (package variable initialisers and init functions),
// which are not among the declared functions.
func (c *checker) withInit() []*ssa.Function {
	fns := append([]*ssa.Function(nil), c.all...)
	seen := map[*ssa.Function]bool{}
	for _, fn := range fns {
		seen[fn] = true
	}
	var add func(*ssa.Function)
	add = func(fn *ssa.Function) {
		if fn == nil || seen[fn] || fn.Pkg != c.pkg {
			return
		}
		seen[fn] = true
		fns = append(fns, fn)
		for _, anon := range fn.AnonFuncs {
			add(anon)
		}
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				if call, ok := in.(*ssa.Call); ok {
					add(call.Common().StaticCallee())
				}
			}
		}
	}
	add(c.pkg.Func("init"))
	return fns
}

// escapes reports whether one of refs uses address a other than to load
// from it or store into it.
func escapes(a ssa.Value, refs *[]ssa.Instruction) bool {
	if refs == nil {
		return false
	}
	for _, r := range *refs {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr == a && r.Val != a {
				continue
			}
		case *ssa.UnOp:
			if r.Op == token.MUL {
				continue
			}
		case *ssa.DebugRef:
			continue
		}
		return true
	}
	return false
}

// fromComplit reports whether a is a field of a composite literal being
// built: no one else can see it yet.
func fromComplit(a ssa.Value) bool {
	fa, ok := a.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	al, ok := fa.X.(*ssa.Alloc)
	return ok && al.Comment == "complit"
}

// fromAlloc reports whether a is a local variable of the function, or a
// composite literal being built.
func fromAlloc(a ssa.Value) bool {
	_, ok := a.(*ssa.Alloc)
	return ok
}

// loaderResult reports whether v is a result of a call of loader.
func loaderResult(v ssa.Value, loader *ssa.Function) bool {
	if e, ok := v.(*ssa.Extract); ok {
		v = e.Tuple
	}
	call, ok := v.(*ssa.Call)
	return ok && call.Common().StaticCallee() == loader
}

// lifecycle are the methods of a value that must be released or stopped.
var lifecycle = []string{"Close", "Stop", "Shutdown", "Cancel", "Release"}

// ownsResource reports whether the value v, or the struct it points to,
// has a lifecycle: a Close, Stop, Shutdown, Cancel or Release method, a
// channel, a cancel function or sync state of its own; or whether it is a
// map or slice. An interface value of unknown dynamic type counts as
// owning one.
func ownsResource(v ssa.Value) bool {
	t := v.Type()
	if mi, ok := v.(*ssa.MakeInterface); ok {
		t = mi.X.Type()
	} else if types.IsInterface(t) {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Map, *types.Slice:
		// A container its holders fill: entries added to a replaced one
		// are lost.
		return true
	case *types.Pointer:
		t = u.Elem()
	}
	return owns(t, 0)
}

// owns reports whether a value of type t, held by value, has a lifecycle.
func owns(t types.Type, depth int) bool {
	if depth > 5 {
		return false
	}
	if hasLifecycle(t) || isSyncState(t) || match.IsNamed(t, "context", "CancelFunc") || match.IsNamed(t, "context", "CancelCauseFunc") {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Chan:
		return true
	case *types.Struct:
		for i := range u.NumFields() {
			if owns(u.Field(i).Type(), depth+1) {
				return true
			}
		}
	case *types.Array:
		return u.Len() > 0 && owns(u.Elem(), depth+1)
	case *types.Pointer:
		return refOwns(u.Elem())
	case *types.Slice:
		return refOwns(u.Elem())
	case *types.Map:
		return refOwns(u.Elem())
	}
	return false
}

// refOwns reports whether something reached through a reference of type
// t is a resource: only its own methods, or its being a channel, tell.
func refOwns(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	_, isChan := t.Underlying().(*types.Chan)
	return isChan || hasLifecycle(t)
}

// hasLifecycle reports whether t or *t has one of the lifecycle methods.
func hasLifecycle(t types.Type) bool {
	for _, name := range lifecycle {
		obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
		if _, ok := obj.(*types.Func); ok {
			return true
		}
	}
	return false
}

// isSyncState reports whether t is a type of package sync or sync/atomic.
func isSyncState(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	p := n.Obj().Pkg().Path()
	return p == "sync" || p == "sync/atomic"
}
