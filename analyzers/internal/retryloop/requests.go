package retryloop

// The requests: the HTTP requests a retry sends, their methods, headers
// and bodies, and whether a body survives the first attempt.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"net/http"
	"strings"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// requestsOf returns the HTTP requests the retry sends, in its body and
// in the functions its body hands to a breaker or a retry library.
func (w *walker) requestsOf(fbody *ast.BlockStmt) []*Request {
	info := w.m.info()
	var reqs []*Request
	seen := map[*ast.CallExpr]bool{}
	bodies := append([]*ast.BlockStmt{w.l.Body}, w.passedFuncs(w.l.Body)...)
	for _, body := range bodies {
		w.walk(body, wctx{}, func(n ast.Node, c wctx) {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return
			}
			if i, helper := w.m.sentArg(call); i >= 0 && i < len(call.Args) {
				r := w.sendArg(call, i, fbody)
				if r == nil {
					// a request built elsewhere (the caller's, a
					// builder's): sent here, but its method, headers and
					// body are out of sight
					r = &Request{Send: call, Var: w.varOf(call.Args[i]), HeadersOpaque: true}
				}
				if r.New != nil {
					seen[r.New] = true
				}
				if helper {
					// a helper of the package may set headers or restore
					// the body itself
					sum, bit := w.m.sums.Of(match.Callee(info, call)), uint64(1)<<i
					r.HeadersOpaque = r.HeadersOpaque || sum.ChangesArgs&bit != 0
					r.Rewound = r.Rewound || sum.RewindsArgs&bit != 0
				}
				reqs = append(reqs, r)
				return
			}
			fn := match.Callee(info, call)
			if match.IsFunc(fn, "net/http", "Post", "PostForm") || match.IsMethod(fn, "net/http", "Client", "Post", "PostForm") {
				r := &Request{Send: call, Method: "POST", NoHeaders: true, InRetry: true, URL: call.Args[0]}
				if fn.Name() == "Post" && len(call.Args) == 3 {
					r.Body = call.Args[2]
					r.Reader = w.outsideReader(r.Body, fbody)
				}
				reqs = append(reqs, r)
			}
		})
	}
	for _, body := range bodies {
		w.walk(body, wctx{}, func(n ast.Node, c wctx) {
			call, ok := n.(*ast.CallExpr)
			if !ok || seen[call] || !isNewRequest(match.Callee(info, call)) {
				return
			}
			// built here but sent elsewhere (a helper, a wrapper)
			r := w.newRequest(call, nil, fbody)
			r.HeadersOpaque = true
			reqs = append(reqs, r)
		})
	}
	return reqs
}

func isRequestType(t types.Type) bool {
	if match.IsHTTPRequestPtr(t) {
		return true
	}
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && match.IsNamed(p.Elem(), retryablehttpPath, "Request")
}

func isNewRequest(fn *types.Func) bool {
	return match.IsFunc(fn, "net/http", "NewRequest", "NewRequestWithContext") ||
		match.IsFunc(fn, retryablehttpPath, "NewRequest", "NewRequestWithContext")
}

// send models the request a Do call sends.
func (w *walker) send(call *ast.CallExpr, fbody *ast.BlockStmt) *Request {
	return w.sendArg(call, 0, fbody)
}

// sendArg models the request a send call passes as its i-th argument.
func (w *walker) sendArg(call *ast.CallExpr, i int, fbody *ast.BlockStmt) *Request {
	info := w.m.info()
	arg := ast.Unparen(call.Args[i])
	// req.WithContext(ctx) sends req's body
	if c, ok := arg.(*ast.CallExpr); ok {
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "WithContext") {
			arg = ast.Unparen(sel.X)
		}
	}
	if c, ok := arg.(*ast.CallExpr); ok {
		if fn := match.Callee(info, c); fn != nil && isNewRequest(fn) {
			r := w.newRequest(c, nil, fbody)
			r.Send = call
			return r
		}
		return nil
	}
	v := w.varOf(arg)
	if v == nil || fbody == nil {
		return nil
	}
	// the last NewRequest assigned to v before the send
	var newCall *ast.CallExpr
	ast.Inspect(fbody, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || as.Pos() > call.Pos() || len(as.Rhs) != 1 {
			return true
		}
		if w.varOf(as.Lhs[0]) != v {
			return true
		}
		if c, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr); ok {
			if fn := match.Callee(info, c); fn != nil && isNewRequest(fn) {
				newCall = c
				return true
			}
		}
		newCall = nil // built some other way
		return true
	})
	if newCall == nil {
		return nil
	}
	r := w.newRequest(newCall, v, fbody)
	r.Send = call
	return r
}

