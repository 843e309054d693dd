package breaker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// State is the state of a Breaker.
type State int

// The states of a Breaker.
const (
	Closed State = iota
	Open
	HalfOpen
)

// String returns "closed", "open" or "half-open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return "unknown"
}

// ErrOpen is returned, unwrapped, for every call the breaker rejects: while
// open, and while half-open with every probe slot taken.
var ErrOpen = errors.New("breaker: circuit open")

// Outcome is how the breaker classified one call, reported to Config.OnCall.
type Outcome int

// The outcomes reported to Config.OnCall.
const (
	Success  Outcome = iota // counted as a success
	Failure                 // counted as a failure (error, slow call, panic)
	Ignored                 // not counted: the caller cancelled its own context
	Rejected                // not run: the breaker returned ErrOpen
)

// String returns "success", "failure", "ignored" or "rejected".
func (o Outcome) String() string {
	switch o {
	case Success:
		return "success"
	case Failure:
		return "failure"
	case Ignored:
		return "ignored"
	case Rejected:
		return "rejected"
	}
	return "unknown"
}

// Clock is the time source of a Breaker. Tests inject a fake one to drive
// windows and timeouts without sleeping. AfterFunc runs f once after d
// and returns a function that cancels it, reporting whether it did (like
// (*time.Timer).Stop).
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Config tunes a Breaker. The zero value is usable: it opens after 5
// consecutive failures and probes once after 30s.
//
// Defaults and combinations:
//   - FailureThreshold 0 means 5 while FailureRate is off, and off when
//     FailureRate is set; a negative value always means off. When both are
//     set, either condition opens the circuit.
//   - With FailureRate set, Window defaults to 10s (10 buckets) and MinCalls
//     to 10.
//   - ProbeTimeout defaults to OpenTimeout. A probe still running after
//     ProbeTimeout gives its slot to the next caller, so a hung dependency
//     cannot wedge the breaker half-open; its own result still counts when
//     it arrives (a slow success is a success, a failure re-opens). The
//     probe's context is not cancelled: give calls a deadline of their own.
//   - IsFailure is called only with non-nil errors: a nil error is a
//     success (unless SlowCall says otherwise), whatever IsFailure would say.
//   - A call whose error is context.Canceled while the caller's own ctx is
//     cancelled is ignored (neither success nor failure) even with a custom
//     IsFailure: the caller giving up says nothing about the dependency. A
//     context.DeadlineExceeded does count: the dependency was too slow.
//   - A panic counts as a failure whatever IsFailure says.
type Config struct {
	FailureThreshold int                               // consecutive failures that open the circuit (default 5)
	FailureRate      float64                           // or: failure ratio over Window that opens it (0 = off)
	MinCalls         int                               // calls needed in Window before FailureRate applies
	Window           time.Duration                     // sliding window for FailureRate (bucketed)
	OpenTimeout      time.Duration                     // time open before probing (default 30s)
	HalfOpenProbes   int                               // calls admitted at once while half-open (default 1); all must succeed to close
	ProbeTimeout     time.Duration                     // a probe still running after this frees its slot for another probe (default OpenTimeout)
	SlowCall         time.Duration                     // calls slower than this count as failures (0 = off)
	IsFailure        func(error) bool                  // called with non-nil errors only; default: true, except the caller's own context being cancelled
	OnStateChange    func(name string, from, to State) // called outside any internal lock, in order, never concurrently

	// OnCall, when set, is told how every call was classified, including
	// rejections. It runs on the caller's goroutine, outside any lock.
	OnCall func(name string, o Outcome)
	// Logger, when set, receives one structured record per state change
	// (breaker, from, to), at Warn when opening and Info otherwise.
	Logger *slog.Logger
	// Clock defaults to the system clock.
	Clock Clock
}

const (
	defaultThreshold   = 5
	defaultOpenTimeout = 30 * time.Second
	defaultWindow      = 10 * time.Second
	defaultMinCalls    = 10
)

// The breaker's state word packs, from low to high bits: the consecutive
// failure count (32 bits), the State (2 bits) and a generation (30 bits)
// that changes on every transition. A result is only applied when the
// generation it was admitted under is still current.
const (
	countBits = 32
	stateMask = 3 << countBits
	genShift  = countBits + 2
	countMask = 1<<countBits - 1
)

func wState(w uint64) State  { return State((w & stateMask) >> countBits) }
func wGen(w uint64) uint64   { return w >> genShift }
func wCount(w uint64) uint64 { return w & countMask }

