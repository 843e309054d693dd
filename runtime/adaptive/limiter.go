package adaptive

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// ErrLimited is returned when every slot under the current limit is taken.
var ErrLimited = errors.New("adaptive: concurrency limit reached")

// Outcome is what a finished call says about the dependency's capacity.
type Outcome int

// The outcomes of a call.
const (
	Success Outcome = iota // completed; its RTT is a latency sample
	Dropped                // timed out, was rejected or overloaded: shrink
	Ignore                 // says nothing about capacity (e.g. the caller gave up)
)

// Sample is one finished call as an Algorithm sees it.
type Sample struct {
	RTT      time.Duration // from acquire to release
	InFlight int           // calls in flight when it was admitted, itself included
	Dropped  bool
}

// Algorithm turns samples into a limit. Update is called with the
// limiter's lock held, one sample at a time, so implementations keep state
// without locking; the limiter clamps the result to [min, max]. An
// Algorithm value belongs to one Limiter.
type Algorithm interface {
	Update(limit float64, s Sample) float64
}

// Clock is the limiter's time source (tests and simulations inject one).
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Option configures a Limiter.
type Option func(*Limiter)

// WithLimits sets the initial limit and the range it moves in (defaults 20,
// 1 and 1000). Values out of order are fixed up: min ≤ initial ≤ max.
func WithLimits(initial, min, max int) Option {
	return func(l *Limiter) { l.initial, l.min, l.max = initial, min, max }
}

// WithOnLimitChange calls f after every change of the integer limit, in
// order, outside the limiter's state lock. f must not acquire or finish
// tokens of the same limiter.
func WithOnLimitChange(f func(old, new int)) Option {
	return func(l *Limiter) { l.onChange = f }
}

// WithClassifier replaces how Token.Finish and Do map a call's error to an
// Outcome. The default: nil is Success; the caller's own cancellation is
// Ignore; any other error, a deadline included, is Dropped.
func WithClassifier(f func(ctx context.Context, err error) Outcome) Option {
	return func(l *Limiter) { l.classify = f }
}

// WithName names the limiter (for metrics and logs; see Name).
func WithName(name string) Option { return func(l *Limiter) { l.name = name } }

// WithClock sets the clock used to measure RTTs.
func WithClock(c Clock) Option { return func(l *Limiter) { l.clock = c } }

// Limiter hands out one token per call while fewer than Limit() calls are
// in flight, and retunes the limit from each call's outcome.
type Limiter struct {
	name     string
	alg      Algorithm
	initial  int
	min, max int
	onChange func(old, new int)
	classify func(context.Context, error) Outcome
	clock    Clock
	base     time.Time

	inFlight atomic.Int64
	limit    atomic.Int64
	slots    sync.Pool // *tokenSlot, reused: a released Token's generation moves on

	listenMu  sync.Mutex                  // serialises changes to listeners
	listeners atomic.Pointer[[]*listener] // copy-on-write; read on every release

	mu     sync.Mutex // guards alg and estimate
	est    float64
	hookMu sync.Mutex // orders onChange calls
}

// New returns a Limiter driven by alg (NewAIMD, NewVegas, NewGradient2).
func New(alg Algorithm, opts ...Option) *Limiter {
	l := &Limiter{alg: alg, initial: 20, min: 1, max: 1000, classify: DefaultClassifier, clock: realClock{}}
	for _, o := range opts {
		o(l)
	}
	l.min = max(l.min, 1)
	l.max = max(l.max, l.min)
	l.initial = min(max(l.initial, l.min), l.max)
	l.est = float64(l.initial)
	l.limit.Store(int64(l.initial))
	l.base = l.clock.Now()
	return l
}

// DefaultClassifier is the classifier used unless WithClassifier is given.
func DefaultClassifier(ctx context.Context, err error) Outcome {
	switch {
	case err == nil:
		return Success
	case errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled:
		return Ignore
	}
	return Dropped
}

// Name returns the name given with WithName.
func (l *Limiter) Name() string { return l.name }

// Limit returns the current limit.
func (l *Limiter) Limit() int { return int(l.limit.Load()) }

// InFlight returns the number of tokens not yet finished.
func (l *Limiter) InFlight() int { return int(l.inFlight.Load()) }

// Token is one admitted call. One of Success, Dropped, Ignore or Finish
// must be called to release it. Only the first release of a Token (or of
// any copy of it) counts; later ones do nothing, so a second Finish cannot
// free a slot another call holds. Releasing the zero Token does nothing.
type Token struct {
	l        *Limiter
	slot     *tokenSlot
	gen      uint64 // slot.gen when the token was handed out
	start    int64
	inFlight int32
}

