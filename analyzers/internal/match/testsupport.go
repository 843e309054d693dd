package match

import (
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
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

// OnlyTestsImport reports whether the package of pass is internal test
// infrastructure by its importers: it sits below an internal element, some
// file of the tree that may import it (rooted at that element's parent)
// does, and every such file is a _test.go file. A fault-injection client or
// a fixture server kept in internal/ for the module's own tests is the usual
// case; its path need not say so.
//
// It reads the import clauses of that tree, so callers ask only when they
// are about to report. A package nothing imports is not test support.
func OnlyTestsImport(pass *analysis.Pass) bool {
	if len(pass.Files) == 0 {
		return false
	}
	path := strings.TrimSuffix(pass.Pkg.Path(), "_test")
	elems := strings.Split(path, "/")
	at := slices.Index(elems, "internal")
	if at < 0 {
		return false
	}
	for i := at + 1; i < len(elems); i++ { // the innermost internal decides
		if elems[i] == "internal" {
			at = i
		}
	}
	// The package's directory ends in its path's last elements; the tree
	// that may import it is the internal element's parent directory.
	root := filepath.Dir(pass.Fset.File(pass.Files[0].Pos()).Name())
	for i := len(elems) - 1; i >= at; i-- {
		if filepath.Base(root) != elems[i] {
			return false // not laid out as its path (a build cache copy)
		}
		root = filepath.Dir(root)
	}
	byTest, byCode := importers(root, path)
	return byTest && !byCode
}

// maxImportScan caps the files OnlyTestsImport reads, so a huge tree costs
// a bounded time and leaves its packages reported.
const maxImportScan = 20000

// importers reports whether test files and non-test files below root import
// path. Vendored code, testdata and nested modules are not looked at.
func importers(root, path string) (byTest, byCode bool) {
	quoted := strconv.Quote(path)
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if p != root {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		if n++; n > maxImportScan {
			return fs.SkipAll
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return nil
		}
		for _, imp := range f.Imports {
			if imp.Path.Value == quoted {
				if strings.HasSuffix(p, "_test.go") {
					byTest = true
				} else {
					byCode = true
				}
			}
		}
		if byCode {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil || n > maxImportScan {
		return false, false
	}
	return byTest, byCode
}
