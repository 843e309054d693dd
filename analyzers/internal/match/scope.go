package match

import (
	"go/token"
	"go/types"
)

// Lookup resolves name as code at pos in pkg sees it (nil if undeclared),
// so that a fix can tell whether the name it writes means what it intends.
func Lookup(pkg *types.Package, name string, pos token.Pos) types.Object {
	s := pkg.Scope().Innermost(pos)
	if s == nil {
		return nil
	}
	_, obj := s.LookupParent(name, pos)
	return obj
}
