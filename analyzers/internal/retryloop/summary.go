package retryloop

// Function summaries: what a function of the analysed package does, seen
// from a call to it, computed once per package from its SSA form and
// carried from callees to callers (bottom-up, to a fixpoint, so recursion
// is fine). Functions of other packages stay opaque.

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/match"
	"github.com/resilvet/resilvet/analyzers/internal/pkgssa"
)

// Summary says what a call to a package function does.
type Summary struct {
	// Waits: it sleeps or waits on a timer (itself or in a function it
	// calls), so a loop calling it needs no wait of its own.
	Waits bool
	// Receives: it blocks receiving from a channel that some other
	// goroutine feeds; calling it again takes the next value rather than
	// repeating an operation.
	Receives bool
	// Sleeps: it waits with time.Sleep or a bare timer receive, which
	// nothing but the timer ends.
	Sleeps bool
	// Cancels: it selects on a context's Done channel or waits with
	// runtime/retry's Wait, so a cancelled caller is let go.
	Cancels bool
	// Streams: it waits for a message from a peer on a stream (gRPC's
	// RecvMsg, or a generated Recv), which blocks until the peer answers
	// or the stream ends, so the caller's loop does not spin.
	Streams bool
	// Fresh: it returns a value that differs on every call (made from a
	// uuid, random or clock source or a sequence, see returnsFresh):
	// makeKey() minted in a retry is a new key on every attempt.
	Fresh bool
	// WaitKind is how the duration it waits changes from call to call:
	// WaitGrowing when it grows with the attempt it is given (math.Pow of
	// it, a shift by it) and nothing randomises it, WaitJittered when it is
	// randomised; WaitUnknown when it does not wait or the package does not
	// show it.
	WaitKind WaitKind
	// Delay is the same for the time.Duration it returns, for a function
	// that computes a wait for its caller to sleep (backoff(n)).
	Delay WaitKind
	// SendsArgs has bit i set when it sends its i-th argument (the
	// receiver not counted), an *http.Request: with Do, RoundTrip, a value
	// of type func(*http.Request) (*http.Response, error), or a function of
	// the package that sends it.
	SendsArgs uint64
	// ChangesArgs has bit i set when it may change the headers of the
	// request given as its i-th argument: it reaches the request's Header
	// or hands the request to a call that does not just send it.
	ChangesArgs uint64
	// OpenResponse: it returns the response of a send it makes, itself or
	// in a struct, without closing the response's body.
	OpenResponse bool
	// RewindsArgs has bit i set when it restores the body of the request
	// given as its i-th argument (reads its GetBody or assigns its Body),
	// so sending that request again sends the whole body.
	RewindsArgs uint64
	// Tests has bit i set when the function's branches test its i-th
	// parameter (the receiver first): a verdict on that argument.
	Tests uint64
	// TestsOther: its branches also test something it is not given (the
	// clock, a closure's or a package's counter, a value it makes).
	TestsOther bool
}

// BlindWait reports a wait that a cancelled context does not end.
func (s Summary) BlindWait() bool { return s.Sleeps && !s.Cancels }

// summaries computes the package's summaries on the first question.
type summaries struct {
	pkg  *types.Package
	ssa  *pkgssa.Lazy
	done bool
	by   map[*ssa.Function]*Summary
	// fresh memoises returnsFresh, computed only for the functions asked about.
	fresh map[*ssa.Function]int8
	g     *growth
}

// Of returns the summary of fn, the zero Summary for functions declared
// elsewhere.
func (s *summaries) Of(fn *types.Func) Summary {
	if s == nil || fn == nil || fn.Pkg() != s.pkg {
		return Summary{} // declared elsewhere: opaque, and no SSA built for it
	}
	if !s.done {
		s.compute()
	}
	if f := s.ssa.Get().Func(fn); f != nil && s.by[f] != nil {
		sum := *s.by[f]
		sum.Fresh = s.returnsFresh(f)
		return sum
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
		return s.ofImplementations(sig.Recv().Type(), fn)
	}
	return Summary{}
}

// ofImplementations summarises a call of an interface method through the
// package's implementations of it: it waits when one does, sleeps blind
// only when every one does, and grows only when every one grows.
func (s *summaries) ofImplementations(iface types.Type, m *types.Func) Summary {
	impls := s.g.implementations(iface, m)
	if len(impls) == 0 {
		return Summary{}
	}
	out := Summary{Sleeps: true, WaitKind: -1, Delay: -1}
	for _, f := range impls {
		sum := s.by[f]
		if sum == nil {
			return Summary{}
		}
		out.Waits = out.Waits || sum.Waits
		out.Sleeps = out.Sleeps && sum.Sleeps
		out.Cancels = out.Cancels || sum.Cancels
		out.WaitKind = agree(out.WaitKind, sum.WaitKind)
		out.Delay = agree(out.Delay, sum.Delay)
	}
	return out
}

// agree is the kind every implementation has, WaitUnknown when they
// differ (-1 is none seen yet).
func agree(a, b WaitKind) WaitKind {
	if a == -1 || a == b {
		return b
	}
	return WaitUnknown
}

