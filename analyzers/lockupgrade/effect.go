package lockupgrade

import (
	"fmt"
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ssa"
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
// read again under the same Lock, or the constant the decision was about
// (`if !started { started = true }`): a re-check could only skip a write
// that changes nothing. Those are reported only for a side effect next to
// them.

// effect returns what the stale decision on s does through w, in words that
// follow "so concurrent callers", or "" when nothing stale reaches it.
func (f *fnState) effect(s source, w write) string {
	if w.helper != nil {
		if w.helper.fresh {
			return f.sideEffect(s)
		}
		return missing
	}
	full := f.closure(s.v, false)
	for _, v := range w.vals {
		if full.vals[v] {
			return "lose an update: the value written is computed from the stale read"
		}
	}
	switch {
	case f.freshValue(w):
		return f.sideEffect(s)
	case f.constantOfDecision(s, w):
		return f.sideEffect(s)
	case isConst(w.vals):
		return "may each make this change, undoing one made in between"
	}
	return missing
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
		if x, ok := cond.(*ssa.BinOp); ok && (x.Op == token.EQL || x.Op == token.NEQ) && c.Value != nil {
			other := x.Y
			if of(x.Y) {
				other = x.X
			} else if !of(x.X) {
				continue
			}
			if oc, ok := other.(*ssa.Const); ok && oc.Value != nil && oc.Value.Kind() == c.Value.Kind() && constant.Compare(oc.Value, token.EQL, c.Value) {
				return true
			}
		}
	}
	return false
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
