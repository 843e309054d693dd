package match_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

const syntaxSrc = `package p

import "context"

func f(ctx context.Context, ch chan int, err error) {
	<-ctx.Done()
	<-ch
	v, ok := <-(ctx.Done())
	_, _ = v, ok
	_ = err != nil
	{
		nil := err
		_ = err != nil
	}
}
`

func parse(t *testing.T) (*ast.File, *types.Info) { return check(t, syntaxSrc) }

// check parses and type-checks one file of package p.
func check(t *testing.T, src string) (*ast.File, *types.Info) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	require.NoError(t, err)
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}}
	_, err = (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, info)
	require.NoError(t, err)
	return f, info
}

func TestDoneRecv(t *testing.T) {
	f, info := parse(t)
	body := f.Decls[1].(*ast.FuncDecl).Body.List
	assert.True(t, match.DoneRecv(info, body[0]), "<-ctx.Done()")
	assert.False(t, match.DoneRecv(info, body[1]), "<-ch")
	assert.NotNil(t, match.Received(body[1]))
	assert.True(t, match.DoneRecv(info, body[2]), "v, ok := <-(ctx.Done())")
	assert.Nil(t, match.Received(body[3]), "not a receive")
}

func TestIsNilAndMentions(t *testing.T) {
	f, info := parse(t)
	fd := f.Decls[1].(*ast.FuncDecl)
	body := fd.Body.List
	cmp := func(s ast.Stmt) *ast.BinaryExpr { return s.(*ast.AssignStmt).Rhs[0].(*ast.BinaryExpr) }
	assert.True(t, match.IsNil(info, cmp(body[4]).Y), "the predeclared nil")
	shadowed := cmp(body[5].(*ast.BlockStmt).List[1]).Y
	assert.False(t, match.IsNil(info, shadowed), "a variable named nil")

	errParam := info.Defs[fd.Type.Params.List[2].Names[0]]
	assert.True(t, match.Mentions(info, body[4], errParam))
	assert.False(t, match.Mentions(info, body[0], errParam))
	assert.True(t, match.IsError(errParam.Type()))
	assert.False(t, match.IsError(info.Defs[fd.Type.Params.List[1].Names[0]].Type()))
}

func TestAnyStopsAtFirst(t *testing.T) {
	f, _ := parse(t)
	seen := 0
	found := match.Any(f, func(n ast.Node) bool {
		seen++
		_, ok := n.(*ast.FuncDecl)
		return ok
	})
	assert.True(t, found)
	before := seen
	assert.False(t, match.Any(f, func(n ast.Node) bool { _, ok := n.(*ast.SendStmt); return ok }))
	assert.Less(t, before, 10, "the search stops at the first match")
}
