package abandonedsend

import (
	_ "embed"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
	"github.com/resilvet/resilvet/analyzers/internal/ignore"
	"github.com/resilvet/resilvet/analyzers/internal/match"
)

//go:embed doc.go
var doc string

// Analyzer is the abandonedsend check; doc.go holds its documentation.
var Analyzer = &analysis.Analyzer{
	Name:     "abandonedsend",
	Doc:      checkdoc.Extract(doc, "abandonedsend"),
	URL:      checkdoc.URL("abandonedsend"),
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	if match.TestSupport(pass.Pkg) {
		return nil, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	// Cheap syntactic test first: no go statement, nothing to abandon.
	hasGo := false
	for range insp.Root().Preorder((*ast.GoStmt)(nil)) {
		hasGo = true
		break
	}
	if !hasGo {
		return nil, nil
	}
	c := &checker{pass: pass, insp: insp, rep: ignore.New(pass), decls: map[*types.Func]*ast.FuncDecl{}}
	for fc := range insp.Root().Children() {
		f := fc.Node().(*ast.File)
		if match.IsTestFile(pass, f) || ast.IsGenerated(f) {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					c.decls[fn] = fd
				}
			}
		}
	}
	for fc := range insp.Root().Children() {
		f := fc.Node().(*ast.File)
		if match.IsTestFile(pass, f) || ast.IsGenerated(f) {
			continue
		}
		for cc := range fc.Preorder((*ast.CallExpr)(nil)) {
			if ch, ok := c.candidate(cc); ok {
				c.check(ch)
			}
		}
	}
	return nil, nil
}

type checker struct {
	pass  *analysis.Pass
	insp  *inspector.Inspector
	rep   *ignore.Reporter
	decls map[*types.Func]*ast.FuncDecl // the package's functions, for go f(ch)
}

// channel is a channel that a function makes for itself with a constant
// capacity: ch := make(chan T) or var ch = make(chan T, n).
type channel struct {
	obj  *types.Var
	make *ast.CallExpr
	cap  int64
	fn   inspector.Cursor // the function (FuncDecl or FuncLit) that makes it
}

func (c *checker) candidate(cc inspector.Cursor) (channel, bool) {
	call := cc.Node().(*ast.CallExpr)
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok || id.Name != "make" || len(call.Args) == 0 || len(call.Args) > 2 {
		return channel{}, false
	}
	if _, ok := c.pass.TypesInfo.Uses[id].(*types.Builtin); !ok {
		return channel{}, false
	}
	ct, ok := c.pass.TypesInfo.TypeOf(call).Underlying().(*types.Chan)
	if !ok || ct.Dir() != types.SendRecv {
		return channel{}, false
	}
	var size int64
	if len(call.Args) == 2 {
		// A capacity computed at run time was sized by its author.
		tv := c.pass.TypesInfo.Types[call.Args[1]]
		if tv.Value == nil {
			return channel{}, false
		}
		size, ok = constant.Int64Val(constant.ToInt(tv.Value))
		if !ok {
			return channel{}, false
		}
	}
	lhs := definedBy(cc)
	if lhs == nil {
		return channel{}, false
	}
	obj, ok := c.pass.TypesInfo.Defs[lhs].(*types.Var)
	if !ok {
		return channel{}, false
	}
	var fn inspector.Cursor
	found := false
	for e := range cc.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		fn, found = e, true
		break
	}
	if !found {
		return channel{}, false
	}
	// Returning from package main's main ends the process: nothing leaks.
	if fd, ok := fn.Node().(*ast.FuncDecl); ok && fd.Name.Name == "main" && fd.Recv == nil && c.pass.Pkg.Name() == "main" {
		return channel{}, false
	}
	return channel{obj: obj, make: call, cap: size, fn: fn}, true
}

// definedBy returns the identifier that the make call at cc defines with
// := or var, when it is the only value assigned to it.
func definedBy(cc inspector.Cursor) *ast.Ident {
	call := cc.Node()
	switch p := cc.Parent().Node().(type) {
	case *ast.AssignStmt:
		if p.Tok != token.DEFINE || len(p.Lhs) != len(p.Rhs) {
			return nil
		}
		for i, r := range p.Rhs {
			if r == call {
				id, _ := p.Lhs[i].(*ast.Ident)
				return id
			}
		}
	case *ast.ValueSpec:
		if len(p.Names) != len(p.Values) {
			return nil
		}
		for i, v := range p.Values {
			if v == call {
				return p.Names[i]
			}
		}
	}
	return nil
}

// within reports whether pos lies inside n.
func within(pos token.Pos, n ast.Node) bool { return n.Pos() <= pos && pos < n.End() }
