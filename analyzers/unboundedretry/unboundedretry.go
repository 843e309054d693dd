package unboundedretry

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
	"github.com/resilvet/resilvet/analyzers/internal/ignore"
	"github.com/resilvet/resilvet/analyzers/internal/match"
	"github.com/resilvet/resilvet/analyzers/internal/retryloop"
)

//go:embed doc.go
var doc string

// Analyzer is the unboundedretry check; doc.go holds its documentation.
var Analyzer = &analysis.Analyzer{
	Name:     "unboundedretry",
	Doc:      checkdoc.Extract(doc, "unboundedretry"),
	URL:      checkdoc.URL("unboundedretry"),
	Requires: []*analysis.Analyzer{retryloop.Analyzer},
	Run:      run,
}

func init() {
	Analyzer.Flags.Var(retryloop.HelpersFlag, "retry-helpers", retryloop.HelpersUsage)
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[retryloop.Analyzer].(*retryloop.Result)
	if len(res.Loops) == 0 || match.TestSupport(pass.Pkg) {
		return nil, nil
	}
	r := ignore.New(pass)
	for _, l := range res.Loops {
		if l.Stmt != nil {
			checkLoop(pass, r, res, l)
		}
		checkBodies(pass, r, l)
	}
	return nil, nil
}

func calleeName(pass *analysis.Pass, call *ast.CallExpr) string {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if s, ok := fixedit.Source(pass, f); ok && len(s) <= 40 {
			return s
		}
		return f.Sel.Name
	case *ast.Ident:
		return f.Name
	}
	return "the call"
}

func checkLoop(pass *analysis.Pass, r *ignore.Reporter, res *retryloop.Result, l *retryloop.Loop) {
	call := l.Calls[0]
	name := calleeName(pass, call)

	if l.Bound == retryloop.BoundNone && !l.OnConflict && (len(l.Waits) > 0 || remote(pass, l)) {
		d := analysis.Diagnostic{
			Pos: l.Stmt.Pos(), End: l.Stmt.Pos() + token.Pos(len("for")),
			Message: fmt.Sprintf("retry loop has no bound: a failing %s is retried forever; cap the attempts or stop on a deadline or ctx.Done()", name),
		}
		switch s := l.Stmt.(type) {
		case *ast.LabeledStmt: // a goto loop: at its label
			d.End = s.Label.End()
		}
		if l.Recursion != nil {
			d.Pos, d.End = l.Recursion.Pos(), l.Recursion.End()
			d.Message = fmt.Sprintf("retry by recursion has no bound: after a failing %s, %s calls itself again with nothing to stop it; count the attempts in a parameter and stop at a limit, or stop on a deadline or ctx.Done()", name, calleeName(pass, l.Recursion))
		}
		r.Report(d)
	}

	checkWaits(pass, r, res, l, call, name)

	for _, s := range l.RetriedStatuses[:min(1, len(l.RetriedStatuses))] { // one per loop
		cond, _ := fixedit.Source(pass, s.Cond)
		if s.Success {
			r.Reportf(s.Cond, "retry stops only on %s, so permanent errors (%s) are retried too; stop on 4xx other than 408 and 429",
				cond, codes(s.Permanent))
			continue
		}
		r.Reportf(s.Cond, "retry on %s also retries permanent errors (%s); retry only 408, 429, 502, 503, 504 and timeouts",
			cond, codes(s.Permanent))
	}

	if len(l.Unclosed) > 0 {
		u := l.Unclosed[0]
		msg := "response body of a failed attempt is not closed before the next one, so each retry holds another connection that is never reused; drain and close %s.Body before retrying"
		if u.Deferred {
			msg = "response body of a failed attempt is closed by a defer, which runs only when the function returns, so each retry holds another connection until then; drain and close %s.Body before retrying"
		}
		d := analysis.Diagnostic{Message: fmt.Sprintf(msg, u.Resp.Name())}
		if len(u.Continues) > 0 {
			d.Pos, d.End = u.Continues[0].Pos(), u.Continues[0].End()
			if fix, ok := closeFix(pass, l, u); ok {
				d.SuggestedFixes = []analysis.SuggestedFix{fix}
			}
		} else {
			d.Pos, d.End = u.Call.Pos(), u.Call.End()
		}
		r.Report(d)
	}
}

