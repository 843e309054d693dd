package lockupgrade

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

type opKind int

const (
	opRLock opKind = iota
	opRUnlock
	opLock
	opUnlock
)

// lockOp recognises calls of sync.RWMutex's RLock, RUnlock, Lock and Unlock
// and returns the mutex's address operand.
func lockOp(call *ssa.CallCommon) (opKind, ssa.Value, bool) {
	callee := call.StaticCallee()
	if callee == nil || len(call.Args) != 1 {
		return 0, nil, false
	}
	obj, _ := callee.Object().(*types.Func)
	if !match.IsMethod(obj, "sync", "RWMutex") {
		return 0, nil, false
	}
	return opOf(obj.Name(), call.Args[0])
}

// mutexOp recognises sync.Mutex's Lock and Unlock: a plain mutex held
// around a whole read-then-write serialises it.
func mutexOp(call *ssa.CallCommon) (opKind, ssa.Value, bool) {
	callee := call.StaticCallee()
	if callee == nil || len(call.Args) != 1 {
		return 0, nil, false
	}
	obj, _ := callee.Object().(*types.Func)
	if !match.IsMethod(obj, "sync", "Mutex", "Lock", "Unlock") {
		return 0, nil, false
	}
	return opOf(obj.Name(), call.Args[0])
}

func opOf(name string, mu ssa.Value) (opKind, ssa.Value, bool) {
	switch name {
	case "RLock":
		return opRLock, mu, true
	case "RUnlock":
		return opRUnlock, mu, true
	case "Lock":
		return opLock, mu, true
	case "Unlock":
		return opUnlock, mu, true
	}
	return 0, nil, false
}

// mstate is what may hold for one mutex at a program point, over all paths.
type mstate struct {
	r        bool      // read lock held
	rPos     token.Pos // the RLock
	u        bool      // on every path, the read lock was released after being held: the upgrade gap
	w        bool      // write lock held
	upgraded bool      // the write lock was taken in the gap
	lockPos  token.Pos
	recheck  uint64 // states read to decide since Lock (bit per state index)
	wMust    bool   // write lock held on every path
}

func (m *mstate) join(o mstate) bool {
	before := *m
	m.r = m.r || o.r
	m.rPos = minPos(m.rPos, o.rPos)
	m.u = m.u && o.u // must: an unrelated earlier read section on one path is no upgrade
	m.w = m.w || o.w
	m.upgraded = m.upgraded || o.upgraded
	m.lockPos = minPos(m.lockPos, o.lockPos)
	m.recheck |= o.recheck
	m.wMust = m.wMust && o.wMust
	return *m != before
}

func minPos(a, b token.Pos) token.Pos {
	if a == token.NoPos || (b != token.NoPos && b < a) {
		return b
	}
	return a
}

// source is a value read from state while the mutex's RLock was held (or
// returned by a helper that read it so).
type source struct {
	v       ssa.Value
	mu      int
	state   addr
	name    string
	readPos token.Pos
	outer   uint64 // other mutexes whose write lock is held around the read
}

// write is a write to state under the write lock with no re-check since Lock.
type write struct {
	instr    ssa.Instruction
	vals     []ssa.Value // values written (data dependence)
	mu       int
	state    addr
	name     string
	lockPos  token.Pos
	upgraded bool
	helper   *lockedWrite // set when a called helper takes the lock itself
	helperFn *ssa.Function
	outer    uint64
	// idempotent writes (delete, clear) are harmless on a stale "present":
	// only a key computed from the stale value makes them wrong.
	idempotent bool
}

type deadlock struct {
	mu        int
	lock, rl  token.Pos
	muDisplay string
	helper    string // " (in name at line N)" when a called helper locks
}

type entryLock struct {
	mu  int
	pos token.Pos
}

// fnState is the per-function analysis.
type fnState struct {
	c         *checker
	fn        *ssa.Function
	mutexes   []addr
	muNames   []string
	deferredR []bool
	states    []addr

	sources   []source
	writes    []write
	fresh     []freshRead
	locks     []entryLock
	deadlocks []deadlock
	returns   []returnPoint

	closures map[closureKey]*closure
	pd       *postdom
	locked   map[*ssa.UnOp]token.Pos // loads under the write lock taken at the Pos
	misses   map[ssa.Value]bool      // helper results that say whether a stale read found anything
}

