// Package driver loads Go packages, runs the resilvet analyzers on them and
// merges their suggested fixes. The resilvet command and its language server
// (internal/lsp) share it.
package driver

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// A Finding is one diagnostic of one analyzer, with its positions resolved.
type Finding struct {
	Analyzer *analysis.Analyzer
	PkgID    string
	Diag     analysis.Diagnostic
	Pos, End token.Position
}

// A Result is everything one run learned: findings, errors, and where the
// files live.
type Result struct {
	Fset      *token.FileSet
	Analyzers []*analysis.Analyzer
	Root      string // module root, SARIF's %SRCROOT% and the baseline's base
	Cwd       string
	Errors    []string // one line each: file:line:col: message
	Findings  []*Finding
	files     map[string][]byte
	overlay   map[string][]byte
}

// Config says what to load and how.
type Config struct {
	// Context cancels loading and the analyzers not yet started; nil means
	// context.Background.
	Context context.Context
	// Dir is the directory the patterns are relative to; "" means the
	// working directory.
	Dir      string
	Patterns []string
	Tests    bool
	// Overlay maps absolute file names to contents that replace the files
	// on disk (an editor's unsaved buffers), as in packages.Config.
	Overlay map[string][]byte
}

// Analyze loads the packages once and runs the analyzers on them once.
func Analyze(as []*analysis.Analyzer, cfg Config) (*Result, error) {
	res, _, err := analyze(as, cfg)
	return res, err
}

// A load is what a full load learned that a Cache can keep: the roots
// analysed, and whether their dependencies came from export data with the
// saved files' imports.
type load struct {
	roots      []*packages.Package
	exportDeps bool
}

// analyze is Analyze, also returning the load.
func analyze(as []*analysis.Analyzer, cfg Config) (*Result, *load, error) {
	ctx := cfg.Context
	if ctx == nil {
		ctx = context.Background()
	}
	cwd := cfg.Dir
	if cwd == "" {
		var err error
		if cwd, err = os.Getwd(); err != nil {
			return nil, nil, err
		}
	}
	if !inModule(cwd) {
		return nil, nil, fmt.Errorf("no go.mod in %s or any parent directory: run resilvet inside a Go module, or name one with -C dir", cwd)
	}
	mode := packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
		packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes |
		packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule
	if usesFacts(as) {
		// Facts flow from dependencies: they need syntax too. Otherwise
		// dependencies come from export data, which is much cheaper.
		mode |= packages.NeedDeps
	}
	pcfg := &packages.Config{Context: ctx, Mode: mode, Dir: cfg.Dir, Tests: cfg.Tests}
	ld := &load{exportDeps: mode&packages.NeedDeps == 0}
	if len(cfg.Overlay) > 0 {
		if sameImports(cfg.Overlay) {
			// go/packages type-checks every dependency from source when
			// given an overlay (its export data might be stale), ten times
			// slower. When the unsaved files import what the saved ones
			// do, the export data is right: parse the unsaved contents in
			// place of the saved ones instead.
			pcfg.ParseFile = func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
				if data, ok := cfg.Overlay[filename]; ok {
					src = data
				}
				return parser.ParseFile(fset, filename, src, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
			}
		} else {
			pcfg.Overlay = cfg.Overlay
			ld.exportDeps = false
		}
	}
	pkgs, err := packages.Load(pcfg, cfg.Patterns...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, loadError(err)
	}
	if len(pkgs) == 0 {
		return nil, nil, fmt.Errorf("no packages match %s", strings.Join(cfg.Patterns, " "))
	}

	res := &Result{Fset: pkgs[0].Fset, Analyzers: as, Root: cwd, Cwd: cwd, files: make(map[string][]byte), overlay: cfg.Overlay}
	roots := selectRoots(pkgs)
	ld.roots = roots
	for _, p := range roots {
		if p.Module != nil && p.Module.Main && p.Module.Dir != "" {
			res.Root = p.Module.Dir
			break
		}
	}

	if err := res.analyzeRoots(ctx, roots); err != nil {
		return nil, nil, err
	}
	return res, ld, nil
}

// run runs the analyzers on the well-typed roots and collects their
// findings.
// analyzeRoots records the load errors of roots and their dependencies,
// once each, and analyses the roots that type-checked.
func (r *Result) analyzeRoots(ctx context.Context, roots []*packages.Package) error {
	seen := make(map[string]bool)
	packages.Visit(roots, nil, func(p *packages.Package) {
		for _, e := range mainErrors(p.Errors) {
			if line := r.errorLine(e); !seen[line] {
				seen[line] = true
				r.Errors = append(r.Errors, line)
			}
		}
	})
	var good []*packages.Package
	for _, p := range roots {
		if !p.IllTyped && len(p.Errors) == 0 {
			good = append(good, p)
		}
	}
	return r.run(ctx, good)
}

