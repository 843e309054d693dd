package missingtimeout

import (
	"go/ast"
	"go/constant"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

const tlsPkg = "crypto/tls"

// dial reports TLS dials with no timeout, and DialContext calls whose
// dialer has no Timeout and whose context has no deadline.
func (c *checker) dial(cur inspector.Cursor, call *ast.CallExpr, fn *types.Func) {
	switch {
	case match.IsFunc(fn, tlsPkg, "Dial"):
		if len(call.Args) == 3 && c.localNetwork(cur, call.Args[0]) || c.mirrorsStd(cur) {
			return
		}
		c.rep.Reportf(call, "tls.Dial has no timeout, so a peer that never completes the connection or the handshake can hang it forever; use tls.DialWithDialer with a net.Dialer that has a Timeout")
	case match.IsFunc(fn, tlsPkg, "DialWithDialer"):
		if len(call.Args) != 4 || c.localNetwork(cur, call.Args[1]) || !c.dialerUnbounded(cur, call.Args[0]) {
			return
		}
		c.rep.Reportf(call, "tls.DialWithDialer with a net.Dialer that has no Timeout can wait forever to connect and handshake; set the dialer's Timeout")
	case match.IsMethod(fn, netPkg, "Dialer", "DialContext"):
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok || len(call.Args) != 3 || c.localNetwork(cur, call.Args[1]) ||
			c.deadlinesAt(cur).ctx(call.Args[0]) != boundNo || !c.dialerUnbounded(cur, sel.X) {
			return
		}
		c.rep.Reportf(call, "net.Dialer has no Timeout and %s has no deadline, so DialContext can wait forever; set Timeout or derive the context with context.WithTimeout", types.ExprString(call.Args[0]))
	case match.IsMethod(fn, tlsPkg, "Dialer", "DialContext", "Dial"):
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		litUnbounded := func(e ast.Expr) bool { return c.tlsDialerLiteralUnbounded(cur, e) }
		if !ok || !c.unboundedValue(cur, sel.X, litUnbounded, "NetDialer") {
			return
		}
		if fn.Name() == "Dial" {
			if len(call.Args) == 2 && !c.localNetwork(cur, call.Args[0]) {
				c.rep.Reportf(call, "tls.Dialer with no NetDialer Timeout can wait forever in Dial to connect and handshake; set NetDialer with a Timeout or use DialContext with a deadline")
			}
			return
		}
		if len(call.Args) != 3 || c.localNetwork(cur, call.Args[1]) || c.deadlinesAt(cur).ctx(call.Args[0]) != boundNo {
			return
		}
		c.rep.Reportf(call, "tls.Dialer has no NetDialer Timeout and %s has no deadline, so DialContext can wait forever to connect and handshake; set NetDialer with a Timeout or derive the context with context.WithTimeout", types.ExprString(call.Args[0]))
	}
}

// tlsDialerLiteralUnbounded reports whether e is a tls.Dialer literal
// whose NetDialer is absent or a net.Dialer with no Timeout or Deadline.
func (c *checker) tlsDialerLiteralUnbounded(cur inspector.Cursor, e ast.Expr) bool {
	lit, ok := unaddr(e).(*ast.CompositeLit)
	if !ok || !match.IsNamed(c.pass.TypesInfo.TypeOf(lit), tlsPkg, "Dialer") {
		return false
	}
	kv := keyed(lit, "NetDialer")
	if kv == nil {
		return len(lit.Elts) == 0 || isKeyed(lit)
	}
	// The dialer built in the literal, or in a local variable beside it.
	return c.unboundedValue(cur, kv.Value, c.dialerLiteralUnbounded, "Timeout", "Deadline")
}

func isNetDialerField(obj types.Object) bool {
	v, ok := obj.(*types.Var)
	return ok && v.IsField() && v.Name() == "NetDialer" && v.Pkg() != nil && v.Pkg().Path() == tlsPkg
}

// loopback reports whether an address is a constant on the loopback
// interface ("127.0.0.1:6060", "localhost:6060", "[::1]:6060").
func loopback(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return false
	}
	addr := constant.StringVal(tv.Value)
	for _, p := range []string{"127.0.0.1:", "localhost:", "[::1]:"} {
		if strings.HasPrefix(addr, p) {
			return true
		}
	}
	return false
}