// nextGen wraps within 30 bits, so the generation stored elsewhere (full)
// always compares equal to the one decoded from the word.
func nextGen(gen uint64) uint64 { return (gen + 1) & (1<<(64-genShift) - 1) }

// noGen marks full as matching no generation. It cannot be 0: after the
// generation wraps, 0 is a real half-open period.
const noGen = ^uint64(0)

func mkWord(gen uint64, s State) uint64 {
	return gen<<genShift | uint64(s)<<countBits
}

// Breaker is a circuit breaker. Its methods are safe for concurrent use.
type Breaker struct {
	name      string
	threshold uint64 // 0 = consecutive rule off
	rate      float64
	minCalls  int64
	open      time.Duration
	probes    int
	probeTO   time.Duration
	slow      time.Duration
	isFailure func(error) bool
	onChange  func(string, State, State)
	onCall    func(string, Outcome)
	logger    *slog.Logger
	clock     Clock
	base      time.Time
	win       *window // nil when FailureRate is off
	notify    bool    // onChange or logger set

	word atomic.Uint64
	full atomic.Uint64 // generation of the half-open period whose probe slots are all taken

	mu         sync.Mutex // guards transitions and everything below
	admitted   int        // probes holding a slot in this half-open period (not given back, not expired)
	succeeded  int        // probes that succeeded in this half-open period
	events     []event    // state changes not yet delivered
	delivering bool
}

type event struct{ from, to State }

// New returns a closed Breaker named name (the name is passed to hooks and
// logged; use the dependency's name).
func New(name string, cfg Config) *Breaker {
	b := &Breaker{
		name:      name,
		rate:      cfg.FailureRate,
		open:      cfg.OpenTimeout,
		probes:    cfg.HalfOpenProbes,
		probeTO:   cfg.ProbeTimeout,
		slow:      cfg.SlowCall,
		isFailure: cfg.IsFailure,
		onChange:  cfg.OnStateChange,
		onCall:    cfg.OnCall,
		logger:    cfg.Logger,
		clock:     cfg.Clock,
	}
	switch {
	case cfg.FailureThreshold > 0:
		b.threshold = uint64(cfg.FailureThreshold)
	case cfg.FailureThreshold == 0 && cfg.FailureRate <= 0:
		b.threshold = defaultThreshold
	}
	if b.open <= 0 {
		b.open = defaultOpenTimeout
	}
	if b.probes <= 0 {
		b.probes = 1
	}
	if b.probeTO <= 0 {
		b.probeTO = b.open
	}
	if b.clock == nil {
		b.clock = realClock{}
	}
	b.base = b.clock.Now()
	if b.rate > 0 {
		w := cfg.Window
		if w <= 0 {
			w = defaultWindow
		}
		b.minCalls = int64(cfg.MinCalls)
		if b.minCalls <= 0 {
			b.minCalls = defaultMinCalls
		}
		b.win = newWindow(w)
	}
	b.notify = b.onChange != nil || b.logger != nil
	b.full.Store(noGen)
	return b
}

// Name returns the name given to New.
func (b *Breaker) Name() string { return b.name }

// State returns the current state. An open breaker moves to HalfOpen as
// soon as OpenTimeout has passed, without waiting for a call, so a
// readiness check or a gauge reading State sees it ready to probe.
func (b *Breaker) State() State { return wState(b.word.Load()) }

func (b *Breaker) now() int64 { return int64(b.clock.Now().Sub(b.base)) }

// ticket is what admission hands to a call: the generation it was admitted
// under and, for a half-open probe, the probe's bookkeeping.
type ticket struct {
	gen   uint64
	probe *probe
}

// probe is guarded by Breaker.mu.
type probe struct {
	done    bool // its outcome was applied
	expired bool // it outlived ProbeTimeout and gave its slot back
	stop    func() bool
}

// Do runs fn if the breaker admits the call and records its outcome. It
// returns ErrOpen without running fn when rejected, ctx.Err() without running
// fn when ctx is already done, and fn's error otherwise. A panic in fn is
// counted as a failure and re-raised.
func (b *Breaker) Do(ctx context.Context, fn func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := b.word.Load()
	if wState(w) != Closed {
		return b.doSlow(ctx, fn)
	}
	t := ticket{gen: wGen(w)}
	var start int64
	if b.slow > 0 {
		start = b.now()
	}
	finished := false
	defer func() {
		if !finished { // fn panicked or called runtime.Goexit
			b.recordClosed(t, Failure)
		}
	}()
	err := fn(ctx)
	finished = true
	b.recordClosed(t, b.classify(ctx, err, start))
	return err
}

