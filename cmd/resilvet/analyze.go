package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// A finding is one diagnostic of one analyzer, with its positions resolved.
type finding struct {
	analyzer *analysis.Analyzer
	pkgID    string
	diag     analysis.Diagnostic
	pos, end token.Position
}

// result is everything one run learned: findings, errors, and where the
// files live.
type result struct {
	fset      *token.FileSet
	analyzers []*analysis.Analyzer
	root      string // module root, SARIF's %SRCROOT% and the baseline's base
	cwd       string
	errors    []string // one line each: file:line:col: message
	findings  []*finding
	files     map[string][]byte
}

// analyze loads the packages once and runs the analyzers on them once.
func analyze(as []*analysis.Analyzer, patterns []string, tests bool) (*result, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if !inModule(cwd) {
		return nil, fmt.Errorf("no go.mod in %s or any parent directory: run resilvet inside a Go module, or name one with -C dir", cwd)
	}
	mode := packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
		packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes |
		packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule
	if usesFacts(as) {
		// Facts flow from dependencies: they need syntax too. Otherwise
		// dependencies come from export data, which is much cheaper.
		mode |= packages.NeedDeps
	}
	pkgs, err := packages.Load(&packages.Config{Mode: mode, Tests: tests}, patterns...)
	if err != nil {
		return nil, loadError(err)
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no packages match %s", strings.Join(patterns, " "))
	}

	res := &result{fset: pkgs[0].Fset, analyzers: as, root: cwd, cwd: cwd, files: make(map[string][]byte)}
	roots := selectRoots(pkgs)
	for _, p := range roots {
		if p.Module != nil && p.Module.Main && p.Module.Dir != "" {
			res.root = p.Module.Dir
			break
		}
	}

	seen := make(map[string]bool)
	packages.Visit(roots, nil, func(p *packages.Package) {
		for _, e := range mainErrors(p.Errors) {
			line := res.errorLine(e)
			if !seen[line] {
				seen[line] = true
				res.errors = append(res.errors, line)
			}
		}
	})

	var good []*packages.Package
	for _, p := range roots {
		if !p.IllTyped && len(p.Errors) == 0 {
			good = append(good, p)
		}
	}
	if len(good) == 0 {
		return res, nil
	}
	graph, err := checker.Analyze(recovering(as), good, nil)
	if err != nil {
		return nil, err
	}
	res.collect(graph)
	return res, nil
}

// inModule reports whether dir lies in a module or a workspace.
func inModule(dir string) bool {
	for {
		for _, name := range []string{"go.mod", "go.work"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				return true
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// recovering wraps each analyzer so that a panic in it becomes an error
// on that package, reported in one line, instead of a crash.
func recovering(as []*analysis.Analyzer) []*analysis.Analyzer {
	out := make([]*analysis.Analyzer, len(as))
	for i, a := range as {
		wrapped := *a
		wrapped.Run = func(pass *analysis.Pass) (result any, err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("internal error: %v (please report it)", p)
				}
			}()
			return a.Run(pass)
		}
		out[i] = &wrapped
	}
	return out
}

// usesFacts reports whether any analyzer, or one it requires, uses facts.
func usesFacts(as []*analysis.Analyzer) bool {
	for _, a := range as {
		if len(a.FactTypes) > 0 || usesFacts(a.Requires) {
			return true
		}
	}
	return false
}

// selectRoots drops the packages that go vet would not check: a package
// whose test variant is loaded (the variant holds the same files and more)
// and the generated test main packages.
func selectRoots(pkgs []*packages.Package) []*packages.Package {
	hasVariant := make(map[string]bool)
	for _, p := range pkgs {
		if p.ForTest != "" && p.PkgPath == p.ForTest {
			hasVariant[p.PkgPath] = true
		}
	}
	var roots []*packages.Package
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, ".test") || (p.ForTest == "" && hasVariant[p.PkgPath]) {
			continue
		}
		roots = append(roots, p)
	}
	return roots
}

