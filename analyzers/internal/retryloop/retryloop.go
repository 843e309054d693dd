// Package retryloop finds the retries of a package once, for every resilvet
// check that is about them (unboundedretry, missingidemkey).
//
// A retry is a loop whose body makes a fallible call and goes round again
// when it fails but leaves on success, or a call to a known retry helper
// (cenkalti/backoff, avast/retry-go, runtime/retry, hashicorp's
// go-retryablehttp client) with the function it retries. For each one the
// model records the bound, the waits between attempts, the context in scope,
// the status checks that lead to another attempt, the HTTP requests sent and
// the responses whose bodies are left open on the way to the next attempt.
package retryloop

import (
	"flag"
	"go/ast"
	"go/constant"
	"go/types"
	"reflect"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
	"github.com/resilvet/resilvet/analyzers/internal/match"
	"github.com/resilvet/resilvet/analyzers/internal/pkgssa"
)

// RuntimeRetry is the import path of resilvet's retry runtime.
const RuntimeRetry = fixedit.RuntimeRetry

const retryablehttpPath = "github.com/hashicorp/go-retryablehttp"

// defaultHelpers are the retry helpers known without configuration: calls
// to them retry the function passed to them.
var defaultHelpers = []string{
	"github.com/cenkalti/backoff/v4.Retry",
	"github.com/cenkalti/backoff/v4.RetryNotify",
	"github.com/cenkalti/backoff/v4.RetryWithData",
	"github.com/cenkalti/backoff/v4.RetryNotifyWithData",
	"github.com/cenkalti/backoff/v5.Retry",
	"github.com/avast/retry-go/v4.Do",
	"github.com/avast/retry-go/v4.DoWithData",
	"github.com/avast/retry-go.Do",
	RuntimeRetry + ".Do",
}

var extraHelpers string

// Analyzer computes the retries of a package; its result is a *Result.
var Analyzer = &analysis.Analyzer{
	Name:       "retryloop",
	Doc:        "find retry loops and retry-helper calls for the resilvet retry checks",
	Run:        run,
	Requires:   []*analysis.Analyzer{inspect.Analyzer},
	ResultType: reflect.TypeOf((*Result)(nil)),
}

// HelpersUsage documents the -retry-helpers flag.
const HelpersUsage = "comma-separated extra retry helpers (importpath.Func) whose function argument is retried"

// HelpersFlag is the -retry-helpers value. Drivers expose only the flags of
// the analyzers they run, so each check using the model registers it too.
var HelpersFlag flag.Value = (*helpersValue)(&extraHelpers)

type helpersValue string

func (h *helpersValue) String() string     { return string(*h) }
func (h *helpersValue) Set(s string) error { *h = helpersValue(s); return nil }

func init() {
	Analyzer.Flags.Var(HelpersFlag, "retry-helpers", HelpersUsage)
}

// Result lists the retries of a package, in source order.
type Result struct {
	Loops []*Loop
	sums  *summaries
}

// Summary returns what a call to fn does, when fn is declared in the
// analysed package (the zero Summary otherwise). The package's SSA form is
// built on the first call.
func (r *Result) Summary(fn *types.Func) Summary { return r.sums.Of(fn) }

// Bound says what ends a retry that keeps failing.
type Bound int

const (
	BoundNone     Bound = iota // nothing: retries forever
	BoundAttempts              // a counter compared to a limit
	BoundDeadline              // elapsed time or a deadline
	BoundContext               // ctx.Err() or ctx.Done()
	BoundOther                 // some other exit condition, or a helper's policy
)

// WaitKind classifies the wait between attempts.
type WaitKind int

const (
	WaitUnknown  WaitKind = iota // computed elsewhere (a helper, a field, a call)
	WaitConstant                 // the same duration every time
	WaitGrowing                  // grows with the attempts, no randomness
	WaitJittered                 // randomised
)

