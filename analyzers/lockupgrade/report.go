package lockupgrade

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
)

// findings reports the function's deadlocks and stale upgrades.
func (f *fnState) findings() {
	for _, d := range f.deadlocks {
		mu := d.muDisplay
		if mu == "" {
			mu = "the mutex"
		}
		f.c.report(d.lock, fmt.Sprintf("Lock of %s%s while its RLock from %s is still held deadlocks; RUnlock first and re-check the state after Lock",
			mu, d.helper, f.c.line(d.rl, d.lock)), nil)
	}
	sort.SliceStable(f.sources, func(i, j int) bool { return f.sources[i].readPos < f.sources[j].readPos })
	for _, w := range f.writes {
		if !w.upgraded || (w.helper == nil && f.revalidated(w)) {
			continue
		}
		for _, s := range f.sources {
			// Another lock held around both read and write serialises them.
			if s.mu != w.mu || s.state != w.state || s.outer&w.outer != 0 || !f.dependsOn(w, s.v) {
				continue
			}
			effect := f.effect(s, w)
			if effect == "" {
				continue // nothing stale reaches the write
			}
			at, where := w.lockPos, ""
			if w.helper != nil {
				where = " at " + f.c.line(w.helper.lockPos, at)
			}
			msg := fmt.Sprintf("%s was read under RLock at %s and written after Lock%s without re-checking, so concurrent callers %s; re-check it after Lock or use one Lock for check and update",
				s.name, f.c.line(s.readPos, at), where, effect)
			if f.c.looksLikeBreaker(s.name) {
				msg += ", or use the breaker in " + fixedit.RuntimeBreaker
			}
			var fixes []analysis.SuggestedFix
			if w.helper == nil {
				fixes = f.c.recheckFix(f.fn, s, w)
			}
			f.c.report(at, msg, fixes)
			break
		}
	}
}

// summarise records what callers in the package need: results read under a
// released RLock, and writes under a Lock taken without a re-check.
func (f *fnState) summarise(res *funcResult) {
	for _, rp := range f.returns {
		for _, s := range f.sources {
			if s.mu != rp.mu {
				continue
			}
			cl := f.closure(s.v, true)
			var results []int
			for k, v := range rp.ret.Results {
				if cl.vals[v] {
					results = append(results, k)
				}
			}
			if len(results) == 0 {
				continue
			}
			mu, ok1 := toRel(f.fn, f.mutexes[s.mu])
			st, ok2 := toRel(f.fn, s.state)
			if !ok1 || !ok2 {
				continue
			}
			var misses []int
			dec := f.closure(s.v, true)
			for _, r := range results {
				if f.missTest(rp.ret.Results[r], dec, 0) {
					misses = append(misses, r)
				}
			}
			if k := staleIndex(res.stale, mu, st); k >= 0 {
				for _, r := range results {
					if !slices.Contains(res.stale[k].results, r) {
						res.stale[k].results = append(res.stale[k].results, r)
					}
				}
				for _, r := range misses {
					if !slices.Contains(res.stale[k].misses, r) {
						res.stale[k].misses = append(res.stale[k].misses, r)
					}
				}
				continue
			}
			field := s.name
			if i := strings.LastIndexByte(field, '.'); i >= 0 {
				field = field[i:]
			} else {
				field = "." + field
			}
			res.stale = append(res.stale, staleResult{mu: mu, state: st, field: field, readPos: s.readPos, results: results, misses: misses})
		}
	}
	for _, l := range f.locks {
		mu, ok := toRel(f.fn, f.mutexes[l.mu])
		if !ok || f.deferredR[l.mu] {
			continue
		}
		dup := false
		for _, x := range res.locks {
			dup = dup || x.mu == mu
		}
		if !dup {
			name := f.muNames[l.mu]
			res.locks = append(res.locks, helperLock{mu: mu, field: name[strings.LastIndexByte(name, '.')+1:], pos: l.pos})
		}
	}
	for _, w := range f.writes {
		if w.upgraded || w.helper != nil {
			continue
		}
		mu, ok1 := toRel(f.fn, f.mutexes[w.mu])
		st, ok2 := toRel(f.fn, w.state)
		if !ok1 || !ok2 {
			continue
		}
		dup := false
		for k := range res.writes {
			if x := &res.writes[k]; x.mu == mu && x.state == st {
				dup = true
				x.idempotent = x.idempotent && w.idempotent
				x.fresh = x.fresh && f.freshValue(w)
			}
		}
		if !dup {
			res.writes = append(res.writes, lockedWrite{mu: mu, state: st, lockPos: w.lockPos, idempotent: w.idempotent, fresh: f.freshValue(w)})
		}
	}
}

