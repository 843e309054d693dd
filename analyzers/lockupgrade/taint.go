package lockupgrade

import (
	"golang.org/x/tools/go/ssa"
)

// closure is everything computed from one value inside its function: the
// values derived from it (through operators, phis, extracts of multiple
// results, calls, and locals kept in memory), the blocks whose branch
// condition it feeds, and whether it reaches a return.
//
// A decision closure passes through a call only when the value is the
// receiver or the callee is a builtin: the error of dial(ctx) says nothing
// about the ctx read under the lock. Neither kind follows fields of a
// pointer read from the state: that object has its own synchronisation.
type closure struct {
	vals     map[ssa.Value]bool
	ifs      []*ssa.BasicBlock
	returned bool
	ctrl     map[int]bool // blocks control dependent on ifs, computed once
}

// controls returns the blocks whose execution cl's branches decide.
func (f *fnState) controls(cl *closure) map[int]bool {
	if cl.ctrl == nil {
		cl.ctrl = f.guarded(cl.ifs)
	}
	return cl.ctrl
}

const maxClosure = 2000

func (f *fnState) closure(seed ssa.Value, decision bool) *closure {
	key := closureKey{seed, decision}
	if cl, ok := f.closures[key]; ok {
		return cl
	}
	cl := &closure{vals: map[ssa.Value]bool{seed: true}}
	f.closures[key] = cl
	work := []ssa.Value{seed}
	add := func(v ssa.Value) {
		if !cl.vals[v] && len(cl.vals) < maxClosure {
			cl.vals[v] = true
			work = append(work, v)
		}
	}
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		refs := v.Referrers()
		if refs == nil {
			continue
		}
		for _, r := range *refs {
			switch r := r.(type) {
			case *ssa.If:
				cl.ifs = append(cl.ifs, r.Block())
			case *ssa.Return:
				cl.returned = true
			case *ssa.Store:
				// A local variable holding the value: its loads carry it.
				if r.Val == v {
					if a := localOf(r.Addr); a != nil {
						add(a)
					}
				}
			case *ssa.Call:
				if _, _, ok := lockOp(r.Common()); !ok && (!decision || passesDecision(r.Common(), v)) {
					add(r)
				}
			case *ssa.FieldAddr:
				switch r.X.(type) {
				case *ssa.Alloc, *ssa.FieldAddr, *ssa.IndexAddr:
					add(r)
				}
			case ssa.Value:
				add(r)
			}
		}
	}
	return cl
}

type closureKey struct {
	v        ssa.Value
	decision bool
}

// passesDecision reports whether a decision on v can flow through call.
func passesDecision(call *ssa.CallCommon, v ssa.Value) bool {
	if _, ok := call.Value.(*ssa.Builtin); ok {
		return true
	}
	if call.IsInvoke() {
		return call.Value == v
	}
	if fn := call.StaticCallee(); fn != nil && fn.Signature.Recv() != nil && len(call.Args) > 0 {
		return call.Args[0] == v
	}
	return false
}

// localOf returns the local variable (or variadic array) that address a
// points into, or nil.
func localOf(a ssa.Value) *ssa.Alloc {
	for {
		switch x := a.(type) {
		case *ssa.Alloc:
			return x
		case *ssa.FieldAddr:
			a = x.X
		case *ssa.IndexAddr:
			a = x.X
		default:
			return nil
		}
	}
}

// postdom holds the post-dominator sets of a function's blocks, for control
// dependence.
type postdom struct {
	n    int
	sets [][]uint64 // sets[b] has bit a: a post-dominates b
}

func (p *postdom) has(b, a int) bool { return p.sets[b][a/64]&(1<<(uint(a)%64)) != 0 }

func newPostdom(fn *ssa.Function) *postdom {
	n := len(fn.Blocks)
	words := (n + 64) / 64 // one more bit: the virtual exit
	exit := n
	p := &postdom{n: n, sets: make([][]uint64, n+1)}
	full := make([]uint64, words)
	for i := range full {
		full[i] = ^uint64(0)
	}
	// Blocks that cannot reach a return (endless loops) get an edge to the
	// virtual exit, so that their branches still control something.
	reaches := make([]bool, n)
	var stack []*ssa.BasicBlock
	for _, b := range fn.Blocks {
		if len(b.Succs) == 0 {
			reaches[b.Index] = true
			stack = append(stack, b)
		}
	}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, pr := range b.Preds {
			if !reaches[pr.Index] {
				reaches[pr.Index] = true
				stack = append(stack, pr)
			}
		}
	}
	succs := func(b *ssa.BasicBlock) []int {
		var s []int
		for _, x := range b.Succs {
			s = append(s, x.Index)
		}
		if len(b.Succs) == 0 || !reaches[b.Index] {
			s = append(s, exit)
		}
		return s
	}
	p.sets[exit] = make([]uint64, words)
	p.sets[exit][exit/64] |= 1 << (uint(exit) % 64)
	for i := 0; i < n; i++ {
		p.sets[i] = append([]uint64(nil), full...)
	}
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			next := append([]uint64(nil), full...)
			for _, s := range succs(fn.Blocks[i]) {
				for w := range next {
					next[w] &= p.sets[s][w]
				}
			}
			next[i/64] |= 1 << (uint(i) % 64)
			for w := range next {
				if next[w] != p.sets[i][w] {
					p.sets[i] = next
					changed = true
					break
				}
			}
		}
	}
	return p
}

// guarded returns the blocks control dependent, directly or through nested
// branches, on the branches at the ends of ifs.
func (f *fnState) guarded(ifs []*ssa.BasicBlock) map[int]bool {
	if f.pd == nil {
		f.pd = newPostdom(f.fn)
	}
	out := map[int]bool{}
	seen := map[int]bool{}
	work := append([]*ssa.BasicBlock(nil), ifs...)
	for len(work) > 0 {
		c := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[c.Index] {
			continue
		}
		seen[c.Index] = true
		for _, s := range c.Succs {
			for _, b := range f.fn.Blocks {
				// b is control dependent on c: it post-dominates a
				// successor of c but does not strictly post-dominate c.
				if !f.pd.has(s.Index, b.Index) || (b != c && f.pd.has(c.Index, b.Index)) {
					continue
				}
				out[b.Index] = true
				if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok && !seen[b.Index] {
					work = append(work, b)
				}
			}
		}
	}
	return out
}

// dependsOn reports whether the write w is control dependent on, or writes a
// value derived from, the source value.
func (f *fnState) dependsOn(w write, src ssa.Value) bool {
	full := f.closure(src, false)
	for _, v := range w.vals {
		if full.vals[v] {
			return true
		}
	}
	dec := f.closure(src, true)
	if len(dec.ifs) == 0 || w.idempotent {
		return false
	}
	return f.controls(dec)[w.instr.Block().Index]
}