// Wait is one wait inside a retry.
type Wait struct {
	Node     ast.Node // the call or receive that waits
	Dur      ast.Expr // the duration, when known
	Kind     WaitKind
	Sleep    *ast.ExprStmt // set when the wait is a time.Sleep statement
	CtxAware bool          // the wait ends when the context (or another channel) fires
	// Helper is set when the wait is a call to a function of the package
	// that sleeps (time.Sleep, a bare timer receive) and ignores ctx.
	Helper bool
	// Pacing is set for a rate limiter's wait (x/time/rate's Limiter.Wait):
	// it spaces every request of the client at one rate, so it is a wait
	// but says nothing about how the retry backs off.
	Pacing bool
}

// Loop is one retry: a loop, or a helper call and the function it retries.
//
// A goto loop (retry: ...; goto retry) has Stmt the *ast.LabeledStmt, Label
// its label, and Body the statements from the label to the last goto back.
// A retry by recursion has Stmt the statement of its first recursive call,
// Recursion that call, and Body the function's statements. Their Body is
// made for the model: it is not in the file's syntax tree.
type Loop struct {
	Stmt   ast.Stmt       // *ast.ForStmt, *ast.RangeStmt, or as above; nil for helpers
	Label  string         // the loop's label, if any
	Body   *ast.BlockStmt // the loop body, or the retried function's body
	Helper *ast.CallExpr  // the helper call, for helper retries
	// Client is set when the retries come from a retrying HTTP client.
	Client bool
	File   *ast.File
	// FuncType is the type of the innermost function enclosing the loop.
	FuncType *ast.FuncType
	// Calls are the fallible calls whose failure leads to another attempt.
	Calls []*ast.CallExpr
	Bound Bound
	Waits []*Wait
	Ctx   *types.Var // the context.Context variable in scope, or nil
	// CtxSource is how the code spells the context in scope: Ctx's name,
	// a field holding one (s.ctx), or the Context() of a request the
	// function was given (r.Context(), job.req.Context()); "" when none.
	CtxSource string
	Counter   *types.Var // the attempt counter, or nil
	// RetriedStatuses are conditions on a response status whose branch
	// retries, with the permanent (4xx) statuses they let through.
	RetriedStatuses []*StatusRetry
	Requests        []*Request
	// Unclosed lists, per response, where the next attempt starts with its
	// body still open: continue statements, or the call when the body falls
	// through to the next iteration.
	Unclosed []*Unclosed
	// Keys are values generated inside the retry that are fresh on every
	// attempt (uuid, rand, time.Now, the counter), by variable.
	Keys map[*types.Var]ast.Expr
	sums *summaries
	// Sends are the attempt calls that send an HTTP request: client.Do,
	// RoundTrip, a send-shaped func value, field or interface method, a
	// helper of the package that sends its request argument, or a call
	// that hands back a response (a pipeline's req.Next()).
	Sends []*ast.CallExpr
	// Recursion is the call by which a function retries itself, for a
	// retry by recursion; nil otherwise.
	Recursion *ast.CallExpr
	// Once is set when every way round again is guarded by a flag that is
	// set on the way (re-authenticate once, then try again): the operation
	// runs at most twice.
	Once bool
	// OnConflict is set when every way round again is guarded by a test for
	// a write conflict (errors.IsConflict(err), status 409): an optimistic
	// update that re-reads and tries again, answered by a healthy server.
	OnConflict bool
}

// StatusRetry is a status condition whose branch starts another attempt.
type StatusRetry struct {
	Cond      ast.Expr
	Permanent []int // permanent statuses the condition retries
	// Success is set when Cond selects the statuses that end the retry and
	// every other status, permanent ones included, goes round again.
	Success bool
}

// Unclosed is a response whose body is open when the next attempt starts.
type Unclosed struct {
	Resp      *types.Var
	Call      *ast.CallExpr
	Continues []*ast.BranchStmt // empty: the body falls through to the next iteration
	// Deferred is set when the loop closes the body with a defer, which
	// runs only when the function returns, after every attempt.
	Deferred bool
}

