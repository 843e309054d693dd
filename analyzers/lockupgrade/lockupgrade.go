package lockupgrade

import (
	_ "embed"
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
	"github.com/resilvet/resilvet/analyzers/internal/ignore"
	"github.com/resilvet/resilvet/analyzers/internal/match"
	"github.com/resilvet/resilvet/analyzers/internal/pkgssa"
)

//go:embed doc.go
var doc string

// Analyzer is the lockupgrade check; doc.go holds its documentation.
var Analyzer = &analysis.Analyzer{
	Name: "lockupgrade",
	Doc:  checkdoc.Extract(doc, "lockupgrade"),
	URL:  checkdoc.URL("lockupgrade"),
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	if !match.Imports(pass.Pkg, "sync") || match.TestSupport(pass.Pkg) || !usesRLock(pass.TypesInfo) {
		return nil, nil
	}
	built := pkgssa.Build(pass)
	c := &checker{
		pkg:      built.Pkg,
		pass:     pass,
		rep:      ignore.New(pass),
		funcs:    map[*ssa.Function]*funcResult{},
		accesses: map[*ssa.Function]*accessSummary{},
		reported: map[token.Pos]bool{},
		all:      built.Funcs,
	}
	for _, fn := range built.Funcs {
		c.analyze(fn)
	}
	return nil, nil
}

// usesRLock reports whether the package calls (*sync.RWMutex).RLock at all;
// without one there is no upgrade to find and the SSA is left untouched.
func usesRLock(info *types.Info) bool {
	for id, obj := range info.Uses {
		if id.Name != "RLock" {
			continue
		}
		if fn, ok := obj.(*types.Func); ok && match.IsMethod(fn, "sync", "RWMutex", "RLock") {
			return true
		}
	}
	return false
}

type checker struct {
	pass     *analysis.Pass
	rep      *ignore.Reporter
	pkg      *ssa.Package
	funcs    map[*ssa.Function]*funcResult
	accesses map[*ssa.Function]*accessSummary
	reported map[token.Pos]bool

	all         []*ssa.Function            // the package's functions and literals
	writesOf    map[any]*memoWrites        // set by scanWrites: writes per field or package variable
	wholeStores map[*types.Var][]token.Pos // fields written by assigning their whole struct
}

func (c *checker) report(pos token.Pos, msg string, fixes []analysis.SuggestedFix) {
	if c.reported[pos] || match.IsTestPos(c.pass, pos) {
		return // a test calls the type's methods one after another, not concurrently
	}
	c.reported[pos] = true
	c.rep.Report(analysis.Diagnostic{Pos: pos, Message: msg, SuggestedFixes: fixes})
}

// line renders pos for a message: the bare line in the file of at, else
// file:line.
func (c *checker) line(pos, at token.Pos) string {
	p, q := c.pass.Fset.Position(pos), c.pass.Fset.Position(at)
	if p.Filename == q.Filename {
		return fmt.Sprintf("line %d", p.Line)
	}
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}

// inPkg reports whether fn is a function of the package under analysis
// whose body we can summarise.
func (c *checker) inPkg(fn *ssa.Function) bool {
	return fn != nil && fn.Pkg == c.pkg && len(fn.Blocks) > 0
}

// rel is a location relative to a function's parameters (param >= 0) or a
// package variable (global != nil), so that summaries apply at call sites.
type rel struct {
	param  int
	global *ssa.Global
	path   string
}

func toRel(fn *ssa.Function, a addr) (rel, bool) {
	switch r := a.root.(type) {
	case *ssa.Global:
		return rel{param: -1, global: r, path: a.path}, true
	case *ssa.Parameter:
		if i := slices.Index(fn.Params, r); i >= 0 {
			return rel{param: i, path: a.path}, true
		}
	}
	return rel{}, false
}

// at maps r into the caller at call.
func (r rel) at(call *ssa.CallCommon) (addr, bool) {
	if r.global != nil {
		return addr{root: r.global, path: r.path}, true
	}
	if r.param >= len(call.Args) {
		return addr{}, false
	}
	a := addrOf(call.Args[r.param])
	a.path += r.path
	return a, true
}

// staleResult: the function returns a value read from state under the
// mutex's RLock, after releasing it (the "get" half of a helper split).
type staleResult struct {
	mu, state rel
	field     string // display suffix of the state, e.g. ".conns"
	readPos   token.Pos
	results   []int // indices of the results that carry the read
	misses    []int // indices of the results that say whether the read found anything
}

// lockedWrite: the function takes mutex's write lock and writes state
// without reading it again first (the "create" half of a helper split).
type lockedWrite struct {
	mu, state  rel
	lockPos    token.Pos
	idempotent bool // only deletes
	fresh      bool // every value written is computed from the state read again under the lock
}

type funcResult struct {
	stale  []staleResult
	writes []lockedWrite
	locks  []helperLock
}

// helperLock: the function takes mutex's write lock without holding its
// read lock; calling it under that RLock deadlocks.
type helperLock struct {
	mu    rel
	field string // the mutex's field name
	pos   token.Pos
}

// accessSummary lists the parameter- or global-rooted state a function
// reads to decide (a re-check when called under the lock) and writes.
type accessSummary struct {
	checks, writes []rel
}