func staleIndex(list []staleResult, mu, st rel) int {
	for k, x := range list {
		if x.mu == mu && x.state == st {
			return k
		}
	}
	return -1
}

// revalidated reports whether w is control dependent on a decision taken
// after its Lock on state of the same mutex: the author checked, under the
// lock, that the write still applies.
func (f *fnState) revalidated(w write) bool {
	for _, r := range f.fresh {
		if r.mu != w.mu || r.lockPos != w.lockPos {
			continue
		}
		if cl := f.closure(r.v, true); len(cl.ifs) > 0 && f.controls(cl)[w.instr.Block().Index] {
			return true
		}
	}
	return false
}

// access summarises which parameter- or global-rooted state fn reads to
// decide and which it writes, following its own helpers.
func (c *checker) access(fn *ssa.Function) *accessSummary {
	if a, ok := c.accesses[fn]; ok {
		return a
	}
	acc := &accessSummary{}
	c.accesses[fn] = acc
	f := &fnState{c: c, fn: fn, closures: map[closureKey]*closure{}}
	addRel := func(list *[]rel, a addr) {
		if r, ok := toRel(fn, a); ok {
			for _, x := range *list {
				if x == r {
					return
				}
			}
			*list = append(*list, r)
		}
	}
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			switch in := in.(type) {
			case *ssa.UnOp:
				// A re-check may compare through a call of another
				// package (clock.Since(last) < d): any branch on the
				// value counts.
				if in.Op == token.MUL && (f.decides(in) || len(f.closure(in, false).ifs) > 0) {
					addRel(&acc.checks, addrOf(in.X))
				}
			case *ssa.Store:
				addRel(&acc.writes, addrOf(in.Addr))
			case *ssa.MapUpdate:
				addRel(&acc.writes, addrOf(in.Map))
			case *ssa.Call:
				call := in.Common()
				if bi, ok := call.Value.(*ssa.Builtin); ok {
					if (bi.Name() == "delete" || bi.Name() == "clear") && len(call.Args) > 0 {
						addRel(&acc.writes, addrOf(call.Args[0]))
					}
					continue
				}
				callee := call.StaticCallee()
				if !c.inPkg(callee) || callee == fn {
					continue
				}
				sub := c.access(callee)
				for _, r := range sub.checks {
					if a, ok := r.at(call); ok {
						addRel(&acc.checks, a)
					}
				}
				for _, r := range sub.writes {
					if a, ok := r.at(call); ok {
						addRel(&acc.writes, a)
					}
				}
			}
		}
	}
	return acc
}

// looksLikeBreaker reports whether the state named name is the state field
// of a hand-rolled circuit breaker: a field called state in a package that
// declares a half-open constant.
func (c *checker) looksLikeBreaker(name string) bool {
	field := name[strings.LastIndexByte(name, '.')+1:]
	if !strings.Contains(strings.ToLower(field), "state") {
		return false
	}
	scope := c.pass.Pkg.Scope()
	for _, n := range scope.Names() {
		if _, ok := scope.Lookup(n).(*types.Const); !ok {
			continue
		}
		l := strings.ToLower(n)
		if strings.Contains(l, "halfopen") || strings.Contains(l, "half_open") {
			return true
		}
	}
	return false
}