// freshRead is state read after Lock to decide something.
type freshRead struct {
	v       ssa.Value
	mu      int
	lockPos token.Pos
}

type returnPoint struct {
	ret *ssa.Return
	mu  int
}

func (f *fnState) mutex(a addr, name string) int {
	for i, m := range f.mutexes {
		if m == a {
			return i
		}
	}
	f.mutexes = append(f.mutexes, a)
	f.muNames = append(f.muNames, name)
	f.deferredR = append(f.deferredR, false)
	return len(f.mutexes) - 1
}

func (f *fnState) stateBit(s addr) uint64 {
	for i, x := range f.states {
		if x == s {
			return bitOf(i)
		}
	}
	f.states = append(f.states, s)
	return bitOf(len(f.states) - 1)
}

func bitOf(i int) uint64 {
	if i >= 64 {
		return 0 // beyond 64 states nothing counts as re-checked: stay quiet
	}
	return 1 << uint(i)
}

// analyze runs the lock-state analysis of fn once, reports its findings and
// returns its summary for callers.
func (c *checker) analyze(fn *ssa.Function) *funcResult {
	if r, ok := c.funcs[fn]; ok {
		return r
	}
	res := &funcResult{}
	c.funcs[fn] = res // recursion: callers in a cycle see an empty summary
	f := &fnState{c: c, fn: fn, closures: map[closureKey]*closure{}}
	if !f.prepare() {
		return res
	}
	f.solve()
	f.findings()
	f.summarise(res)
	return res
}

// prepare collects the mutexes fn locks or its helpers lock; false when
// there is nothing to analyse.
func (f *fnState) prepare() bool {
	interesting := false
	for _, b := range f.fn.Blocks {
		for _, in := range b.Instrs {
			switch in := in.(type) {
			case *ssa.Call:
				if _, m, ok := lockOp(in.Common()); ok {
					f.mutex(addrOf(m), nameOf(m))
					interesting = true
					continue
				}
				if _, m, ok := mutexOp(in.Common()); ok {
					f.mutex(addrOf(m), nameOf(m))
					continue
				}
				callee := in.Common().StaticCallee()
				if !f.c.inPkg(callee) || callee == f.fn {
					continue
				}
				res := f.c.analyze(callee)
				for _, s := range res.stale {
					if a, ok := s.mu.at(in.Common()); ok {
						f.mutex(a, "")
						interesting = true
					}
				}
				for _, w := range res.writes {
					if a, ok := w.mu.at(in.Common()); ok {
						f.mutex(a, "")
						interesting = true
					}
				}
				for _, l := range res.locks {
					if a, ok := l.mu.at(in.Common()); ok {
						f.mutex(a, "")
					}
				}
			case *ssa.Defer:
				if k, m, ok := lockOp(in.Common()); ok {
					i := f.mutex(addrOf(m), nameOf(m))
					if k == opRUnlock {
						f.deferredR[i] = true
					}
					interesting = true
				}
			}
		}
	}
	return interesting
}

func (f *fnState) solve() {
	n := len(f.fn.Blocks)
	in := make([][]mstate, n)
	for i := range in {
		in[i] = make([]mstate, len(f.mutexes))
	}
	reached := make([]bool, n)
	reached[0] = true
	work := []*ssa.BasicBlock{f.fn.Blocks[0]}
	queued := make([]bool, n)
	queued[0] = true
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		queued[b.Index] = false
		st := append([]mstate(nil), in[b.Index]...)
		for _, instr := range b.Instrs {
			f.step(instr, st, false)
		}
		for _, s := range b.Succs {
			changed := !reached[s.Index]
			if changed {
				reached[s.Index] = true
				copy(in[s.Index], st)
			} else {
				for i := range st {
					if in[s.Index][i].join(st[i]) {
						changed = true
					}
				}
			}
			if changed && !queued[s.Index] {
				queued[s.Index] = true
				work = append(work, s)
			}
		}
	}
	// Collect facts once, from the fixed point.
	for _, b := range f.fn.Blocks {
		if !reached[b.Index] {
			continue
		}
		st := append([]mstate(nil), in[b.Index]...)
		for _, instr := range b.Instrs {
			f.step(instr, st, true)
		}
	}
}

