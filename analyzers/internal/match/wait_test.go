package match_test

import (
	"go/ast"
	"go/token"
	"go/types"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers/internal/match"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

const waitSrc = `package p

import (
	"context"
	"os/exec"
	"sync"
	"time"
)

type policy struct{}

func (policy) Backoff(n int) time.Duration         { return time.Duration(n) * time.Second }
func (policy) Wait(ctx context.Context, n int) error { return nil }
func pause(n int)                                    {}
func retryDelay(n int) time.Duration                 { return 0 }
func send() error                                    { return nil }

func f(ctx context.Context, wg *sync.WaitGroup, cmd *exec.Cmd, p policy, t *time.Timer) {
	time.Sleep(time.Second)
	<-time.After(time.Second)
	t.Reset(time.Second)
	p.Backoff(1)
	p.Wait(ctx, 1)
	pause(1)
	retryDelay(1)
	wg.Wait()
	cmd.Wait()
	send()
}
`

// TestWaitOf pins the one meaning of "a wait call": the standard sleeps and
// timers, and the code's own functions named as waits or backoffs, but not
// a wait for other work to finish (goroutines, a child process).
func TestWaitOf(t *testing.T) {
	f, info := testkit.TypeCheck(t, waitSrc)
	body := f.Decls[len(f.Decls)-1].(*ast.FuncDecl).Body.List
	kind := func(i int) match.WaitCall {
		e := body[i].(*ast.ExprStmt).X
		if u, ok := e.(*ast.UnaryExpr); ok {
			e = u.X
		}
		return match.WaitOf(match.Callee(info, e.(*ast.CallExpr)))
	}
	want := []match.WaitCall{
		match.Sleep, match.Timer, match.Timer,
		match.Named, match.Named, match.Named, match.Named,
		match.NotWait, match.NotWait, match.NotWait,
	}
	require.Len(t, body, len(want))
	for i, w := range want {
		assert.Equal(t, w, kind(i), "statement %d", i)
	}
	assert.Equal(t, match.NotWait, match.WaitOf(nil))
	assert.Equal(t, match.NotWait, match.WaitOf((*types.Func)(nil)))

	// a function-valued field waits by its name; a duration field does not
	sleep := types.NewField(token.NoPos, nil, "sleep", types.NewSignatureType(nil, nil, nil, nil, nil, false), false)
	delay := types.NewField(token.NoPos, nil, "delay", types.Typ[types.Int64], false)
	send := types.NewField(token.NoPos, nil, "send", sleep.Type(), false)
	assert.Equal(t, match.Named, match.WaitOf(sleep))
	assert.Equal(t, match.NotWait, match.WaitOf(delay))
	assert.Equal(t, match.NotWait, match.WaitOf(send))
}