func codes(cs []int) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = fmt.Sprint(c)
	}
	return strings.Join(s, ", ")
}

// checkWaits reports a retry with no wait, a constant or unjittered wait,
// or a wait that ignores ctx: one finding, at the wait.
func checkWaits(pass *analysis.Pass, r *ignore.Reporter, res *retryloop.Result, l *retryloop.Loop, call *ast.CallExpr, name string) {
	if !remote(pass, l) {
		return // local work (a file rename, a CAS conflict): no dependency to spare
	}
	if len(l.Waits) == 0 {
		if l.Once || l.OnConflict || failover(pass, res, l, call) {
			return
		}
		r.Reportf(call, "%s is retried at once with no wait, hammering a failing dependency; back off exponentially with jitter between attempts (retry.Backoff)", name)
		return
	}
	kind := retryloop.WaitConstant
	backoffs := 0
	for _, w := range l.Waits {
		if w.Pacing {
			continue // a rate limiter paces the client, not this retry's attempts
		}
		backoffs++
		if w.Kind == retryloop.WaitUnknown || w.Kind == retryloop.WaitJittered {
			kind = w.Kind // computed or randomised elsewhere: trust it
			break
		}
		if w.Kind == retryloop.WaitGrowing {
			kind = w.Kind
		}
	}
	if backoffs == 0 {
		return // spaced by a rate limiter: not hammering, and no backoff to judge
	}
	// the first wait that ignores cancellation while a ctx is in scope
	var blind *retryloop.Wait
	ctx := l.CtxSource
	if ctx != "" {
		for _, w := range l.Waits {
			if !w.CtxAware {
				blind = w
				break
			}
		}
	}
	w := l.Waits[slices.IndexFunc(l.Waits, func(w *retryloop.Wait) bool { return !w.Pacing })]
	if blind != nil {
		w = blind
	}
	how := "time.Sleep"
	switch c, ok := w.Node.(*ast.CallExpr); {
	case w.Helper && ok:
		how = calleeName(pass, c) + ", which sleeps without watching the context,"
	case w.Sleep != nil:
	case !ok:
		how = "a bare timer receive"
	case match.WaitOf(match.Callee(pass.TypesInfo, c)) != match.Sleep:
		how = "<-time.After"
	}
	dur := ""
	if w.Dur != nil {
		dur, _ = fixedit.Source(pass, w.Dur)
	}
	var msg string
	switch {
	case kind == retryloop.WaitConstant && blind != nil:
		msg = fmt.Sprintf("retry waits a constant %s with %s, which ignores cancellation of %s and hammers a failing dependency; wait with retry.Wait(%s, retry.Backoff(policy, attempt))", dur, how, ctx, ctx)
	case kind == retryloop.WaitConstant:
		msg = fmt.Sprintf("retry waits a constant %s between attempts, hammering a failing dependency; back off exponentially with jitter (retry.Backoff)", dur)
	case kind == retryloop.WaitGrowing && blind != nil:
		msg = fmt.Sprintf("retry backoff has no jitter, so clients that failed together retry together, and %s ignores cancellation of %s; use retry.Wait(%s, retry.Backoff(policy, attempt))", how, ctx, ctx)
	case kind == retryloop.WaitGrowing:
		msg = "retry backoff grows but has no jitter, so clients that failed together retry together; randomise each wait (retry.Backoff)"
	case blind != nil:
		msg = fmt.Sprintf("%s in a retry loop ignores cancellation of %s; wait with retry.Wait(%s, d) or select on %s.Done()", how, ctx, ctx, ctx)
	default:
		return
	}
	d := analysis.Diagnostic{Pos: w.Node.Pos(), End: w.Node.End(), Message: msg}
	if kind == retryloop.WaitConstant && blind != nil && w.Sleep != nil {
		if fix, ok := sleepFix(pass, l, w); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
	}
	r.Report(d)
}