// doSlow handles the open and half-open states.
func (b *Breaker) doSlow(ctx context.Context, fn func(context.Context) error) error {
	var t ticket
	var err error
	// The common rejections take no lock and read no clock: open, or
	// half-open with every probe slot taken.
	if w := b.word.Load(); wState(w) == Open ||
		(wState(w) == HalfOpen && b.full.Load() == wGen(w)) {
		err = ErrOpen
	} else {
		t, err = b.admitSlow()
	}
	if err != nil {
		if b.onCall != nil {
			b.onCall(b.name, Rejected)
		}
		return err
	}
	if t.probe == nil { // closed again by the time we got the lock
		return b.Do(ctx, fn)
	}
	var start int64
	if b.slow > 0 {
		start = b.now()
	}
	finished := false
	defer func() {
		if !finished {
			b.recordProbe(t, Failure)
		}
	}()
	err = fn(ctx)
	finished = true
	b.recordProbe(t, b.classify(ctx, err, start))
	return err
}

// classify applies IsFailure, SlowCall and the caller-cancellation rule.
// IsFailure sees only non-nil errors: a custom predicate written as "not
// one of these errors" must not turn every success into a failure.
func (b *Breaker) classify(ctx context.Context, err error, start int64) Outcome {
	if err != nil && errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled {
		return Ignored
	}
	failed := err != nil
	if failed && b.isFailure != nil {
		failed = b.isFailure(err)
	}
	if !failed && b.slow > 0 && time.Duration(b.now()-start) > b.slow {
		failed = true
	}
	if failed {
		return Failure
	}
	return Success
}

// recordClosed applies the outcome of a call admitted while closed, lock
// free unless it trips the breaker.
func (b *Breaker) recordClosed(t ticket, o Outcome) {
	if b.onCall != nil {
		b.onCall(b.name, o)
	}
	switch o {
	case Success:
		for {
			w := b.word.Load()
			if wCount(w) == 0 || wGen(w) != t.gen {
				break
			}
			if b.word.CompareAndSwap(w, w&^countMask) {
				break
			}
		}
		if b.win != nil && wGen(b.word.Load()) == t.gen {
			b.win.add(b.now(), false)
		}
	case Failure:
		trip := false
		for {
			w := b.word.Load()
			if wGen(w) != t.gen || wState(w) != Closed {
				return
			}
			n := wCount(w)
			if n < countMask {
				n++
			}
			if b.word.CompareAndSwap(w, w&^countMask|n) {
				trip = b.threshold > 0 && n >= b.threshold
				break
			}
		}
		if !trip && b.win != nil {
			trip = b.win.add(b.now(), true).trips(b.rate, b.minCalls)
		}
		if trip {
			b.trip(t.gen)
		}
	}
}

// trip opens a breaker that is still closed in generation gen.
func (b *Breaker) trip(gen uint64) {
	b.mu.Lock()
	for {
		w := b.word.Load()
		if wGen(w) != gen || wState(w) != Closed {
			b.mu.Unlock()
			return
		}
		if b.word.CompareAndSwap(w, mkWord(nextGen(gen), Open)) {
			break
		}
	}
	b.scheduleProbe(nextGen(gen))
	b.changed(Closed, Open)
	b.mu.Unlock()
	b.deliver()
}

// admitSlow admits a probe or rejects the call; it never returns a probe
// ticket beyond the HalfOpenProbes limit of the current half-open period.
func (b *Breaker) admitSlow() (ticket, error) {
	b.mu.Lock()
	w := b.word.Load()
	switch wState(w) {
	case Closed:
		b.mu.Unlock()
		return ticket{gen: wGen(w)}, nil
	case Open: // OpenTimeout has not passed: the timer moves it on
		b.mu.Unlock()
		return ticket{}, ErrOpen
	}
	if b.admitted >= b.probes {
		b.mu.Unlock()
		return ticket{}, ErrOpen
	}
	b.admitted++
	if b.admitted == b.probes {
		b.full.Store(wGen(w))
	}
	p := &probe{}
	t := ticket{gen: wGen(w), probe: p}
	p.stop = b.clock.AfterFunc(b.probeTO, func() { b.probeExpired(t) })
	b.mu.Unlock()
	return t, nil
}

// probeExpired gives the slot of a probe still running after ProbeTimeout
// to the next caller. The probe keeps running and its result still counts:
// a dependency that is slow but working must be able to close the breaker,
// and one that hangs gets one more probe per ProbeTimeout, not a wedge.
func (b *Breaker) probeExpired(t ticket) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.probe.done || t.probe.expired {
		return
	}
	t.probe.expired = true
	if w := b.word.Load(); wGen(w) == t.gen && wState(w) == HalfOpen {
		b.admitted--
		b.full.Store(noGen)
	}
}