func (r *Result) run(ctx context.Context, good []*packages.Package) error {
	if len(good) == 0 {
		return nil
	}
	graph, err := checker.Analyze(cancelling(ctx, Recovering(r.Analyzers)), good, nil)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r.collect(graph)
	return nil
}

// sameImports reports whether each overlay file exists on disk with the
// same build constraints, package clause and imports (or does not parse).
func sameImports(overlay map[string][]byte) bool {
	for name, data := range overlay {
		disk, err := os.ReadFile(name)
		if err != nil {
			return false
		}
		a, ok := header(data)
		if !ok {
			continue // being typed: it fails to parse either way
		}
		if b, ok := header(disk); !ok || a != b {
			return false
		}
	}
	return true
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

// Recovering wraps each analyzer so that a panic in it becomes an error
// on that package, reported in one line, instead of a crash.
func Recovering(as []*analysis.Analyzer) []*analysis.Analyzer {
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
func (r *Result) errorLine(e packages.Error) string {
	if e.Pos == "" || e.Pos == "-" {
		return "resilvet: " + e.Msg
	}
	return r.Display(e.Pos) + ": " + e.Msg
}

// collect gathers the root diagnostics, once per position (a file shared by
// a package and its test variant reports once), in file order.
func (r *Result) collect(graph *checker.Graph) {
	type key struct {
		analyzer string
		pos, end token.Position
		message  string
	}
	seen := make(map[key]bool)
	for _, act := range graph.Roots {
		if act.Err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("resilvet: %s on %s: %v", act.Analyzer.Name, act.Package.ID, act.Err))
			continue
		}
		for _, d := range act.Diagnostics {
			f := &Finding{Analyzer: act.Analyzer, PkgID: act.Package.ID, Diag: d, Pos: r.Fset.Position(d.Pos)}
			f.End = f.Pos
			if d.End.IsValid() {
				f.End = r.Fset.Position(d.End)
			}
			k := key{act.Analyzer.Name, f.Pos, f.End, d.Message}
			if seen[k] {
				continue
			}
			seen[k] = true
			r.Findings = append(r.Findings, f)
		}
	}
	slices.SortStableFunc(r.Findings, func(a, b *Finding) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Offset, b.Pos.Offset),
			cmp.Compare(a.Analyzer.Name, b.Analyzer.Name),
			cmp.Compare(a.Diag.Message, b.Diag.Message))
	})
}

// Display shortens a path (or a "path:line:col" position) to be relative
// to the working directory when it lies beneath it.
func (r *Result) Display(name string) string {
	if rel, ok := strings.CutPrefix(name, r.Cwd+string(filepath.Separator)); ok {
		return rel
	}
	return name
}

// Rel returns a file's slash-separated path relative to the module root,
// or false when the file lies outside it.
func (r *Result) Rel(filename string) (string, bool) {
	rel, err := filepath.Rel(r.Root, filename)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// Content returns a file's bytes as analysed: the overlay's, or the file's
// on disk, read once.
func (r *Result) Content(filename string) ([]byte, error) {
	if data, ok := r.overlay[filename]; ok {
		return data, nil
	}
	if data, ok := r.files[filename]; ok {
		return data, nil
	}
	data, err := os.ReadFile(filename)
	if err != nil {
		return nil, err
	}
	if r.files == nil {
		r.files = make(map[string][]byte)
	}
	r.files[filename] = data
	return data, nil
}

// LineText returns the text of the line holding pos, without its newline.
func (r *Result) LineText(pos token.Position) string {
	data, err := r.Content(pos.Filename)
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

// cancelling wraps each analyzer so that it does nothing once ctx is done:
// an analysis made stale by a newer edit stops at the next package and
// analyzer instead of running to the end.
func cancelling(ctx context.Context, as []*analysis.Analyzer) []*analysis.Analyzer {
	if ctx.Done() == nil {
		return as
	}
	out := make([]*analysis.Analyzer, len(as))
	for i, a := range as {
		wrapped := *a
		wrapped.Run = func(pass *analysis.Pass) (any, error) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return a.Run(pass)
		}
		out[i] = &wrapped
	}
	return out
}
