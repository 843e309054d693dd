package driver

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
)

// A Cache makes repeated analyses of the same package cheap, as a language
// server needs: the first analysis of a directory loads it fully (go list,
// export data); later ones, while nothing that load depends on has
// changed, parse the package's files and type-check them against the
// dependencies the first load imported, skipping go list. Findings are
// those of Analyze: the same analyzers run the same way on the same types.
//
// What invalidates a directory's entry, and makes the next analysis a full
// load again: go.mod or go.sum; the directory's file names; the package
// clause, imports or build constraints of any of its Go files (as the
// overlay has them); the files of a dependency outside the module cache and
// the standard library (another package of the module). A package whose
// load used go.work, vendoring, cgo, facts, a test-variant dependency or
// the overlay's new imports is never cached, nor one with errors.
//
// The zero Cache is ready to use; it is safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	entries map[string]*entry
	fast    int // analyses answered from an entry, for tests
}

// An entry is what one full load of a directory left to reuse.
type entry struct {
	stamp     string
	localDirs []string // dependency directories whose files are stamped
	root      string   // Result.Root
	cwd       string
	depFiles  []*token.File       // the dependencies' positions, from export data
	roots     []*packages.Package // stripped templates, in type-checking order
	rootIDs   map[string]int      // index in roots by ID
	order     []int               // indexes in roots in the load's order
}

// errStale says the fast path cannot answer: a full load must.
var errStale = errors.New("stale")

// Analyze is Analyze, reusing what an earlier call for the same directory
// loaded when nothing it depends on has changed.
func (c *Cache) Analyze(as []*analysis.Analyzer, cfg Config) (*Result, error) {
	if cfg.Dir == "" || usesFacts(as) || !filepath.IsAbs(cfg.Dir) {
		return Analyze(as, cfg)
	}
	ctx := cfg.Context
	if ctx == nil {
		ctx = context.Background()
	}
	key := fmt.Sprintf("%s\x00%t\x00%s", cfg.Dir, cfg.Tests, strings.Join(cfg.Patterns, "\x00"))
	c.mu.Lock()
	e := c.entries[key]
	c.mu.Unlock()
	if e != nil {
		stamp, contents, ok := stampOf(cfg.Dir, e.localDirs, cfg.Overlay)
		if ok && stamp == e.stamp {
			res, err := e.analyze(ctx, as, cfg, contents)
			if err == nil {
				c.mu.Lock()
				c.fast++
				c.mu.Unlock()
			}
			if err == nil || ctx.Err() != nil {
				return res, err
			}
		}
	}
	// What the load will read is stamped before it, and must be the same
	// after it: an entry never pairs a new stamp with an older load.
	before, _, _ := stampOf(cfg.Dir, nil, cfg.Overlay)
	res, ld, err := analyze(as, cfg)
	if err != nil {
		return nil, err
	}
	e = newEntry(cfg, res, ld)
	if after, _, ok := stampOf(cfg.Dir, nil, cfg.Overlay); !ok || after != before {
		e = nil
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[string]*entry)
	}
	if e != nil {
		c.entries[key] = e
	} // else an older entry stays: its stamp says when it still holds
	c.mu.Unlock()
	return res, nil
}