// recordProbe applies a probe's outcome to the half-open period it was
// admitted in, if that period is still current.
func (b *Breaker) recordProbe(t ticket, o Outcome) {
	b.mu.Lock()
	if t.probe.done {
		b.mu.Unlock()
		return
	}
	t.probe.done = true
	if !t.probe.expired {
		t.probe.stop()
	}
	if w := b.word.Load(); wGen(w) == t.gen && wState(w) == HalfOpen {
		switch o {
		case Ignored:
			if !t.probe.expired { // an expired probe's slot was given back already
				b.admitted-- // give the slot to another caller
				b.full.Store(noGen)
			}
		case Failure:
			b.failProbe(t.gen)
		case Success:
			b.succeeded++
			if b.succeeded >= b.probes {
				if b.win != nil {
					b.win.reset()
				}
				b.word.Store(mkWord(nextGen(t.gen), Closed))
				b.changed(HalfOpen, Closed)
			}
		}
	}
	b.mu.Unlock()
	b.deliver()
	if b.onCall != nil {
		b.onCall(b.name, o)
	}
}

// failProbe re-opens a breaker half-open in generation gen. b.mu is held.
func (b *Breaker) failProbe(gen uint64) {
	if w := b.word.Load(); wGen(w) != gen || wState(w) != HalfOpen {
		return
	}
	b.word.Store(mkWord(nextGen(gen), Open))
	b.scheduleProbe(nextGen(gen))
	b.changed(HalfOpen, Open)
}

// scheduleProbe moves the open period gen to HalfOpen after OpenTimeout. A
// timer rather than a clock read per call keeps rejections cheap, and makes
// State report HalfOpen when no call arrives: a readiness check built on
// State must not keep the instance out of rotation forever.
func (b *Breaker) scheduleProbe(gen uint64) {
	b.clock.AfterFunc(b.open, func() { b.openElapsed(gen) })
}

// openElapsed moves a breaker still open in generation gen to HalfOpen.
func (b *Breaker) openElapsed(gen uint64) {
	b.mu.Lock()
	if w := b.word.Load(); wGen(w) != gen || wState(w) != Open {
		b.mu.Unlock()
		return
	}
	b.word.Store(mkWord(nextGen(gen), HalfOpen))
	b.admitted, b.succeeded = 0, 0
	b.changed(Open, HalfOpen)
	b.mu.Unlock()
	b.deliver()
}

// changed queues a state change for delivery. b.mu is held.
func (b *Breaker) changed(from, to State) {
	if b.notify {
		b.events = append(b.events, event{from, to})
	}
}

// deliver runs the hooks for queued state changes, in order, without holding
// b.mu. Only one goroutine delivers at a time; a hook that changes the
// state again (or a concurrent change) is queued and delivered by the same
// loop, so hooks always see changes in the order they happened.
func (b *Breaker) deliver() {
	if !b.notify {
		return
	}
	b.mu.Lock()
	if b.delivering || len(b.events) == 0 {
		b.mu.Unlock()
		return
	}
	b.delivering = true
	// returned is this goroutine's own: reading b.delivering here instead,
	// without the lock, raced with the next deliverer and could clear its
	// flag, letting two goroutines run hooks at once and out of order.
	returned := false
	defer func() {
		if !returned { // a hook panicked: let the next change deliver
			b.mu.Lock()
			b.delivering = false
			b.mu.Unlock()
		}
	}()
	for len(b.events) > 0 {
		ev := b.events[0]
		b.events = b.events[:copy(b.events, b.events[1:])]
		b.mu.Unlock()
		b.emit(ev)
		b.mu.Lock()
	}
	b.delivering = false
	returned = true
	b.mu.Unlock()
}

func (b *Breaker) emit(ev event) {
	if b.logger != nil {
		lvl := slog.LevelInfo
		if ev.to == Open {
			lvl = slog.LevelWarn
		}
		b.logger.LogAttrs(context.Background(), lvl, "circuit breaker state change",
			slog.String("breaker", b.name),
			slog.String("from", ev.from.String()),
			slog.String("to", ev.to.String()))
	}
	if b.onChange != nil {
		b.onChange(b.name, ev.from, ev.to)
	}
}

// Call is Do for a function that returns a value.
func Call[T any](ctx context.Context, b *Breaker, fn func(context.Context) (T, error)) (T, error) {
	var v T
	err := b.Do(ctx, func(ctx context.Context) error {
		var err error
		v, err = fn(ctx)
		return err
	})
	return v, err
}