// Request is an HTTP request sent inside a retry.
type Request struct {
	New    *ast.CallExpr // the NewRequest call; nil for http.Post-style sends
	Send   *ast.CallExpr // the call that sends it, when seen
	Var    *types.Var    // the request variable, or nil
	Method string        // upper-case method, "" when not constant
	URL    ast.Expr      // the URL argument, when known
	Body   ast.Expr      // the body argument, nil when none
	// InRetry is set when the request is created inside the retry.
	InRetry bool
	// Headers maps canonical header names set on the request to the value.
	Headers map[string]ast.Expr
	// HeadersOpaque is set when headers may be set where this model cannot
	// see (the request is passed to a function, its Header replaced, or a
	// header set under a computed name).
	HeadersOpaque bool
	// NoHeaders is set for http.Post-style sends, which cannot carry headers.
	NoHeaders bool
	// Rewound is set when the body is restored inside the retry (GetBody,
	// Seek, a new Body).
	Rewound bool
	// Reader is set when Body is a reader built outside the retry.
	Reader bool
	// Retryable is set for go-retryablehttp requests, whose bodies replay.
	Retryable bool
	// HelperHeaders are the headers a function of the package sets when
	// given the request (their Headers value is the call), and whether
	// it sets a value that differs on every call.
	HelperHeaders map[string]bool
}

func run(pass *analysis.Pass) (any, error) {
	res := &Result{}
	helpers := helperSet()
	if !match.Imports(pass.Pkg, "net/http", "time", "context") && !importsHelper(pass.Pkg, helpers) {
		return res, nil
	}
	if harness(pass.Pkg.Path()) {
		return res, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	res.sums = &summaries{pkg: pass.Pkg, ssa: pkgssa.New(pass)}
	m := &model{pass: pass, helpers: helpers, sums: res.sums}
	filter := []ast.Node{(*ast.File)(nil), (*ast.FuncDecl)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil),
		(*ast.LabeledStmt)(nil), (*ast.CallExpr)(nil)}
	var file *ast.File
	skip := false
	// a function declaration calling itself is modelled as a retry by
	// recursion when the walk leaves it
	var decl *types.Func
	selfCalls := false
	insp.WithStack(filter, func(n ast.Node, push bool, stack []ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok {
			decl, _ = pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if !push && selfCalls {
				if l := m.recursion(fd, stack); l != nil {
					l.File = file
					res.Loops = append(res.Loops, l)
				}
			}
			selfCalls = false
			return true
		}
		if !push {
			return true
		}
		switch n := n.(type) {
		case *ast.File:
			file = n
			// Retries in tests wait for test servers; they are not the
			// production retries these checks are about.
			skip = match.IsTestFile(pass, n)
			return !skip
		case *ast.LabeledStmt:
			if l := m.gotoLoop(n, stack); l != nil {
				l.File = file
				res.Loops = append(res.Loops, l)
			}
		case *ast.ForStmt, *ast.RangeStmt:
			if l := m.loop(n.(ast.Stmt), stack); l != nil {
				l.File = file
				res.Loops = append(res.Loops, l)
			}
		case *ast.CallExpr:
			if decl != nil && !selfCalls && match.Callee(pass.TypesInfo, n) == decl {
				selfCalls = true
			}
			if l := m.helper(n, stack); l != nil {
				l.File = file
				res.Loops = append(res.Loops, l)
			}
		}
		return true
	})
	return res, nil
}

func helperSet() map[string]bool {
	s := map[string]bool{}
	for _, h := range defaultHelpers {
		s[h] = true
	}
	for h := range strings.SplitSeq(extraHelpers, ",") {
		if h = strings.TrimSpace(h); h != "" {
			s[h] = true
		}
	}
	return s
}

func importsHelper(pkg *types.Package, helpers map[string]bool) bool {
	for _, imp := range pkg.Imports() {
		if imp.Path() == retryablehttpPath {
			return true
		}
		for h := range helpers {
			if i := strings.LastIndex(h, "."); i > 0 && h[:i] == imp.Path() {
				return true
			}
		}
	}
	return false
}