// newRequest models a NewRequest call, assigned to v when v is not nil.
func (w *walker) newRequest(call *ast.CallExpr, v *types.Var, fbody *ast.BlockStmt) *Request {
	info := w.m.info()
	fn := match.Callee(info, call)
	r := &Request{New: call, Var: v, Headers: map[string]ast.Expr{}}
	r.InRetry = call.Pos() >= w.l.Body.Pos() && call.Pos() < w.l.Body.End()
	r.Retryable = fn.Pkg().Path() == retryablehttpPath
	args := call.Args
	if strings.HasSuffix(fn.Name(), "WithContext") && len(args) > 0 {
		args = args[1:]
	}
	if len(args) >= 3 {
		r.URL = args[1]
		if cv := w.m.constValue(args[0]); cv != nil && cv.Kind() == constant.String {
			r.Method = strings.ToUpper(constant.StringVal(cv))
		}
		if !match.IsNil(info, args[2]) && !isNoBody(info, args[2]) && !w.neverSet(args[2], fbody) {
			r.Body = args[2]
			r.Reader = w.outsideReader(args[2], fbody)
		}
	}
	if v == nil {
		return r
	}
	// headers set on v, and whether the body is restored per attempt
	ast.Inspect(fbody, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if h, ok := sel.X.(*ast.SelectorExpr); ok && h.Sel.Name == "Header" && w.varOf(h.X) == v {
					switch sel.Sel.Name {
					case "Set", "Add":
						if len(n.Args) == 2 {
							if cv := w.m.constValue(n.Args[0]); cv != nil && cv.Kind() == constant.String {
								r.Headers[http.CanonicalHeaderKey(constant.StringVal(cv))] = n.Args[1]
							} else {
								r.HeadersOpaque = true
							}
						}
					}
					return true
				}
			}
			for i, a := range n.Args {
				if w.varOf(a) == v && n != r.Send && !w.sendsUnchanged(n, a) {
					r.HeadersOpaque = true // passed to a helper that may set headers
					w.helperHeaders(r, n, i)
				}
			}
		case *ast.SelectorExpr:
			if w.varOf(n.X) == v {
				switch n.Sel.Name {
				case "GetBody":
					r.Rewound = true
				}
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				sel, ok := lhs.(*ast.SelectorExpr)
				if !ok || w.varOf(sel.X) != v {
					if ix, ok := lhs.(*ast.IndexExpr); ok {
						if h, ok := ix.X.(*ast.SelectorExpr); ok && h.Sel.Name == "Header" && w.varOf(h.X) == v {
							if cv := w.m.constValue(ix.Index); cv != nil && cv.Kind() == constant.String && len(n.Rhs) == 1 {
								r.Headers[http.CanonicalHeaderKey(constant.StringVal(cv))] = n.Rhs[0]
							} else {
								r.HeadersOpaque = true
							}
						}
					}
					continue
				}
				switch sel.Sel.Name {
				case "Header":
					r.HeadersOpaque = true
				case "Body":
					if n.Pos() >= w.l.Body.Pos() && n.Pos() < w.l.Body.End() {
						r.Rewound = true
					}
				}
			}
			for _, rhs := range n.Rhs {
				if sel, ok := ast.Unparen(rhs).(*ast.SelectorExpr); ok && sel.Sel.Name == "Header" && w.varOf(sel.X) == v {
					r.HeadersOpaque = true // h := req.Header; h.Set(...)
				}
			}
		}
		return true
	})
	return r
}

// sendsUnchanged reports whether call sends its argument a as it is: a
// send that sets no header on it.
func (w *walker) sendsUnchanged(call *ast.CallExpr, a ast.Expr) bool {
	i, helper := w.m.sentArg(call)
	if i < 0 || i >= len(call.Args) || call.Args[i] != a {
		return false
	}
	return !helper || w.m.sums.Of(match.Callee(w.m.info(), call)).ChangesArgs&(1<<i) == 0
}

func isNoBody(info *types.Info, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "NoBody" {
		return false
	}
	v, ok := info.Uses[sel.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "net/http"
}

// outsideReader reports whether e names an in-memory reader built outside
// the retry and not rewound inside it: the first attempt drains it.
func (w *walker) outsideReader(e ast.Expr, fbody *ast.BlockStmt) bool {
	v := w.varOf(e)
	if v == nil || fbody == nil {
		return false
	}
	body := w.l.Body
	if v.Pos() >= body.Pos() && v.Pos() < body.End() {
		return false
	}
	info := w.m.info()
	built, other := false, false
	for _, a := range assignsOf(info, fbody, v) {
		switch {
		case a.stmt.Pos() >= body.Pos() && a.stmt.Pos() < body.End() || a.rhs == nil:
			other = true
		case isReaderCtor(info, a.rhs):
			built = true
		default:
			other = true
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && w.varOf(sel.X) == v && (sel.Sel.Name == "Seek" || sel.Sel.Name == "Reset") {
				other = true // rewound inside the retry
			}
		}
		return true
	})
	return built && !other
}

func isReaderCtor(info *types.Info, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := match.Callee(info, e)
		return match.IsFunc(fn, "bytes", "NewReader", "NewBuffer", "NewBufferString") ||
			match.IsFunc(fn, "strings", "NewReader")
	case *ast.UnaryExpr:
		if cl, ok := e.X.(*ast.CompositeLit); ok && e.Op == token.AND {
			return match.IsNamed(info.TypeOf(cl), "bytes", "Buffer")
		}
	}
	return false
}

// neverSet reports whether e is a local variable declared without a value
// and never assigned or addressed in fbody: it is nil, so the request has
// no body (var buf io.ReadWriter; http.NewRequest("POST", u, buf)).
func (w *walker) neverSet(e ast.Expr, fbody *ast.BlockStmt) bool {
	v := w.varOf(e)
	if v == nil || fbody == nil || v.Pos() < fbody.Pos() || v.Pos() >= fbody.End() {
		return false
	}
	set := false
	ast.Inspect(fbody, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if w.varOf(lhs) == v {
					set = true
				}
			}
		case *ast.ValueSpec:
			for _, name := range n.Names {
				if w.m.info().Defs[name] == v && len(n.Values) > 0 {
					set = true
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && w.varOf(n.X) == v {
				set = true
			}
		}
		return !set
	})
	return !set
}