// failover reports whether the call is told which attempt it is: it tries
// the next endpoint or replica, or backs off itself (redis's
// c._process(ctx, cmd, attempt)); either way the loop needs no wait.
func failover(pass *analysis.Pass, res *retryloop.Result, l *retryloop.Loop, call *ast.CallExpr) bool {
	told := func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := pass.TypesInfo.Uses[id].(*types.Var)
		return ok && (v == l.Counter || match.AttemptName(v.Name()))
	}
	for _, c := range l.Calls { // any attempt call told the attempt number
		if slices.ContainsFunc(c.Args, func(a ast.Expr) bool { return match.Any(a, told) }) {
			return true
		}
	}
	// nc.current = nc.srvPool[i]: the counter picks the target
	if l.Counter != nil && match.Any(l.Body, func(n ast.Node) bool {
		ix, ok := n.(*ast.IndexExpr)
		if !ok {
			return false
		}
		id, ok := ast.Unparen(ix.Index).(*ast.Ident)
		return ok && pass.TypesInfo.Uses[id] == l.Counter
	}) {
		return true
	}
	// the callee waits itself (directly or in what it calls): a backoff
	// or a timer before the send, or a receive on a stream that blocks
	// until the peer answers
	s := res.Summary(match.Callee(pass.TypesInfo, call))
	return s.Waits || s.Receives || s.Streams
}

// checkBodies reports request bodies the first attempt consumes.
func checkBodies(pass *analysis.Pass, r *ignore.Reporter, l *retryloop.Loop) {
	for _, req := range l.Requests {
		switch {
		case req.Body == nil || req.Retryable || l.Client:
		case req.Reader:
			r.Reportf(req.Body, "request body %s is a reader built once outside the retry and drained by the first attempt, so later attempts send an empty body; build it inside the retry", exprString(pass, req.Body))
			return
		case !req.InRetry && req.Send != nil && !req.Rewound:
			r.Reportf(req.Send, "request %s is re-sent on every attempt but its body is consumed by the first; build the request inside the retry or reset %s.Body from %s.GetBody", req.Var.Name(), req.Var.Name(), req.Var.Name())
			return
		}
	}
}

func exprString(pass *analysis.Pass, e ast.Expr) string {
	s, _ := fixedit.Source(pass, e)
	return s
}

// closeFix drains and closes the response before each leaking continue.
func closeFix(pass *analysis.Pass, l *retryloop.Loop, u *retryloop.Unclosed) (analysis.SuggestedFix, bool) {
	imp, ok := fixedit.AddImport(pass, l.File, "io", "io")
	if !ok {
		return analysis.SuggestedFix{}, false
	}
	edits := imp
	name := u.Resp.Name()
	for _, c := range u.Continues {
		// the name must still mean the response at the continue
		if obj := match.Lookup(pass.Pkg, name, c.Pos()); obj != u.Resp {
			return analysis.SuggestedFix{}, false
		}
		ind := fixedit.Indent(pass, c.Pos())
		edits = append(edits, analysis.TextEdit{Pos: c.Pos(), End: c.Pos(), NewText: []byte(
			fmt.Sprintf("io.Copy(io.Discard, %s.Body)\n%s%s.Body.Close()\n%s", name, ind, name, ind))})
	}
	return analysis.SuggestedFix{Message: "Drain and close the response body before retrying", TextEdits: edits}, true
}