// newEntry keeps what a full load of cfg.Dir learned, or returns nil when
// the load cannot be reused safely.
func newEntry(cfg Config, res *Result, ld *load) *entry {
	if !ld.exportDeps || len(res.Errors) > 0 || len(ld.roots) == 0 || workspaceOrVendor(cfg.Dir, res.Root) {
		return nil
	}
	e := &entry{root: res.Root, cwd: res.Cwd, rootIDs: make(map[string]int)}
	for _, p := range ld.roots {
		if p.IllTyped || len(p.Errors) > 0 || !slices.Equal(p.GoFiles, p.CompiledGoFiles) {
			return nil // broken, or cgo
		}
		for _, f := range p.CompiledGoFiles {
			if filepath.Dir(f) != cfg.Dir {
				return nil
			}
		}
		if _, ok := p.Imports["C"]; ok {
			return nil
		}
	}
	// Type-check the roots that import another root after it (a package's
	// external tests import its test variant).
	isRoot := make(map[string]*packages.Package)
	for _, p := range ld.roots {
		isRoot[p.ID] = p
	}
	done := make(map[string]bool)
	for len(e.roots) < len(ld.roots) {
		n := len(e.roots)
		for _, p := range ld.roots {
			if done[p.ID] {
				continue
			}
			ready := true
			for _, imp := range p.Imports {
				if isRoot[imp.ID] != nil && !done[imp.ID] {
					ready = false
				}
			}
			if ready {
				done[p.ID] = true
				e.rootIDs[p.ID] = len(e.roots)
				e.roots = append(e.roots, &packages.Package{
					ID: p.ID, Name: p.Name, PkgPath: p.PkgPath,
					GoFiles: p.GoFiles, CompiledGoFiles: p.CompiledGoFiles,
					OtherFiles: p.OtherFiles, IgnoredFiles: p.IgnoredFiles,
					EmbedFiles: p.EmbedFiles, EmbedPatterns: p.EmbedPatterns,
					Module: p.Module, TypesSizes: p.TypesSizes, Imports: p.Imports,
				})
			}
		}
		if len(e.roots) == n {
			return nil // an import cycle among the roots: go list reports it
		}
	}
	for _, p := range ld.roots {
		e.order = append(e.order, e.rootIDs[p.ID])
	}
	// The dependencies: from export data, unless one is a test variant
	// (compiled against this package's tests) or lives where it may change.
	local := make(map[string]bool)
	ok := true
	seen := make(map[*packages.Package]bool)
	var visit func(p *packages.Package)
	visit = func(p *packages.Package) {
		if seen[p] || !ok {
			return
		}
		seen[p] = true
		if isRoot[p.ID] == nil {
			if strings.Contains(p.ID, " [") || len(p.Errors) > 0 {
				ok = false
				return
			}
			if immutable := p.Module == nil || p.Module.Version != "" && p.Module.Replace == nil; !immutable {
				for _, f := range slices.Concat(p.GoFiles, p.OtherFiles, p.IgnoredFiles) {
					local[filepath.Dir(f)] = true
				}
			}
		}
		for _, imp := range p.Imports {
			visit(imp)
		}
	}
	for _, p := range ld.roots {
		visit(p)
	}
	if !ok {
		return nil
	}
	delete(local, cfg.Dir)
	for d := range local {
		e.localDirs = append(e.localDirs, d)
	}
	slices.Sort(e.localDirs)
	res.Fset.Iterate(func(f *token.File) bool {
		if filepath.Dir(f.Name()) != cfg.Dir {
			e.depFiles = append(e.depFiles, f)
		}
		return true
	})
	stamp, _, ok := stampOf(cfg.Dir, e.localDirs, cfg.Overlay)
	if !ok {
		return nil
	}
	e.stamp = stamp
	return e
}

