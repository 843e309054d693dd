package lockupgrade

import (
	"fmt"
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// A stale upgrade is a bug only when the stale decision has an effect:
//
//   - a lost update: the value written is computed from the stale read;
//   - a value created twice: concurrent callers that all saw the state
//     missing each build and store their own (a lookup-miss-then-insert of
//     a connection, client or entry), and all but one are thrown away;
//   - a transition applied twice: a constant written on a decision a
//     re-check could reverse (a breaker that saw Open goes HalfOpen again);
//   - a side effect repeated under the stale decision: a goroutine started,
//     a counter applied or a channel closed by every concurrent caller.
//
// Nothing stale reaches a write that stores a value computed from the state
// read again under the same Lock, the constant the decision was about
// (`if !started { started = true }`), or metadata memoised per reflect.Type
// (concurrent misses store equal values): a re-check could only skip a
// write that changes nothing. Nor does the miss-path store of a set-once
// memo (memo.go): a field or variable written nowhere else whose value owns
// nothing, where concurrent misses only fetch twice. Those are reported only
// for a side effect next to them.

// effect returns what the stale decision on s does through w, in words that
// follow "so concurrent callers", or "" when nothing stale reaches it.
func (f *fnState) effect(s source, w write) string {
	if w.helper != nil {
		switch {
		case w.helperFn.Object() != nil && w.helperFn.Object().Exported():
			// A setter of the type's API: each call is atomic, and a
			// caller composing getter and setter owns that sequence.
			return ""
		case w.helper.fresh || !f.lookupMiss(s, w):
			// A setter replacing the whole value with what the caller
			// computed: only a side effect of the stale decision is lost.
			return f.sideEffect(s)
		}
		return missing
	}
	if f.freshValue(w) {
		// The state itself is read again: stale values may be part of
		// what is added to it, but no concurrent change is lost.
		return f.sideEffect(s)
	}
	full := f.closure(s.v, false)
	for _, v := range w.vals {
		if full.vals[v] {
			return "lose an update: the value written is computed from the stale read"
		}
	}
	switch {
	case f.constantOfDecision(s, w):
		return f.sideEffect(s)
	case isTypeMemo(w):
		return f.sideEffect(s)
	case isConst(w.vals):
		return "may each make this change, undoing one made in between"
	case f.lookupMiss(s, w):
		if f.setOnceMemo(w) {
			return f.sideEffect(s)
		}
		return missing
	}
	return f.sideEffect(s)
}

// lookupMiss reports whether w runs on a decision that the stale read found
// nothing: a comma-ok lookup that missed, the value compared with nil or
// another zero constant, or its length compared with zero. Only then do
// concurrent callers each create what they saw missing.
func (f *fnState) lookupMiss(s source, w write) bool {
	dec := f.closure(s.v, true)
	for _, b := range dec.ifs {
		if !f.guarded([]*ssa.BasicBlock{b})[w.instr.Block().Index] {
			continue
		}
		if f.missTest(b.Instrs[len(b.Instrs)-1].(*ssa.If).Cond, dec, 0) {
			return true
		}
	}
	return false
}

// missTest reports whether cond, or an operand of it joined by !, && or ||,
// tests a value of dec for absence.
func (f *fnState) missTest(cond ssa.Value, dec *closure, depth int) bool {
	if depth > 8 {
		return false
	}
	if f.misses[cond] {
		return true
	}
	switch c := cond.(type) {
	case *ssa.UnOp:
		if c.Op == token.NOT {
			return f.missTest(c.X, dec, depth+1)
		}
		// A local variable holding the test (a result kept for a
		// deferred unlock).
		if a, ok := c.X.(*ssa.Alloc); ok && c.Op == token.MUL && a.Referrers() != nil {
			for _, r := range *a.Referrers() {
				if st, ok := r.(*ssa.Store); ok && st.Addr == a && f.missTest(st.Val, dec, depth+1) {
					return true
				}
			}
		}
	case *ssa.Phi:
		for _, e := range c.Edges {
			if dec.vals[e] && f.missTest(e, dec, depth+1) {
				return true
			}
		}
	case *ssa.Extract:
		switch t := c.Tuple.(type) {
		case *ssa.Lookup:
			return c.Index == 1 && t.CommaOk && dec.vals[t]
		case *ssa.TypeAssert:
			return c.Index == 1 && t.CommaOk && dec.vals[t]
		}
	case *ssa.BinOp:
		if c.Op != token.EQL && c.Op != token.NEQ && c.Op != token.GTR && c.Op != token.LSS && c.Op != token.LEQ && c.Op != token.GEQ {
			return false
		}
		for _, pair := range [][2]ssa.Value{{c.X, c.Y}, {c.Y, c.X}} {
			k, ok := pair[1].(*ssa.Const)
			if !ok || !dec.vals[pair[0]] || !(k.IsNil() || (k.Value != nil && isZero(k))) {
				continue
			}
			return true
		}
	}
	return false
}

// isZero reports whether k is the zero of its basic kind ("" or 0).
func isZero(k *ssa.Const) bool {
	switch k.Value.Kind() {
	case constant.String:
		return constant.StringVal(k.Value) == ""
	case constant.Int, constant.Float:
		return constant.Sign(k.Value) == 0
	}
	return false
}

const missing = "that all saw it missing each create and store their own, and all but the last are lost"

// freshValue reports whether the value w stores is computed from the same
// state read again after w's Lock (a read-modify-write under the lock).
func (f *fnState) freshValue(w write) bool {
	if len(w.vals) == 0 {
		return false
	}
	seen := map[ssa.Value]bool{}
	work := append([]ssa.Value(nil), w.vals...)
	for len(work) > 0 && len(seen) < maxClosure {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		if v == nil || seen[v] {
			continue
		}
		seen[v] = true
		if ld, ok := v.(*ssa.UnOp); ok && ld.Op == token.MUL && f.locked[ld] == w.lockPos {
			if s, ok := stateOf(f.mutexes[w.mu], addrOf(ld.X)); ok && s == w.state {
				return true
			}
		}
		instr, ok := v.(ssa.Instruction)
		if !ok {
			continue
		}
		for _, op := range instr.Operands(nil) {
			if op != nil && *op != nil {
				work = append(work, *op)
			}
		}
	}
	return false
}

// constantOfDecision reports whether w stores the constant the decision on
// s was about: `if x != c { x = c }`, `if !done { done = true }`, a set
// insert on a miss (`if _, ok := m[k]; !ok { m[k] = struct{}{} }`). A
// re-check could only find the state already holding it.
func (f *fnState) constantOfDecision(s source, w write) bool {
	if len(w.vals) != 1 {
		return false
	}
	c, ok := w.vals[0].(*ssa.Const)
	if !ok {
		return false
	}
	isBool := c.Value != nil && c.Value.Kind() == constant.Bool
	// of reports whether v is the state read, or its entry for a key.
	of := func(v ssa.Value) bool {
		if l, ok := v.(*ssa.Lookup); ok && !l.CommaOk {
			v = l.X
		}
		return v == s.v
	}
	for _, b := range f.closure(s.v, true).ifs {
		// Only a test that decides whether w runs: the other cases of a
		// switch on the same state compare it with other constants.
		if !f.guarded([]*ssa.BasicBlock{b})[w.instr.Block().Index] {
			continue
		}
		cond := b.Instrs[len(b.Instrs)-1].(*ssa.If).Cond
		if n, ok := cond.(*ssa.UnOp); ok && n.Op == token.NOT {
			cond = n.X
		}
		if e, ok := cond.(*ssa.Extract); ok && e.Index == 1 {
			if l, ok := e.Tuple.(*ssa.Lookup); ok && l.CommaOk && l.X == s.v {
				return true // present or not: a constant insert
			}
		}
		if of(cond) && isBool {
			return true
		}
		if f.comparesWith(cond, c, of) {
			return true
		}
	}
	// The comparison may reach the branch through && and || (a phi), on a
	// field reached through the state: the field compared with the
	// constant is the one written.
	st, ok := w.instr.(*ssa.Store)
	if !ok {
		return false
	}
	same := func(v ssa.Value) bool {
		ld, ok := v.(*ssa.UnOp)
		return ok && ld.Op == token.MUL && addrOf(ld.X) == addrOf(st.Addr)
	}
	for _, blk := range f.fn.Blocks {
		for _, in := range blk.Instrs {
			v, ok := in.(*ssa.BinOp)
			if !ok || !f.comparesWith(v, c, same) {
				continue
			}
			for _, b := range f.closure(v, true).ifs {
				if f.guarded([]*ssa.BasicBlock{b})[w.instr.Block().Index] {
					return true
				}
			}
		}
	}
	return false
}

// comparesWith reports whether v is x == c or x != c with is(x).
func (f *fnState) comparesWith(v ssa.Value, c *ssa.Const, is func(ssa.Value) bool) bool {
	x, ok := v.(*ssa.BinOp)
	if !ok || (x.Op != token.EQL && x.Op != token.NEQ) || c.Value == nil {
		return false
	}
	other := x.Y
	if is(x.Y) {
		other = x.X
	} else if !is(x.X) {
		return false
	}
	oc, ok := other.(*ssa.Const)
	return ok && oc.Value != nil && oc.Value.Kind() == c.Value.Kind() && constant.Compare(oc.Value, token.EQL, c.Value)
}

// isTypeMemo reports whether w stores into a map keyed by reflect.Type: a
// memo of metadata computed from the type, where concurrent misses store
// equal values and the last store loses nothing.
func isTypeMemo(w write) bool {
	u, ok := w.instr.(*ssa.MapUpdate)
	return ok && match.IsNamed(u.Key.Type(), "reflect", "Type")
}

func isConst(vals []ssa.Value) bool {
	if len(vals) != 1 {
		return false
	}
	_, ok := vals[0].(*ssa.Const)
	return ok
}

// sideEffect describes the first effect, in the blocks the decision on s
// controls, that concurrent callers would each repeat: a goroutine started,
// a channel closed, or other state of the mutex updated from its own value
// (a counter applied). "" when there is none.
func (f *fnState) sideEffect(s source) string {
	dec := f.closure(s.v, true)
	if len(dec.ifs) == 0 {
		return ""
	}
	ctrl := f.controls(dec)
	for _, b := range f.fn.Blocks {
		if !ctrl[b.Index] {
			continue
		}
		for _, in := range b.Instrs {
			switch in := in.(type) {
			case *ssa.Go:
				return fmt.Sprintf("each start the goroutine at %s", f.c.line(in.Pos(), s.readPos))
			case *ssa.Call:
				if bi, ok := in.Common().Value.(*ssa.Builtin); ok && bi.Name() == "close" {
					return fmt.Sprintf("each close the channel at %s, and the second close panics", f.c.line(in.Pos(), s.readPos))
				}
			case *ssa.Store:
				if name, ok := f.counter(s.mu, in.Addr, in.Val); ok {
					return fmt.Sprintf("each apply the update of %s at %s", name, f.c.line(in.Pos(), s.readPos))
				}
			}
		}
	}
	return ""
}

// counter reports whether storing val at a updates state of mutex mu from
// its own value (n++, total += x), and names it.
func (f *fnState) counter(mu int, a ssa.Value, val ssa.Value) (string, bool) {
	st, ok := stateOf(f.mutexes[mu], addrOf(a))
	if !ok {
		return "", false
	}
	bin, ok := val.(*ssa.BinOp)
	if !ok || (bin.Op != token.ADD && bin.Op != token.SUB) {
		return "", false
	}
	for _, op := range []ssa.Value{bin.X, bin.Y} {
		if ld, ok := op.(*ssa.UnOp); ok && ld.Op == token.MUL && addrOf(ld.X) == addrOf(a) {
			return stateName(a, st), true
		}
	}
	return "", false
}