// step applies instr to st; with collect it also records sources, writes,
// deadlocks and returns.
func (f *fnState) step(instr ssa.Instruction, st []mstate, collect bool) {
	switch in := instr.(type) {
	case *ssa.Call:
		call := in.Common()
		if k, m, ok := lockOp(call); ok {
			f.lockStep(k, f.mutex(addrOf(m), nameOf(m)), call.Pos(), st, collect)
			return
		}
		if k, m, ok := mutexOp(call); ok {
			f.lockStep(k, f.mutex(addrOf(m), nameOf(m)), call.Pos(), st, collect)
			return
		}
		if b, ok := call.Value.(*ssa.Builtin); ok {
			if (b.Name() == "delete" || b.Name() == "clear") && len(call.Args) > 0 {
				n := len(f.writes)
				f.writeStep(in, addrOf(call.Args[0]), call.Args[1:], st, collect)
				for k := n; k < len(f.writes); k++ {
					f.writes[k].idempotent = true
				}
			}
			return
		}
		callee := call.StaticCallee()
		if !f.c.inPkg(callee) || callee == f.fn {
			return
		}
		f.helperStep(in, callee, st, collect)
	case *ssa.UnOp:
		if in.Op != token.MUL {
			return
		}
		a := addrOf(in.X)
		for i := range st {
			s, ok := stateOf(f.mutexes[i], a)
			if !ok {
				continue
			}
			if st[i].r && collect {
				f.sources = append(f.sources, source{v: in, mu: i, state: s, name: stateName(in.X, s), readPos: posOf(in), outer: outer(st, i)})
			}
			if st[i].w && collect {
				if f.locked == nil {
					f.locked = map[*ssa.UnOp]token.Pos{}
				}
				f.locked[in] = st[i].lockPos
			}
			if st[i].w && f.decides(in) {
				st[i].recheck |= f.stateBit(s)
				if collect {
					f.fresh = append(f.fresh, freshRead{v: in, mu: i, lockPos: st[i].lockPos})
				}
			}
		}
	case *ssa.Store:
		f.writeStep(in, addrOf(in.Addr), []ssa.Value{in.Val}, st, collect)
	case *ssa.MapUpdate:
		f.writeStep(in, addrOf(in.Map), []ssa.Value{in.Value}, st, collect)
	case *ssa.Return:
		if !collect {
			return
		}
		for i := range st {
			if (st[i].r && f.deferredR[i]) || (!st[i].r && st[i].u) {
				f.returns = append(f.returns, returnPoint{in, i})
			}
		}
	}
}

func (f *fnState) lockStep(k opKind, i int, pos token.Pos, st []mstate, collect bool) {
	m := &st[i]
	switch k {
	case opRLock:
		m.r = true
		if m.rPos == token.NoPos {
			m.rPos = pos
		}
	case opRUnlock:
		if m.r {
			m.u = true
		}
		m.r, m.rPos = false, token.NoPos
	case opLock:
		if m.r && collect {
			f.deadlocks = append(f.deadlocks, deadlock{mu: i, lock: pos, rl: m.rPos, muDisplay: f.muNames[i]})
		}
		if !m.r && collect {
			f.locks = append(f.locks, entryLock{i, pos})
		}
		m.upgraded = m.u
		m.w, m.wMust, m.lockPos, m.u, m.recheck = true, true, pos, false, 0
	case opUnlock:
		m.w, m.wMust, m.upgraded, m.lockPos, m.recheck = false, false, false, token.NoPos, 0
	}
}

func (f *fnState) writeStep(instr ssa.Instruction, a addr, vals []ssa.Value, st []mstate, collect bool) {
	if !collect {
		return
	}
	for i := range st {
		if !st[i].w {
			continue
		}
		s, ok := stateOf(f.mutexes[i], a)
		if !ok || st[i].recheck&f.stateBit(s) != 0 {
			continue
		}
		f.writes = append(f.writes, write{instr: instr, vals: vals, mu: i, state: s,
			lockPos: st[i].lockPos, upgraded: st[i].upgraded, outer: outer(st, i)})
	}
}