// tokenSlot makes a Token's release happen once: release moves gen on with
// a compare-and-swap from the value the Token holds. Slots are pooled, so
// acquiring allocates nothing; a stale Token's generation never matches
// its reused slot again.
type tokenSlot struct{ gen atomic.Uint64 }

type listener struct{ f func() }

// TryAcquire takes a token if fewer than Limit() calls are in flight.
func (l *Limiter) TryAcquire() (Token, bool) {
	for {
		n := l.inFlight.Load()
		if n >= l.limit.Load() {
			return Token{}, false
		}
		if l.inFlight.CompareAndSwap(n, n+1) {
			s, _ := l.slots.Get().(*tokenSlot)
			if s == nil {
				s = new(tokenSlot)
			}
			return Token{l: l, slot: s, gen: s.gen.Load(), start: l.now(), inFlight: int32(n + 1)}, true
		}
	}
}

// Acquire is TryAcquire for a call with a context: it returns ctx.Err() if
// ctx is done and ErrLimited if no slot is free. It never waits; put the
// limiter behind a bulkhead (bulkhead.WithLimiter) to queue callers.
func (l *Limiter) Acquire(ctx context.Context) (Token, error) {
	if err := ctx.Err(); err != nil {
		return Token{}, err
	}
	t, ok := l.TryAcquire()
	if !ok {
		return Token{}, ErrLimited
	}
	return t, nil
}

// Do runs fn under a token and reports its outcome through the classifier.
// A panic in fn counts as Dropped, releases the token and is re-raised.
func (l *Limiter) Do(ctx context.Context, fn func(context.Context) error) error {
	t, err := l.Acquire(ctx)
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		if !finished {
			t.Dropped()
		}
	}()
	err = fn(ctx)
	finished = true
	t.Finish(ctx, err)
	return err
}

func (l *Limiter) now() int64 { return int64(l.clock.Now().Sub(l.base)) }

// Success reports a completed call; its RTT feeds the algorithm.
func (t Token) Success() { t.l.release(t, Success) }

// Dropped reports a call that timed out or was rejected for overload.
func (t Token) Dropped() { t.l.release(t, Dropped) }

// Ignore releases the slot without a sample.
func (t Token) Ignore() { t.l.release(t, Ignore) }

// Finish classifies err (ctx is the caller's context) and releases.
func (t Token) Finish(ctx context.Context, err error) {
	if t.l != nil {
		t.l.release(t, t.l.classify(ctx, err))
	}
}

// OnRelease registers f to be called after every release of a token of l,
// whoever releases it (Limiter.Do, a Token method, a bulkhead), on the
// releasing goroutine and outside the limiter's locks; keep it short and
// non-blocking. A bulkhead backed by l uses it to hand freed slots to its
// queued callers. The returned func unregisters f.
func (l *Limiter) OnRelease(f func()) (stop func()) {
	ln := &listener{f: f}
	l.listenMu.Lock()
	defer l.listenMu.Unlock()
	var cur []*listener
	if p := l.listeners.Load(); p != nil {
		cur = *p
	}
	next := append(append([]*listener(nil), cur...), ln)
	l.listeners.Store(&next)
	return func() {
		l.listenMu.Lock()
		defer l.listenMu.Unlock()
		var keep []*listener
		for _, x := range *l.listeners.Load() {
			if x != ln {
				keep = append(keep, x)
			}
		}
		l.listeners.Store(&keep)
	}
}

func (l *Limiter) release(t Token, o Outcome) {
	if t.l == nil || !t.slot.gen.CompareAndSwap(t.gen, t.gen+1) {
		return // the zero Token, or released already
	}
	l.slots.Put(t.slot)
	l.inFlight.Add(-1)
	if o != Ignore {
		l.update(t, o)
	}
	if p := l.listeners.Load(); p != nil {
		for _, ln := range *p {
			ln.f()
		}
	}
}

// update feeds a released call's sample to the algorithm.
func (l *Limiter) update(t Token, o Outcome) {
	s := Sample{RTT: time.Duration(l.now() - t.start), InFlight: int(t.inFlight), Dropped: o == Dropped}
	l.mu.Lock()
	est := l.alg.Update(l.est, s)
	if math.IsNaN(est) {
		est = l.est
	}
	l.est = min(max(est, float64(l.min)), float64(l.max))
	next := int64(l.est)
	old := l.limit.Swap(next)
	if old == next || l.onChange == nil {
		l.mu.Unlock()
		return
	}
	l.hookMu.Lock() // taken before mu is released, so hooks run in order
	l.mu.Unlock()
	defer l.hookMu.Unlock()
	l.onChange(int(old), int(next))
}
