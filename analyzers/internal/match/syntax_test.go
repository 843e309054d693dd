package match_test

import (
	"go/ast"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/resilvet/resilvet/analyzers/internal/match"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
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

func TestDoneRecv(t *testing.T) {
	f, info := testkit.TypeCheck(t, syntaxSrc)
	body := f.Decls[1].(*ast.FuncDecl).Body.List
	assert.True(t, match.DoneRecv(info, body[0]), "<-ctx.Done()")
	assert.False(t, match.DoneRecv(info, body[1]), "<-ch")
	assert.NotNil(t, match.Received(body[1]))
	assert.True(t, match.DoneRecv(info, body[2]), "v, ok := <-(ctx.Done())")
	assert.Nil(t, match.Received(body[3]), "not a receive")
}

func TestIsNilAndMentions(t *testing.T) {
	f, info := testkit.TypeCheck(t, syntaxSrc)
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
	f, _ := testkit.TypeCheck(t, syntaxSrc)
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