// funcValue reports a call through a local variable that holds http.Get,
// Head, Post or PostForm: the same request with no timeout.
func (c *checker) funcValue(cur inspector.Cursor, call *ast.CallExpr, id *ast.Ident) {
	info := c.pass.TypesInfo
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.IsField() || v.Pkg() != c.pass.Pkg || v.Parent() == c.pass.Pkg.Scope() {
		return
	}
	if _, ok := v.Type().Underlying().(*types.Signature); !ok {
		return
	}
	values, opaque := assigned(info, enclosingFunc(cur), v)
	if opaque {
		return
	}
	var held *types.Func
	for _, x := range values {
		fn := defaultClientFunc(info, x)
		if fn == nil || held != nil && held != fn {
			return
		}
		held = fn
	}
	if held != nil {
		c.rep.Reportf(call, "%s holds http.%s, which uses http.DefaultClient with no timeout; use an http.Client with a Timeout or a request with a deadline", id.Name, held.Name())
	}
}

// defaultClientFunc returns the function when e is http.Get, Head, Post or
// PostForm, or one of those methods of http.DefaultClient, as a value.
func defaultClientFunc(info *types.Info, e ast.Expr) *types.Func {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	if !ok {
		return nil
	}
	if match.IsFunc(fn, httpPkg, "Get", "Head", "Post", "PostForm") ||
		match.IsMethod(fn, httpPkg, "Client", "Get", "Head", "Post", "PostForm") && isDefaultClient(info, sel.X) {
		return fn
	}
	return nil
}

// timeoutSuffixes name the variants of a function that take a timeout or a
// context, as net.Dial has net.DialTimeout and Dialer.DialContext.
var timeoutSuffixes = []string{"Timeout", "Context", "WithTimeout", "WithContext"}

// mirrorsStd reports whether the call sits in an exported function (or
// method) whose package also offers a variant of it that takes a timeout or
// a context: the plain one mirrors the standard API on purpose and the
// caller picks the variant, so the library has no policy to set.
func (c *checker) mirrorsStd(cur inspector.Cursor) bool {
	for fc := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		fd := fc.Node().(*ast.FuncDecl)
		fn, ok := c.pass.TypesInfo.Defs[fd.Name].(*types.Func)
		if !ok || !fd.Name.IsExported() {
			return false
		}
		recv := fn.Type().(*types.Signature).Recv()
		for _, s := range timeoutSuffixes {
			name := fd.Name.Name + s
			var alt types.Object
			if recv != nil {
				alt, _, _ = types.LookupFieldOrMethod(recv.Type(), true, c.pass.Pkg, name)
			} else {
				alt = c.pass.Pkg.Scope().Lookup(name)
			}
			if _, ok := alt.(*types.Func); ok {
				return true
			}
		}
		return false
	}
	return false
}

// servesItself reports whether the call sits in an exported method that
// serves its own receiver (engine.Run(addr) calling
// http.ListenAndServe(addr, engine.Handler())): a framework's shortcut for
// the standard function, mirroring it on purpose. A user who needs timeouts
// hands the handler to an http.Server of their own.
func (c *checker) servesItself(cur inspector.Cursor, handler ast.Expr) bool {
	for fc := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		fd := fc.Node().(*ast.FuncDecl)
		if fd.Recv == nil || len(fd.Recv.List) == 0 || len(fd.Recv.List[0].Names) == 0 || !fd.Name.IsExported() {
			return false
		}
		recv := c.pass.TypesInfo.Defs[fd.Recv.List[0].Names[0]]
		return recv != nil && match.Any(handler, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			return ok && c.pass.TypesInfo.Uses[id] == recv
		})
	}
	return false
}
