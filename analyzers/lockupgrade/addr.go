package lockupgrade

import (
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// addr names a memory location by its SSA address expression: a root value
// (receiver, parameter, package variable, ...) and a path of field
// selections (".N"), dereferences ("*") and element accesses ("[]"). Two
// expressions with equal addr denote the same mutex or the same state.
type addr struct {
	root ssa.Value
	path string
}

func addrOf(v ssa.Value) addr {
	var step string
	switch x := v.(type) {
	case *ssa.FieldAddr:
		step = "." + strconv.Itoa(x.Field)
	case *ssa.Field:
		step = "." + strconv.Itoa(x.Field)
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return addr{root: v}
		}
		step = "*"
	case *ssa.IndexAddr, *ssa.Index, *ssa.Lookup, *ssa.Slice:
		// All elements (index, map entry, sub-slice) of one container
		// count as the same state.
		step = "[]"
	case *ssa.ChangeType:
	default:
		return addr{root: v}
	}
	a := addrOf(operand(v))
	a.path += step
	return a
}

// operand returns the value that one step of an address expression
// applies to: the struct of a field, the pointer of a load (or the operand
// of another unary operation), the container of an element, the value of a
// conversion. It returns nil when v is no such step.
func operand(v ssa.Value) ssa.Value {
	switch x := v.(type) {
	case *ssa.FieldAddr:
		return x.X
	case *ssa.Field:
		return x.X
	case *ssa.UnOp:
		return x.X
	case *ssa.IndexAddr:
		return x.X
	case *ssa.Index:
		return x.X
	case *ssa.Lookup:
		return x.X
	case *ssa.Slice:
		return x.X
	case *ssa.ChangeType:
		return x.X
	}
	return nil
}

// stateOf returns the state guarded by mutex mu that location a lies in:
// a sibling field of the mutex in the same struct (or something reached
// through it), or, for a package-level mutex, another package variable.
func stateOf(mu, a addr) (addr, bool) {
	if g, ok := mu.root.(*ssa.Global); ok && mu.path == "" {
		ag, ok := a.root.(*ssa.Global)
		if !ok || ag == g || ag.Pkg != g.Pkg || isSyncType(ag.Type()) {
			return addr{}, false
		}
		return addr{root: ag}, true
	}
	if a.root != mu.root {
		return addr{}, false
	}
	base, field, ok := splitField(mu.path)
	if !ok || !strings.HasPrefix(a.path, base+".") {
		return addr{}, false
	}
	rest := a.path[len(base)+1:]
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 || rest[:n] == field {
		return addr{}, false
	}
	return addr{root: a.root, path: base + "." + rest[:n]}, true
}

// splitField splits a mutex path into the struct it lives in and its field
// index: ".2*.0" gives (".2*", "0").
func splitField(p string) (base, field string, ok bool) {
	p = strings.TrimRight(p, "*")
	i := strings.LastIndexByte(p, '.')
	if i < 0 || strings.ContainsAny(p[i+1:], "*[]") {
		return "", "", false
	}
	return p[:i], p[i+1:], true
}

func isSyncType(t types.Type) bool {
	for _, n := range []string{"RWMutex", "Mutex"} {
		if isNamedOrPtr(t, "sync", n) {
			return true
		}
	}
	return false
}

func isNamedOrPtr(t types.Type, pkg, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// nameOf renders an address expression as source-like text ("cb.state"),
// or "" when it has no readable name.
func nameOf(v ssa.Value) string {
	switch x := v.(type) {
	case *ssa.Parameter, *ssa.FreeVar, *ssa.Global:
		return x.Name()
	case *ssa.Alloc:
		if x.Comment == "complit" || x.Comment == "varargs" {
			return ""
		}
		return x.Comment
	case *ssa.FieldAddr:
		return join(nameOf(x.X), fieldName(x.X.Type(), x.Field))
	case *ssa.Field:
		return join(nameOf(x.X), fieldName(x.X.Type(), x.Field))
	case *ssa.UnOp:
		if x.Op == token.MUL {
			return nameOf(x.X)
		}
	case *ssa.ChangeType:
		return nameOf(x.X)
	}
	return ""
}

func join(base, field string) string {
	if base == "" {
		return field
	}
	return base + "." + field
}

func fieldName(t types.Type, i int) string {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if s, ok := t.Underlying().(*types.Struct); ok && i < s.NumFields() {
		return s.Field(i).Name()
	}
	return "?"
}

// stateName finds, along the address chain of v, the expression that
// denotes state and renders it.
func stateName(v ssa.Value, state addr) string {
	for ; v != nil; v = operand(v) {
		if addrOf(v) == state {
			if n := nameOf(v); n != "" {
				return n
			}
			break
		}
	}
	return "the guarded state"
}