// analyze parses the package's files (contents: overlay or disk, by name)
// and type-checks them against the cached dependencies, then runs the
// analyzers as Analyze does on the packages without errors, reporting
// errors as go/packages does. A file it cannot read, or an import it
// does not know, returns errStale: a full load must answer.
func (e *entry) analyze(ctx context.Context, as []*analysis.Analyzer, cfg Config, contents map[string][]byte) (*Result, error) {
	fset := token.NewFileSet()
	fset.AddExistingFiles(e.depFiles...)
	res := &Result{Fset: fset, Analyzers: as, Root: e.root, Cwd: e.cwd, files: make(map[string][]byte), overlay: cfg.Overlay}
	parsed := make(map[string]*ast.File)
	parseErrs := make(map[string]error)
	pkgs := make([]*packages.Package, len(e.roots))
	for i, t := range e.roots {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p := *t
		unknown := false
		p.Fset = fset
		p.Imports = make(map[string]*packages.Package, len(t.Imports))
		for path, imp := range t.Imports {
			if j, ok := e.rootIDs[imp.ID]; ok {
				imp = pkgs[j]
			}
			p.Imports[path] = imp
		}
		var errs []packages.Error
		for _, name := range t.CompiledGoFiles {
			f, ok := parsed[name]
			if !ok {
				src, ok := contents[name]
				if !ok {
					return nil, errStale
				}
				var err error
				f, err = parser.ParseFile(fset, name, src, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
				parsed[name], parseErrs[name] = f, err
			}
			if err := parseErrs[name]; err != nil {
				list, ok := err.(scanner.ErrorList)
				if !ok {
					return nil, errStale
				}
				for _, se := range list {
					errs = append(errs, packages.Error{Pos: se.Pos.String(), Msg: se.Msg, Kind: packages.ParseError})
				}
			}
			if f != nil {
				p.Syntax = append(p.Syntax, f)
			}
		}
		p.TypesInfo = &types.Info{
			Types:        make(map[ast.Expr]types.TypeAndValue),
			Defs:         make(map[*ast.Ident]types.Object),
			Uses:         make(map[*ast.Ident]types.Object),
			Implicits:    make(map[ast.Node]types.Object),
			Instances:    make(map[*ast.Ident]types.Instance),
			Scopes:       make(map[ast.Node]*types.Scope),
			Selections:   make(map[*ast.SelectorExpr]*types.Selection),
			FileVersions: make(map[*ast.File]string),
		}
		p.Types = types.NewPackage(p.PkgPath, p.Name)
		tc := &types.Config{
			Importer: importerFunc(func(path string) (*types.Package, error) {
				if path == "unsafe" {
					return types.Unsafe, nil
				}
				if imp := p.Imports[path]; imp != nil && imp.Types != nil && imp.Types.Complete() {
					return imp.Types, nil
				}
				unknown = true
				return nil, errStale
			}),
			Error: func(err error) {
				if te, ok := err.(types.Error); ok {
					p.TypeErrors = append(p.TypeErrors, te)
					errs = append(errs, packages.Error{Pos: fset.Position(te.Pos).String(), Msg: te.Msg, Kind: packages.TypeError})
				} else {
					unknown = true
				}
			},
			Sizes: p.TypesSizes,
		}
		if p.Module != nil && p.Module.GoVersion != "" {
			tc.GoVersion = "go" + p.Module.GoVersion
		}
		typErr := types.NewChecker(tc, fset, p.Types, p.TypesInfo).Files(p.Syntax)
		if unknown || typErr != nil && len(errs) == 0 {
			return nil, errStale // what go/packages does then is rare: let it
		}
		p.Errors = errs
		p.IllTyped = len(errs) > 0
		for _, imp := range p.Imports {
			p.IllTyped = p.IllTyped || imp.IllTyped
		}
		pkgs[i] = &p
	}
	// Errors and findings as Analyze collects them: in the load's order.
	roots := make([]*packages.Package, len(e.order))
	for i, j := range e.order {
		roots[i] = pkgs[j]
	}
	if err := res.analyzeRoots(ctx, roots); err != nil {
		return nil, err
	}
	return res, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// stampOf describes what an entry of dir depends on, and returns the
// contents of dir's Go files (the overlay's or the disk's). It returns
// false when a Go file cannot be read or its header does not parse.
func stampOf(dir string, localDirs []string, overlay map[string][]byte) (string, map[string][]byte, bool) {
	h := sha256.New()
	root := dir
	for {
		if data, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil {
			fmt.Fprintf(h, "go.mod %x\n", sha256.Sum256(data))
			sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
			fmt.Fprintf(h, "go.sum %x\n", sha256.Sum256(sum))
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", nil, false
		}
		root = parent
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", nil, false
	}
	contents := make(map[string][]byte)
	for _, de := range entries {
		name := filepath.Join(dir, de.Name())
		fmt.Fprintf(h, "file %q %t\n", de.Name(), de.IsDir())
		if de.IsDir() || !strings.HasSuffix(de.Name(), ".go") {
			continue
		}
		src, ok := overlay[name]
		if !ok {
			if src, err = os.ReadFile(name); err != nil {
				return "", nil, false
			}
		}
		head, ok := header(src)
		if !ok {
			return "", nil, false
		}
		fmt.Fprintf(h, "head %q\n", head)
		contents[name] = src
	}
	for name := range overlay {
		if _, ok := contents[name]; !ok && filepath.Dir(name) == dir {
			return "", nil, false // a file only the editor has
		}
	}
	for _, d := range localDirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			return "", nil, false
		}
		for _, de := range entries {
			info, err := de.Info()
			if err != nil {
				return "", nil, false
			}
			fmt.Fprintf(h, "dep %q %d %d\n", filepath.Join(d, de.Name()), info.Size(), info.ModTime().UnixNano())
		}
	}
	return string(h.Sum(nil)), contents, true
}

// header returns what of a Go file decides whether and how the go command
// builds it: its build constraints, package clause and imports.
func header(src []byte) (string, bool) {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	for _, g := range f.Comments {
		if g.Pos() >= f.Package {
			break
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") || strings.HasPrefix(c.Text, "// +build") {
				b.WriteString(c.Text + "\n")
			}
		}
	}
	b.WriteString(f.Name.Name)
	for _, imp := range f.Imports {
		b.WriteString(" ")
		if imp.Name != nil {
			b.WriteString(imp.Name.Name + "=")
		}
		b.WriteString(imp.Path.Value)
	}
	return b.String(), true
}

// workspaceOrVendor reports whether loading dir may involve a go.work file
// or a vendor directory, whose effects the cache does not track.
func workspaceOrVendor(dir, root string) bool {
	if w := os.Getenv("GOWORK"); w != "" && w != "off" {
		return true
	}
	if strings.Contains(os.Getenv("GOFLAGS"), "-mod=") {
		return true
	}
	if _, err := os.Stat(filepath.Join(root, "vendor")); err == nil {
		return true
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}
