// Package pkgssa builds the SSA form of the package being analysed, once and
// only when a check asks for it.
//
// Requiring buildssa instead would run ctrlflow, whose facts make every
// driver analyse every dependency (the standard library included) for every
// package: most of the suite's cost. Here only the analysed package gets
// function bodies; its imports are created from export data, without bodies.
// The price is the noreturn knowledge of other packages, which
// match.NoReturn covers for the standard library calls that matter.
package pkgssa

import (
	"go/ast"
	"go/types"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// Package is the SSA form of one analysed package.
type Package struct {
	Pkg *ssa.Package
	// Funcs are the package's source functions and their literals, in
	// source order (a function before its literals).
	Funcs []*ssa.Function
}

// Lazy builds the SSA form of a pass's package on the first Get.
type Lazy struct {
	pass *analysis.Pass
	once sync.Once
	pkg  *Package
}

// New returns a Lazy for pass; nothing is built yet.
func New(pass *analysis.Pass) *Lazy { return &Lazy{pass: pass} }

// Get builds the package's SSA form the first time and returns it.
func (l *Lazy) Get() *Package {
	l.once.Do(func() { l.pkg = Build(l.pass) })
	return l.pkg
}

// Built reports whether Get has built the package: for tests of the
// "only where needed" promise.
func (l *Lazy) Built() bool { return l.pkg != nil }

// Build builds the SSA form of pass's package now.
func Build(pass *analysis.Pass) *Package {
	prog := ssa.NewProgram(pass.Fset, 0)
	prog.SetNoReturn(match.NoReturn)
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()

	out := &Package{Pkg: pkg}
	var add func(*ssa.Function)
	add = func(f *ssa.Function) {
		out.Funcs = append(out.Funcs, f)
		for _, anon := range f.AnonFuncs {
			add(anon)
		}
	}
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			d, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			if obj, ok := pass.TypesInfo.Defs[d.Name].(*types.Func); ok {
				if f := prog.FuncValue(obj); f != nil {
					add(f)
				}
			}
		}
	}
	return out
}

// Func returns the SSA function of a function or method declared in the
// package, or nil.
func (p *Package) Func(obj *types.Func) *ssa.Function {
	if p == nil || obj == nil || obj.Pkg() != p.Pkg.Pkg {
		return nil
	}
	return p.Pkg.Prog.FuncValue(obj)
}
