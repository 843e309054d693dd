package abandonedsend

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// sender is one go statement whose goroutine sends on the channel without
// a way out.
type sender struct {
	goStmt *ast.GoStmt
	body   *ast.BlockStmt  // the goroutine's function body
	sends  []*ast.SendStmt // the unguarded sends, in source order
	many   bool            // a send inside a loop: one goroutine, many sends
	loops  []ast.Node      // loops of the function, around the go statement but not the make
}

// uses is how the function uses its channel: the goroutines that send on it
// and the places where it receives.
type uses struct {
	senders  []*sender
	receives []inspector.Cursor // <-ch and range ch, in the function itself
	sentOn   map[string]bool    // every channel the goroutines send on or close, as written
}

// collect classifies every use of ch. ok is false when ch is used in a way
// the check does not follow (stored, returned, passed to a call, received
// in another function), so that someone else may receive from it.
func (c *checker) collect(ch channel) (u uses, ok bool) {
	u.sentOn = map[string]bool{}
	byGo := map[*ast.GoStmt]*sender{}
	senderOf := func(g *ast.GoStmt, gc inspector.Cursor) *sender {
		if s := byGo[g]; s != nil {
			return s
		}
		s := &sender{goStmt: g, loops: loopsBetween(gc, ch)}
		byGo[g] = s
		u.senders = append(u.senders, s)
		return s
	}
	for idc := range ch.fn.Preorder((*ast.Ident)(nil)) {
		id := idc.Node().(*ast.Ident)
		if c.pass.TypesInfo.Uses[id] != ch.obj {
			continue
		}
		lit, g, gc := goroutineOf(idc, ch.fn)
		if lit != nil && g == nil {
			return u, false // a closure that is not a goroutine: deferred, a callback
		}
		ec, kind := useKind(idc)
		switch kind {
		case useSend:
			if g == nil {
				return u, false // the function sends to itself
			}
			s := senderOf(g, gc)
			s.body = lit.Body
			c.addSend(s, ec, lit.Body)
		case useRecv:
			if g != nil {
				return u, false
			}
			u.receives = append(u.receives, ec)
		case useGoArg:
			if g != nil {
				return u, false
			}
			gs := ec.Parent().Node().(*ast.GoStmt)
			body, param := c.goCallee(gs.Call, id)
			if body == nil {
				return u, false
			}
			s := senderOf(gs, ec.Parent())
			s.body = body
			if !c.paramSends(s, body, param) {
				return u, false
			}
		case useBuiltin:
		default:
			return u, false
		}
	}
	// Every channel a goroutine of the function sends on or closes, as
	// written: a receive from one of them may mean that a sender took
	// another branch, or that every sender has finished (wg.Wait, close).
	for gc := range ch.fn.Preorder((*ast.GoStmt)(nil)) {
		ast.Inspect(gc.Node(), func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SendStmt:
				u.sentOn[types.ExprString(n.Chan)] = true
			case *ast.CallExpr:
				if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && id.Name == "close" && len(n.Args) == 1 {
					u.sentOn[types.ExprString(n.Args[0])] = true
				}
			}
			return true
		})
	}
	for _, s := range u.senders {
		ast.Inspect(s.body, func(n ast.Node) bool {
			if snd, ok := n.(*ast.SendStmt); ok {
				u.sentOn[types.ExprString(snd.Chan)] = true
			}
			return true
		})
	}
	return u, true
}

type useKindT int

const (
	useOther useKindT = iota
	useSend
	useRecv
	useGoArg
	useBuiltin
)

// useKind classifies an identifier that names the channel and returns the
// cursor of the node that uses it: the send statement, the receive (a
// unary <- or a range statement), or the go statement's call.
func useKind(idc inspector.Cursor) (inspector.Cursor, useKindT) {
	cur := idc
	for {
		if _, ok := cur.Parent().Node().(*ast.ParenExpr); !ok {
			break
		}
		cur = cur.Parent()
	}
	ek, _ := cur.ParentEdge()
	p := cur.Parent()
	switch ek {
	case edge.SendStmt_Chan:
		return p, useSend
	case edge.UnaryExpr_X:
		if p.Node().(*ast.UnaryExpr).Op == token.ARROW {
			return p, useRecv
		}
	case edge.RangeStmt_X:
		return p, useRecv
	case edge.CallExpr_Args:
		call := p.Node().(*ast.CallExpr)
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && (id.Name == "len" || id.Name == "cap" || id.Name == "close") {
			return p, useBuiltin
		}
		if k, _ := p.ParentEdge(); k == edge.GoStmt_Call {
			return p, useGoArg
		}
	}
	return p, useOther
}