// sleepFix replaces time.Sleep(d) with a ctx-aware jittered exponential
// wait from runtime/retry, when the function's results make the early
// return mechanical.
func sleepFix(pass *analysis.Pass, l *retryloop.Loop, w *retryloop.Wait) (analysis.SuggestedFix, bool) {
	none := analysis.SuggestedFix{}
	if l.Ctx == nil || l.Counter == nil || w.Sleep == nil || !fixedit.RuntimeAvailable(pass) {
		return none, false
	}
	pos := w.Sleep.Pos()
	if match.Lookup(pass.Pkg, l.Ctx.Name(), pos) != l.Ctx || match.Lookup(pass.Pkg, l.Counter.Name(), pos) != l.Counter {
		return none, false
	}
	if b, ok := l.Counter.Type().Underlying().(*types.Basic); !ok || b.Kind() != types.Int {
		return none, false
	}
	ret, ok := fixedit.ZeroReturn(pass.TypesInfo, l.FuncType, "err")
	if !ok {
		return none, false
	}
	// removing the call must not leave "time" unused
	if !timeStillUsed(pass, l.File, w.Node.(*ast.CallExpr)) {
		return none, false
	}
	edits, ok := fixedit.AddImport(pass, l.File, fixedit.RuntimeRetry, "retry")
	if !ok {
		return none, false
	}
	dur, _ := fixedit.Source(pass, w.Dur)
	ind := fixedit.Indent(pass, pos)
	text := fmt.Sprintf("if err := retry.Wait(%s, retry.Backoff(retry.Policy{BaseDelay: %s}, %s)); err != nil {\n%s\t%s\n%s}",
		l.Ctx.Name(), dur, l.Counter.Name(), ind, ret, ind)
	edits = append(edits, analysis.TextEdit{Pos: w.Sleep.Pos(), End: w.Sleep.End(), NewText: []byte(text)})
	return analysis.SuggestedFix{Message: "Wait with jittered exponential backoff that honours ctx", TextEdits: edits}, true
}

func timeStillUsed(pass *analysis.Pass, f *ast.File, sleep *ast.CallExpr) bool {
	sel := sleep.Fun.(*ast.SelectorExpr)
	used := false
	ast.Inspect(f, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || id == sel.X {
			return true
		}
		if pn, ok := pass.TypesInfo.Uses[id].(*types.PkgName); ok && pn.Imported().Path() == "time" {
			used = true
		}
		return !used
	})
	return used
}

// remoteName matches calls that talk to another process.
var remoteName = regexp.MustCompile(`(?i)^(dial|connect|ping|send|call|invoke|publish|post|put|get|fetch|request|do|query|exec|subscribe|list|create|update|delete|upload|download|login|notify|push|pull)`)

// netRemote matches the functions and methods of package net that talk to
// a peer: dials, lookups, reads and writes.
var netRemote = regexp.MustCompile(`^(Dial|Lookup|Read|Write)`)

// netPkgs are the imports that mark a package as one that talks to the network.
var netPkgs = []string{"net", "net/http", "net/rpc", "net/smtp", "database/sql", "google.golang.org/grpc"}

// remote reports whether the retry talks to a dependency over the network:
// it sends HTTP requests or calls something that dials, sends or fetches.
// Retries of local work (an optimistic-concurrency conflict) need no wait.
func remote(pass *analysis.Pass, l *retryloop.Loop) bool {
	if len(l.Requests) > 0 || len(l.Sends) > 0 {
		return true
	}
	for _, c := range l.Calls {
		fn := match.Callee(pass.TypesInfo, c)
		if fn == nil || fn.Pkg() == nil {
			continue
		}
		switch fn.Pkg().Path() {
		case "net":
			// socket options, listeners and addresses are local calls
			if netRemote.MatchString(fn.Name()) {
				return true
			}
			continue
		case "net/http", "database/sql", "net/rpc", "net/smtp":
			return true
		}
		// A remote-sounding name counts only where its package does network
		// I/O: deleteDevice in a package of syscalls is local work.
		if remoteName.MatchString(fn.Name()) && match.Imports(fn.Pkg(), netPkgs...) {
			return true
		}
		// by convention, calls that take a context first do I/O
		if sig, ok := fn.Type().(*types.Signature); ok && sig.Params().Len() > 0 && match.IsContext(sig.Params().At(0).Type()) {
			return true
		}
	}
	return false
}