func (s *summaries) compute() {
	s.done = true
	s.by = map[*ssa.Function]*Summary{}
	p := s.ssa.Get()
	s.g = newGrowth(s, s.withInit(p))
	callees := map[*ssa.Function][]*ssa.Function{}
	for _, f := range p.Funcs {
		sum := &Summary{}
		s.by[f] = sum
		for _, b := range f.Blocks {
			for _, ins := range b.Instrs {
				switch ins := ins.(type) {
				case *ssa.Call:
					if streamRecv(&ins.Call) {
						sum.Streams = true
					}
					if match.WaitOf(calledFunc(&ins.Call)) == match.Named {
						sum.Waits = true // s.pause(n), policy.Backoff(n): a wait of its own making
					}
					// the static callee, or what a field, a value or an
					// interface of the package holds (sleep: time.Sleep)
					for _, callee := range s.g.calleesOf(&ins.Call) {
						obj := funcObj(callee)
						if obj != nil && isTimerWait(obj) {
							sum.Waits = true
							sum.Sleeps = sum.Sleeps || match.WaitOf(obj) == match.Sleep
							sum.Cancels = sum.Cancels || match.IsFunc(obj, RuntimeRetry, "Wait")
						}
						if callee.Pkg == p.Pkg || callee.Parent() != nil {
							callees[f] = append(callees[f], callee)
						}
					}
				case *ssa.UnOp:
					if ins.Op == token.ARROW {
						k := chanKind(ins.X)
						sum.note(k)
						sum.Sleeps = sum.Sleeps || k == chanTimer // nothing else wakes a bare receive
					}
				case *ssa.Select:
					if !ins.Blocking {
						continue
					}
					for _, st := range ins.States {
						if st.Dir == types.RecvOnly {
							k := chanKind(st.Chan)
							sum.note(k)
							sum.Cancels = sum.Cancels || k == chanDone
						}
					}
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for f, cs := range callees {
			sum := s.by[f]
			for _, c := range cs {
				cs := s.by[c]
				if cs == nil {
					continue
				}
				merged := Summary{
					Tests: sum.Tests, TestsOther: sum.TestsOther,
					Waits: sum.Waits || cs.Waits, Receives: sum.Receives || cs.Receives,
					Sleeps: sum.Sleeps || cs.Sleeps, Cancels: sum.Cancels || cs.Cancels,
					Streams: sum.Streams || cs.Streams,
				}
				if merged != *sum {
					*sum = merged
					changed = true
				}
			}
		}
	}
	for f, sum := range s.by {
		if sum.Waits {
			sum.WaitKind = s.g.waitOf(f).wait()
		}
		sum.Delay = s.g.delayOf(f).wait()
	}
	s.sendSummaries(p)
	s.computeTests(p.Funcs)
}

// withInit returns the package's functions and its init, whose package
// variables may set a function-valued field (sleep: time.Sleep).
func (s *summaries) withInit(p *pkgssa.Package) []*ssa.Function {
	if init := p.Pkg.Func("init"); init != nil {
		return append([]*ssa.Function{init}, p.Funcs...)
	}
	return p.Funcs
}

type chanUse int

const (
	chanOther chanUse = iota // a channel another goroutine feeds
	chanTimer                // time.After, a Timer's or Ticker's C
	chanDone                 // ctx.Done(): cancellation, not a value
)

func (s *Summary) note(k chanUse) {
	switch k {
	case chanTimer:
		s.Waits = true
	case chanOther:
		s.Receives = true
	}
}

// chanKind says what a received-from channel is.
func chanKind(v ssa.Value) chanUse {
	switch v := v.(type) {
	case *ssa.Call:
		if callee := v.Call.StaticCallee(); callee != nil {
			if obj, ok := callee.Object().(*types.Func); ok && match.IsFunc(obj, "time", "After", "Tick") {
				return chanTimer
			}
		}
		if v.Call.IsInvoke() && v.Call.Method.Name() == "Done" && match.IsContext(v.Call.Value.Type()) {
			return chanDone
		}
		if m := v.Call.StaticCallee(); m != nil && m.Name() == "Done" && m.Signature.Recv() != nil {
			return chanDone
		}
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL {
			if pt, ok := fa.X.Type().Underlying().(*types.Pointer); ok &&
				(match.IsNamed(pt.Elem(), "time", "Timer") || match.IsNamed(pt.Elem(), "time", "Ticker")) {
				return chanTimer
			}
		}
	}
	return chanOther
}

// calledFunc returns the function or interface method a call names.
func calledFunc(c *ssa.CallCommon) *types.Func {
	if c.IsInvoke() {
		return c.Method
	}
	if f := c.StaticCallee(); f != nil {
		return funcObj(f)
	}
	return nil
}

// isTimerWait matches the standard calls that wait a duration.
func isTimerWait(fn *types.Func) bool {
	k := match.WaitOf(fn)
	return k == match.Sleep || k == match.Timer || match.IsFunc(fn, RuntimeRetry, "Wait")
}

// streamRecv reports whether c receives a message on a stream: a method of
// a value that has RecvMsg(any) error (a gRPC stream), either RecvMsg itself
// or a method of the stream's own (Recv, CloseAndRecv) that takes nothing
// and returns a message and an error.
func streamRecv(c *ssa.CallCommon) bool {
	var recv types.Type
	var m *types.Func
	switch {
	case c.IsInvoke():
		recv, m = c.Value.Type(), c.Method
	default:
		f := c.StaticCallee()
		if f == nil || f.Signature.Recv() == nil {
			return false
		}
		recv = f.Signature.Recv().Type()
		m, _ = f.Object().(*types.Func)
	}
	if m == nil || !hasRecvMsg(recv) {
		return false
	}
	if m.Name() == "RecvMsg" {
		return true
	}
	sig := m.Type().(*types.Signature)
	return m.Name() != "Header" && sig.Params().Len() == 0 && sig.Results().Len() == 2 &&
		match.IsError(sig.Results().At(1).Type())
}

func hasRecvMsg(t types.Type) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "RecvMsg")
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Type().(*types.Signature)
	return sig.Params().Len() == 1 && sig.Results().Len() == 1 && match.IsError(sig.Results().At(0).Type())
}
