// Package testkit holds test helpers shared by the analyzer tests.
package testkit

import (
	"bufio"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// Run runs a on the fixture packages pkgs (patterns under testdata/src)
// and checks its findings against their "// want" comments.
func Run(t *testing.T, a *analysis.Analyzer, pkgs ...string) []*analysistest.Result {
	t.Helper()
	return analysistest.Run(t, TestData(t), a, pkgs...)
}

// RunFixes holds a's suggested fixes on pkgs to the two rules every fix
// must pass: applied, they give the .golden files beside the fixtures, and
// the fixed code compiles and is clean when re-analysed (FixedIsClean).
func RunFixes(t *testing.T, a *analysis.Analyzer, pkgs ...string) {
	t.Helper()
	testdata := TestData(t)
	analysistest.RunWithSuggestedFixes(t, testdata, a, pkgs...)
	FixedIsClean(t, testdata, a, pkgs...)
}

// SetFlag sets a's flag name to value for the rest of the test and
// restores its previous value when the test ends.
func SetFlag(t testing.TB, a *analysis.Analyzer, name, value string) {
	t.Helper()
	f := a.Flags.Lookup(name)
	require.NotNil(t, f, "%s has no flag -%s", a.Name, name)
	old := f.Value.String()
	require.NoError(t, f.Value.Set(value))
	t.Cleanup(func() { require.NoError(t, f.Value.Set(old)) })
}

// TypeCheck parses src as the one file of package p, type-checks it
// against the installed standard library and returns the file with its
// Types, Defs and Uses.
func TypeCheck(t testing.TB, src string) (*ast.File, *types.Info) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	require.NoError(t, err)
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{},
		Defs:  map[*ast.Ident]types.Object{},
		Uses:  map[*ast.Ident]types.Object{},
	}
	_, err = (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, info)
	require.NoError(t, err)
	return f, info
}

// TestData returns the repository's analyzer fixture root (testdata/, laid
// out as testdata/src/<analyzer>/...), found from the test's directory.
func TestData(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "testdata")
}

// RepoRoot returns the directory holding resilvet's go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(b), "module github.com/resilvet/resilvet\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testkit: resilvet's go.mod not found above the test directory")
		}
		dir = parent
	}
}

var wantComment = regexp.MustCompile(`\s*// want .*$`)

const modulePath = "github.com/resilvet/resilvet/"

// FixedIsClean proves that applying an analyzer's suggested fixes yields code
// that compiles and that the analyzer no longer reports. It copies the GOPATH
// fixture tree to a temporary directory, replaces every x.go that has an
// x.go.golden beside it by the golden file (with its "// want" comments
// removed), copies in any resilvet package the fixed code imports, and runs
// the analyzer on pkgs there expecting no diagnostics and no type errors.
//
// So every file of pkgs must be fully fixed by its golden: keep fixable
// positives in their own fixture package.
func FixedIsClean(t *testing.T, testdata string, a *analysis.Analyzer, pkgs ...string) {
	t.Helper()
	root := RepoRoot(t)
	tmp := t.TempDir()
	imports := map[string]bool{}
	src := filepath.Join(testdata, "src")
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".golden") {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".go") {
			if g, err := os.ReadFile(path + ".golden"); err == nil {
				data = g
			}
			data = stripWants(data)
			for _, m := range importRE.FindAllSubmatch(data, -1) {
				imports[string(m[1])] = true
			}
		}
		return writeFile(filepath.Join(tmp, "src", rel), data)
	})
	if err != nil {
		t.Fatal(err)
	}
	for imp := range imports {
		if err := copyRepoPackage(root, tmp, imp, map[string]bool{}); err != nil {
			t.Fatal(err)
		}
	}
	analysistest.Run(t, tmp, a, pkgs...)
}

var importRE = regexp.MustCompile(`"(` + regexp.QuoteMeta(modulePath) + `[^"]+)"`)

// copyRepoPackage copies a resilvet package (and the resilvet packages it
// imports) into the temporary GOPATH.
func copyRepoPackage(root, tmp, imp string, seen map[string]bool) error {
	if seen[imp] {
		return nil
	}
	seen[imp] = true
	dir := filepath.Join(root, strings.TrimPrefix(imp, modulePath))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(tmp, "src", imp, name), data); err != nil {
			return err
		}
		for _, m := range importRE.FindAllSubmatch(data, -1) {
			if err := copyRepoPackage(root, tmp, string(m[1]), seen); err != nil {
				return err
			}
		}
	}
	return nil
}

func stripWants(data []byte) []byte {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		b.WriteString(wantComment.ReplaceAllString(sc.Text(), ""))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