type model struct {
	pass    *analysis.Pass
	helpers map[string]bool
	sums    *summaries
}

func (m *model) info() *types.Info { return m.pass.TypesInfo }

// enclosingFunc returns the innermost function type and body on the stack.
func enclosingFunc(stack []ast.Node) (*ast.FuncType, *ast.BlockStmt) {
	for i := len(stack) - 1; i >= 0; i-- {
		switch f := stack[i].(type) {
		case *ast.FuncDecl:
			return f.Type, f.Body
		case *ast.FuncLit:
			return f.Type, f.Body
		}
	}
	return nil, nil
}

// loop models a for or range statement, returning nil when it is not a retry.
func (m *model) loop(s ast.Stmt, stack []ast.Node) *Loop {
	ft, fbody := enclosingFunc(stack)
	if ft == nil {
		return nil
	}
	l := &Loop{Stmt: s, FuncType: ft, sums: m.sums}
	if len(stack) >= 2 {
		if ls, ok := stack[len(stack)-2].(*ast.LabeledStmt); ok {
			l.Label = ls.Label.Name
		}
	}
	switch s := s.(type) {
	case *ast.ForStmt:
		if walksCollection(m.info(), s.Cond) {
			return nil // for i := 0; i < len(servers); i++: each item once
		}
		l.Body = s.Body
	case *ast.RangeStmt:
		// Only a range over an integer repeats the same work; ranges over
		// collections or channels walk work items.
		t := m.info().TypeOf(s.X)
		if t == nil {
			return nil
		}
		if b, ok := t.Underlying().(*types.Basic); !ok || b.Info()&types.IsInteger == 0 {
			return nil
		}
		l.Body = s.Body
		l.Bound = BoundAttempts
		if id, ok := s.Key.(*ast.Ident); ok {
			l.Counter, _ = m.info().ObjectOf(id).(*types.Var)
		}
	}
	return m.retryOf(l, stack, fbody, nil, nil)
}

// retryOf completes the model of a loop, a goto loop or a recursion whose
// Stmt and Body are set; recur are the calls that retry by recursion. It
// returns nil when the cycle is not a retry.
func (m *model) retryOf(l *Loop, stack []ast.Node, fbody *ast.BlockStmt, recur map[*ast.CallExpr]bool, decl *ast.FuncDecl) *Loop {
	w := &walker{m: m, l: l, fbody: fbody, recur: recur, decl: decl}
	calls, counter, ok := w.attemptOf()
	if !ok || w.items || m.receivesOnly(calls) {
		return nil // work items or values fed by another goroutine: not the same operation again
	}
	l.Calls, l.Counter = calls, counter
	l.Once = w.once()
	l.OnConflict = w.onConflict()
	if w.polls {
		return nil
	}
	if l.Bound == BoundNone {
		l.Bound = w.boundOf()
	}
	if l.Once && l.Bound == BoundNone {
		l.Bound = BoundAttempts // at most one more attempt
	}
	l.Waits = w.waitsOf(fbody)
	l.Ctx, l.CtxSource = m.ctxOf(stack, l.Body)
	l.RetriedStatuses = w.statusesOf()
	l.Unclosed = w.unclosedOf()
	l.Requests = w.requestsOf(fbody)
	l.Keys = w.keysOf()
	l.Sends = w.sendCalls(calls)
	return l
}

