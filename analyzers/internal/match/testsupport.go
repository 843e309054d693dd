package match

import (
	"go/types"
	"strings"
)

// TestSupport reports whether pkg is test infrastructure by its import path:
// a package that exists for tests to import (fakes, fixtures, harnesses), so
// that its loops, clients and contexts serve test runs, not production. The
// checks skip such packages. It recognises, as a path element:
//
//   - a name ending in "testing" (kafkatesting, internal/testing),
//   - testutil, testutils, testhelper, testhelpers,
//   - e2e, or a name starting with "e2e" (e2etest),
//   - below an internal element, any name containing "test"
//     (internal/test, internal/testenv, internal/gotest).
//
// The external test package of such a package (path ending in _test) counts
// as well. Ordinary packages' test files are not affected.
func TestSupport(pkg *types.Package) bool {
	path := strings.TrimSuffix(pkg.Path(), "_test")
	internal := false
	for elem := range strings.SplitSeq(path, "/") {
		switch {
		case strings.HasSuffix(elem, "testing"),
			in(elem, []string{"testutil", "testutils", "testhelper", "testhelpers"}),
			strings.HasPrefix(elem, "e2e"),
			internal && strings.Contains(elem, "test"):
			return true
		}
		internal = internal || elem == "internal"
	}
	return false
}