// goroutineOf finds the outermost function literal between idc and fn; g is
// the go statement that starts it, if it is one.
func goroutineOf(idc, fn inspector.Cursor) (lit *ast.FuncLit, g *ast.GoStmt, gc inspector.Cursor) {
	var outer inspector.Cursor
	found := false
	for e := range idc.Enclosing((*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		if e == fn {
			break
		}
		outer, found = e, true
	}
	if !found {
		return nil, nil, inspector.Cursor{}
	}
	lit = outer.Node().(*ast.FuncLit)
	if k, _ := outer.ParentEdge(); k != edge.CallExpr_Fun {
		return lit, nil, inspector.Cursor{}
	}
	call := outer.Parent()
	if k, _ := call.ParentEdge(); k != edge.GoStmt_Call {
		return lit, nil, inspector.Cursor{}
	}
	return lit, call.Parent().Node().(*ast.GoStmt), call.Parent()
}

// addSend records a send of a goroutine whose body is body, unless the send
// is a case of a select that has another way out.
func (c *checker) addSend(s *sender, sc inspector.Cursor, body *ast.BlockStmt) {
	if guarded(sc) {
		return
	}
	snd := sc.Node().(*ast.SendStmt)
	s.sends = append(s.sends, snd)
	for e := range sc.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if within(e.Node().Pos(), body) {
			s.many = true
		}
	}
}

// guarded reports whether the send at sc is one case of a select with
// another case or a default: the sender can give up.
func guarded(sc inspector.Cursor) bool {
	if k, _ := sc.ParentEdge(); k != edge.CommClause_Comm {
		return false
	}
	sel, ok := sc.Parent().Parent().Parent().Node().(*ast.SelectStmt)
	return ok && len(sel.Body.List) > 1
}

// goCallee resolves go f(..., ch, ...) to the body of f (a function literal
// or a function of this package) and the parameter that receives ch.
func (c *checker) goCallee(call *ast.CallExpr, arg *ast.Ident) (*ast.BlockStmt, *types.Var) {
	if call.Ellipsis.IsValid() {
		return nil, nil
	}
	idx := -1
	for i, a := range call.Args {
		if ast.Unparen(a) == arg {
			idx = i
		}
	}
	var ft *ast.FuncType
	var body *ast.BlockStmt
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
		ft, body = fun.Type, fun.Body
	default:
		var id *ast.Ident
		switch f := fun.(type) {
		case *ast.Ident:
			id = f
		case *ast.SelectorExpr:
			id = f.Sel
		}
		if id == nil {
			return nil, nil
		}
		fn, _ := c.pass.TypesInfo.Uses[id].(*types.Func)
		fd := c.decls[fn]
		if fd == nil {
			return nil, nil
		}
		ft, body = fd.Type, fd.Body
	}
	i := 0
	for _, field := range ft.Params.List {
		if _, variadic := field.Type.(*ast.Ellipsis); variadic {
			return nil, nil
		}
		for _, name := range field.Names {
			if i == idx {
				v, _ := c.pass.TypesInfo.Defs[name].(*types.Var)
				return body, v
			}
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	return nil, nil
}

// paramSends records the sends on param in body; it is false when body uses
// param in any other way.
func (c *checker) paramSends(s *sender, body *ast.BlockStmt, param *types.Var) bool {
	if param == nil {
		return false
	}
	ok := true
	bc, found := c.cursor(body)
	if !found {
		return false
	}
	for idc := range bc.Preorder((*ast.Ident)(nil)) {
		if c.pass.TypesInfo.Uses[idc.Node().(*ast.Ident)] != param {
			continue
		}
		ec, kind := useKind(idc)
		switch kind {
		case useSend:
			c.addSend(s, ec, body)
		case useBuiltin:
		default:
			ok = false
		}
	}
	return ok
}

// loopsBetween lists the loops around the go statement at gc, inside the
// function that makes ch but not around the make: each repeats the sender.
func loopsBetween(gc inspector.Cursor, ch channel) []ast.Node {
	var loops []ast.Node
	for e := range gc.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		if e == ch.fn {
			break
		}
		switch e.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return append(loops, e.Node()) // started from a nested function: unknown count
		}
		if !within(ch.make.Pos(), e.Node()) {
			loops = append(loops, e.Node())
		}
	}
	return loops
}