// helper models a call to a retry helper, or a send through a retrying client.
func (m *model) helper(call *ast.CallExpr, stack []ast.Node) *Loop {
	fn := match.Callee(m.info(), call)
	if fn == nil || fn.Pkg() == nil {
		return nil
	}
	ft, fbody := enclosingFunc(stack)
	if ft == nil {
		return nil
	}
	// the client's own convenience methods only pass their caller's request on
	if match.IsMethod(fn, retryablehttpPath, "Client", "Do", "Post", "PostForm") && m.pass.Pkg.Path() != retryablehttpPath {
		l := &Loop{Helper: call, Client: true, FuncType: ft, Bound: BoundOther, Body: fbody, sums: m.sums}
		w := &walker{m: m, l: l}
		if fn.Name() != "Do" {
			l.Requests = append(l.Requests, &Request{Send: call, Method: "POST", NoHeaders: true, Retryable: true, URL: call.Args[0]})
			return l
		}
		if r := w.send(call, fbody); r != nil {
			r.Retryable = true
			l.Requests = append(l.Requests, r)
		}
		return l
	}
	if !m.helpers[fn.Pkg().Path()+"."+fn.Name()] {
		return nil
	}
	var body *ast.BlockStmt
	for _, arg := range call.Args {
		if t := m.info().TypeOf(arg); t == nil || !isSignature(t) {
			continue
		}
		body = m.funcBody(arg, fbody)
		break
	}
	if body == nil {
		return nil
	}
	l := &Loop{Helper: call, FuncType: ft, Body: body, Bound: BoundOther, sums: m.sums}
	l.Ctx, l.CtxSource = m.ctxOf(stack, body)
	w := &walker{m: m, l: l, fbody: fbody}
	l.Requests = w.requestsOf(fbody)
	l.Keys = w.keysOf()
	return l
}

// receivesOnly reports whether every attempt call is a function of the
// package that blocks on a channel another goroutine feeds: each call
// takes the next value, it does not repeat an operation that failed.
func (m *model) receivesOnly(calls []*ast.CallExpr) bool {
	for _, c := range calls {
		fn := match.Callee(m.info(), c)
		if fn == nil || fn.Pkg() != m.pass.Pkg || !m.sums.Of(fn).Receives {
			return false
		}
	}
	return len(calls) > 0
}

// funcBody returns the body of the function literal e is, or names.
func (m *model) funcBody(e ast.Expr, scope *ast.BlockStmt) *ast.BlockStmt {
	switch e := ast.Unparen(e).(type) {
	case *ast.FuncLit:
		return e.Body
	case *ast.Ident:
		obj := m.info().ObjectOf(e)
		if obj == nil || scope == nil {
			return nil
		}
		var body *ast.BlockStmt
		ast.Inspect(scope, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
				for i, lhs := range as.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && m.info().ObjectOf(id) == obj {
						if fl, ok := as.Rhs[i].(*ast.FuncLit); ok {
							body = fl.Body
						}
					}
				}
			}
			return body == nil
		})
		return body
	}
	return nil
}

// isConstDuration reports the constant value of e, if it has one.
func (m *model) constValue(e ast.Expr) constant.Value {
	if tv, ok := m.info().Types[e]; ok {
		return tv.Value
	}
	return nil
}

// lastResultIsError reports whether call returns an error last.
func (m *model) fallible(call *ast.CallExpr) bool {
	t := m.info().TypeOf(call)
	if tup, ok := t.(*types.Tuple); ok {
		return tup.Len() > 0 && match.IsError(tup.At(tup.Len()-1).Type())
	}
	return match.IsError(t)
}

// isResponse reports whether t is *net/http.Response.
func isResponse(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && match.IsNamed(p.Elem(), "net/http", "Response")
}

func isSignature(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

// harnessDirs name packages of test tooling: readiness waits for processes
// they start themselves, not retries of a production dependency.
var harnessDirs = map[string]bool{
	"e2e": true, "testutil": true, "testutils": true, "testhelper": true, "testhelpers": true,
	"testing": true, "integration": true, "mock": true, "mocks": true, "fake": true, "fakes": true,
}

func harness(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		if harnessDirs[seg] {
			return true
		}
	}
	return false
}

// walksCollection matches a loop condition bounded by len(x): the loop
// visits items (servers of a pool, pages), like a range over them.
func walksCollection(info *types.Info, cond ast.Expr) bool {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok {
		return false
	}
	for _, side := range []ast.Expr{b.X, b.Y} {
		if call, ok := ast.Unparen(side).(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if bi, ok := info.Uses[id].(*types.Builtin); ok && bi.Name() == "len" {
					return true
				}
			}
		}
	}
	return false
}