// helperStep applies the summary of a function of the same package called
// at in.
func (f *fnState) helperStep(in *ssa.Call, callee *ssa.Function, st []mstate, collect bool) {
	call := in.Common()
	res := f.c.analyze(callee)
	for _, s := range res.stale {
		mu, ok1 := s.mu.at(call)
		state, ok2 := s.state.at(call)
		if !ok1 || !ok2 {
			continue
		}
		i := f.mutex(mu, "")
		if i >= len(st) || st[i].r || st[i].w {
			continue // called under our own lock: not a released read
		}
		st[i].u = true
		if !collect {
			continue
		}
		// Only the results that carry the read are stale: an error result
		// next to them is not.
		for _, v := range resultValues(in, s.misses) {
			if f.misses == nil {
				f.misses = map[ssa.Value]bool{}
			}
			f.misses[v] = true
		}
		for _, v := range resultValues(in, s.results) {
			f.sources = append(f.sources, source{v: v, mu: i, state: state,
				name: join(nameOf(argOf(call, s.state)), s.field[1:]), readPos: s.readPos, outer: outer(st, i)})
		}
	}
	if collect {
		for k := range res.writes {
			w := &res.writes[k]
			mu, ok1 := w.mu.at(call)
			state, ok2 := w.state.at(call)
			if !ok1 || !ok2 {
				continue
			}
			i := f.mutex(mu, "")
			if i < len(st) && st[i].u && !st[i].r && !st[i].w && !w.idempotent {
				f.writes = append(f.writes, write{instr: in, mu: i, state: state,
					lockPos: in.Pos(), upgraded: true, helper: w, helperFn: callee, outer: outer(st, i)})
			}
		}
	}
	if collect {
		for _, l := range res.locks {
			a, ok := l.mu.at(call)
			if !ok {
				continue
			}
			if i := f.mutex(a, ""); i < len(st) && st[i].r {
				name := "the mutex"
				if l.mu.global != nil {
					name = l.mu.global.Name()
				} else if base := nameOf(argOf(call, l.mu)); base != "" && l.mu.path != "" {
					name = join(base, l.field)
				}
				f.deadlocks = append(f.deadlocks, deadlock{mu: i, lock: call.Pos(), rl: st[i].rPos, muDisplay: name,
					helper: " (in " + callee.Name() + " at " + f.c.line(l.pos, call.Pos()) + ")"})
			}
		}
	}
	held := false
	for i := range st {
		held = held || st[i].w
	}
	if !held {
		return
	}
	acc := f.c.access(callee)
	var rechecked uint64 // mutexes whose state the helper reads again to decide
	for _, r := range acc.checks {
		a, ok := r.at(call)
		if !ok {
			continue
		}
		for i := range st {
			if s, ok := stateOf(f.mutexes[i], a); ok && st[i].w {
				st[i].recheck |= f.stateBit(s)
				rechecked |= bitOf(i)
			}
		}
	}
	for _, r := range acc.writes {
		a, ok := r.at(call)
		if !ok {
			continue
		}
		// A helper that decides again under our Lock, on state of the same
		// mutex, is double-checked locking split into a function: what it
		// writes follows its own re-check.
		for i := range st {
			if s, ok := stateOf(f.mutexes[i], a); ok && st[i].w && rechecked&bitOf(i) != 0 {
				st[i].recheck |= f.stateBit(s)
			}
		}
		f.writeStep(in, a, call.Args, st, collect)
	}
}

// resultValues returns the values of call's results at indices.
func resultValues(call *ssa.Call, indices []int) []ssa.Value {
	if len(indices) == 0 {
		return nil
	}
	if _, ok := call.Type().(*types.Tuple); !ok {
		return []ssa.Value{call}
	}
	var out []ssa.Value
	if refs := call.Referrers(); refs != nil {
		for _, r := range *refs {
			if e, ok := r.(*ssa.Extract); ok && slices.Contains(indices, e.Index) {
				out = append(out, e)
			}
		}
	}
	return out
}

// posOf returns a position for a load, falling back to its address when
// the load itself has none (the operand of a range statement).
func posOf(v *ssa.UnOp) token.Pos {
	if v.Pos().IsValid() {
		return v.Pos()
	}
	return v.X.Pos()
}

// outer returns the mutexes other than i whose write lock is held on every
// path here.
func outer(st []mstate, i int) uint64 {
	var m uint64
	for j := range st {
		if j != i && st[j].wMust {
			m |= bitOf(j)
		}
	}
	return m
}

func argOf(call *ssa.CallCommon, r rel) ssa.Value {
	if r.global != nil {
		return nil
	}
	return call.Args[r.param]
}

// decides reports whether the loaded value v feeds a branch or a result:
// the code looks at it, so reading it after Lock is a re-check.
func (f *fnState) decides(v ssa.Value) bool {
	cl := f.closure(v, false)
	return len(cl.ifs) > 0 || cl.returned
}
