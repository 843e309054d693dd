package abandonedsend

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// abandon is a place where the function stops receiving while a sender may
// still be about to send.
type abandon struct {
	at  ast.Node // the select or return that leaves
	how string   // for the message, e.g. "the select at line 12 takes <-ctx.Done()"
}

// abandoned finds the first place where the function gives up on ch: a
// select that leaves on another case, a return between starting the
// senders and receiving, or a return from a loop receiving from many
// senders.
func (c *checker) abandoned(ch channel, u uses, manySenders bool) (abandon, bool) {
	for _, rc := range u.receives {
		if a, ok := c.selectLeaves(ch, u, rc); ok {
			return a, true
		}
	}
	if a, ok := c.returnsBeforeReceive(ch, u); ok {
		return a, true
	}
	if manySenders {
		for _, rc := range u.receives {
			if a, ok := c.loopReturns(ch, rc); ok {
				return a, true
			}
		}
	}
	return abandon{}, false
}

// selectLeaves: rc is a case of a select whose other case (a timer,
// ctx.Done(), another channel) returns, or moves on past the last receive.
func (c *checker) selectLeaves(ch channel, u uses, rc inspector.Cursor) (abandon, bool) {
	comm := rc
	if _, ok := rc.Node().(*ast.UnaryExpr); !ok {
		return abandon{}, false
	}
	// <-ch, v := <-ch or v, ok := <-ch as a case.
	if k, _ := comm.ParentEdge(); k == edge.ExprStmt_X || k == edge.AssignStmt_Rhs {
		comm = comm.Parent()
	}
	if k, _ := comm.ParentEdge(); k != edge.CommClause_Comm {
		return abandon{}, false
	}
	selc := comm.Parent().Parent().Parent()
	sel := selc.Node().(*ast.SelectStmt)
	if !c.startedBefore(u, sel) {
		return abandon{}, false
	}
	inLoop := len(loopsBetween(selc, ch)) > 0
	for _, st := range sel.Body.List {
		cc := st.(*ast.CommClause)
		if cc == comm.Parent().Node() || cc.Comm == nil {
			continue
		}
		other := match.Received(cc.Comm)
		if other == nil || u.sentOn[types.ExprString(other)] || receivesIn(u, cc) {
			continue
		}
		how := fmt.Sprintf("the select at line %d takes <-%s", c.line(sel), types.ExprString(other))
		if n := len(cc.Body); n > 0 {
			if _, ok := cc.Body[n-1].(*ast.ReturnStmt); ok {
				return abandon{at: sel, how: how + " and returns"}, true
			}
		}
		if !inLoop && !receivesAfter(u, sel) {
			return abandon{at: sel, how: how + " and never receives again"}, true
		}
	}
	return abandon{}, false
}

// returnsBeforeReceive: a return of the function after a go statement that
// starts a sender, in the same block or below it, with no receive in
// between but one after it.
func (c *checker) returnsBeforeReceive(ch channel, u uses) (abandon, bool) {
	for _, s := range u.senders {
		gc, ok := c.cursor(s.goStmt)
		if !ok {
			continue
		}
		block := gc.Parent().Node()
		if _, ok := block.(*ast.BlockStmt); !ok {
			continue
		}
		for rc := range gc.Parent().Preorder((*ast.ReturnStmt)(nil), (*ast.FuncLit)(nil)) {
			if _, ok := rc.Node().(*ast.FuncLit); ok {
				continue
			}
			ret := rc.Node()
			if ret.Pos() < s.goStmt.End() || inLit(rc, ch.fn) || inSelectOn(u, rc) {
				continue
			}
			between, after := false, false
			for _, r := range u.receives {
				p := r.Node().Pos()
				between = between || (s.goStmt.End() <= p && p < ret.Pos())
				after = after || p >= ret.End()
			}
			if !between && after {
				return abandon{at: ret, how: fmt.Sprintf("the return at line %d leaves before receiving", c.line(ret))}, true
			}
		}
	}
	return abandon{}, false
}

// loopReturns: rc receives inside a loop (or is a range over ch) that
// returns before every sender was received.
func (c *checker) loopReturns(ch channel, rc inspector.Cursor) (abandon, bool) {
	loop, found := rc, false
	if _, ok := rc.Node().(*ast.RangeStmt); ok {
		found = true
	} else {
		for e := range rc.Parent().Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
			switch e.Node().(type) {
			case *ast.ForStmt, *ast.RangeStmt:
				loop, found = e, true
			}
			break
		}
	}
	if !found || within(ch.make.Pos(), loop.Node()) {
		return abandon{}, false
	}
	if f, ok := loop.Node().(*ast.ForStmt); ok && f.Cond == nil {
		return abandon{}, false // for {}: it may return once it counted every sender
	}
	for retc := range loop.Preorder((*ast.ReturnStmt)(nil)) {
		if inLit(retc, ch.fn) || retc.Node().Pos() < rc.Node().Pos() || !conditional(retc, loop) {
			continue
		}
		ret := retc.Node()
		return abandon{at: ret, how: fmt.Sprintf("the return at line %d leaves the receiving loop before every sender was received", c.line(ret))}, true
	}
	return abandon{}, false
}

// conditional reports whether the return at retc is under an if inside loop:
// the loop leaves early on some results (the first error, the first success).
func conditional(retc, loop inspector.Cursor) bool {
	for e := range retc.Enclosing((*ast.IfStmt)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if e == loop {
			return false
		}
		if _, ok := e.Node().(*ast.IfStmt); ok {
			return true
		}
	}
	return false
}

// inSelectOn reports whether cur is inside a select with a case receiving
// from the channel: selectLeaves judges those.
func inSelectOn(u uses, cur inspector.Cursor) bool {
	for e := range cur.Enclosing((*ast.SelectStmt)(nil)) {
		if receivesIn(u, e.Node()) {
			return true
		}
	}
	return false
}

// startedBefore reports whether a sender's go statement comes before n.
func (c *checker) startedBefore(u uses, n ast.Node) bool {
	for _, s := range u.senders {
		if s.goStmt.Pos() < n.Pos() {
			return true
		}
	}
	return false
}

func receivesIn(u uses, n ast.Node) bool {
	for _, r := range u.receives {
		if within(r.Node().Pos(), n) {
			return true
		}
	}
	return false
}

func receivesAfter(u uses, n ast.Node) bool {
	for _, r := range u.receives {
		if r.Node().Pos() >= n.End() {
			return true
		}
	}
	return false
}

// inLit reports whether cur is inside a function literal nested in fn.
func inLit(cur, fn inspector.Cursor) bool {
	for e := range cur.Enclosing((*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		return e != fn
	}
	return false
}

func (c *checker) line(n ast.Node) int { return c.pass.Fset.Position(n.Pos()).Line }
