// Package testkit holds test helpers shared by the analyzer tests.
package testkit

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

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