// mainErrors keeps the errors that explain a broken package: its syntax
// errors if any (the first per line: one mistake confuses the parser
// several times), else its type errors, else what go list said.
func mainErrors(errs []packages.Error) []packages.Error {
	for _, kind := range []packages.ErrorKind{packages.ParseError, packages.TypeError} {
		var keep []packages.Error
		lines := make(map[string]bool)
		for _, e := range errs {
			line := e.Pos // file:line:col; the column is dropped
			if i := strings.LastIndexByte(line, ':'); i >= 0 {
				line = line[:i]
			}
			if e.Kind == kind && !lines[line] {
				lines[line] = true
				keep = append(keep, e)
			}
		}
		if len(keep) > 0 {
			return keep
		}
	}
	return errs
}

// loadError turns a go list failure into its one meaningful line.
func loadError(err error) error {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, "stderr: "); ok {
		msg = after
	}
	msg = strings.TrimSpace(msg)
	if first, _, ok := strings.Cut(msg, "\n"); ok {
		msg = first
	}
	return errors.New(msg)
}

// errorLine formats a package error as file:line:col: message.
func (r *result) errorLine(e packages.Error) string {
	if e.Pos == "" || e.Pos == "-" {
		return "resilvet: " + e.Msg
	}
	return r.display(e.Pos) + ": " + e.Msg
}

// collect gathers the root diagnostics, once per position (a file shared by
// a package and its test variant reports once), in file order.
func (r *result) collect(graph *checker.Graph) {
	type key struct {
		analyzer string
		pos, end token.Position
		message  string
	}
	seen := make(map[key]bool)
	for _, act := range graph.Roots {
		if act.Err != nil {
			r.errors = append(r.errors, fmt.Sprintf("resilvet: %s on %s: %v", act.Analyzer.Name, act.Package.ID, act.Err))
			continue
		}
		for _, d := range act.Diagnostics {
			f := &finding{analyzer: act.Analyzer, pkgID: act.Package.ID, diag: d, pos: r.fset.Position(d.Pos)}
			f.end = f.pos
			if d.End.IsValid() {
				f.end = r.fset.Position(d.End)
			}
			k := key{act.Analyzer.Name, f.pos, f.end, d.Message}
			if seen[k] {
				continue
			}
			seen[k] = true
			r.findings = append(r.findings, f)
		}
	}
	slices.SortStableFunc(r.findings, func(a, b *finding) int {
		return cmp.Or(
			cmp.Compare(a.pos.Filename, b.pos.Filename),
			cmp.Compare(a.pos.Offset, b.pos.Offset),
			cmp.Compare(a.analyzer.Name, b.analyzer.Name),
			cmp.Compare(a.diag.Message, b.diag.Message))
	})
}

// display shortens a path (or a "path:line:col" position) to be relative
// to the working directory when it lies beneath it.
func (r *result) display(name string) string {
	if rel, ok := strings.CutPrefix(name, r.cwd+string(filepath.Separator)); ok {
		return rel
	}
	return name
}

// rel returns a file's slash-separated path relative to the module root,
// or false when the file lies outside it.
func (r *result) rel(filename string) (string, bool) {
	rel, err := filepath.Rel(r.root, filename)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// content returns a file's bytes, read once.
func (r *result) content(filename string) ([]byte, error) {
	if data, ok := r.files[filename]; ok {
		return data, nil
	}
	data, err := os.ReadFile(filename)
	if err != nil {
		return nil, err
	}
	r.files[filename] = data
	return data, nil
}

// lineText returns the text of the line holding pos, without its newline.
func (r *result) lineText(pos token.Position) string {
	data, err := r.content(pos.Filename)
	if err != nil || pos.Offset < 0 || pos.Offset > len(data) {
		return ""
	}
	start := bytes.LastIndexByte(data[:pos.Offset], '\n') + 1
	end := len(data)
	if nl := bytes.IndexByte(data[pos.Offset:], '\n'); nl >= 0 {
		end = pos.Offset + nl
	}
	return string(bytes.TrimSuffix(data[start:end], []byte("\r")))
}
