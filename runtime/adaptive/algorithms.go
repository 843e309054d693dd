package adaptive

import (
	"math"
	"time"
)

// minRTT tracks the lowest RTT seen recently: the no-queueing baseline.
// It is forgotten every `every` samples so a dependency that became
// permanently slower (a new region, a bigger payload) gets a new baseline
// instead of being throttled forever.
type minRTT struct {
	min, next time.Duration
	n, every  int
}

func (m *minRTT) observe(rtt time.Duration) time.Duration {
	if rtt <= 0 {
		rtt = 1
	}
	if m.min == 0 || rtt < m.min {
		m.min = rtt
	}
	if m.next == 0 || rtt < m.next {
		m.next = rtt
	}
	if m.n++; m.every > 0 && m.n >= m.every {
		// Keep the lowest of the last two periods, so a single probe period
		// that happened to be congested cannot raise it much.
		m.min, m.next, m.n = m.next, 0, 0
	}
	return m.min
}

// AIMDConfig tunes NewAIMD.
type AIMDConfig struct {
	// Backoff multiplies the limit on a drop or on queueing (default 0.5:
	// halve, as TCP does).
	Backoff float64
	// Tolerance: an RTT above Tolerance × the baseline RTT counts as
	// queueing (default 2). Negative turns the latency signal off, leaving
	// only drops (Netflix's AIMD).
	Tolerance float64
	// Timeout: an RTT above it counts as a drop (0 = off).
	Timeout time.Duration
	// BaselineSamples: how often the baseline RTT is re-learned (default 1000).
	BaselineSamples int
}

type aimd struct {
	cfg  AIMDConfig
	base minRTT
}

// NewAIMD is additive increase, multiplicative decrease, the article's
// controller: +1 per successful sample while the limit is in use,
// ×Backoff on a drop or when the RTT shows queueing. It reacts fastest to
// overload and is simplest to reason about; the limit saws between about
// the capacity and Tolerance × the capacity. Every congested sample backs
// off, so a sudden overload can take the limit to its floor before it
// climbs back: set a sensible floor with WithLimits.
func NewAIMD(cfg AIMDConfig) Algorithm {
	if cfg.Backoff <= 0 || cfg.Backoff >= 1 {
		cfg.Backoff = 0.5
	}
	if cfg.Tolerance == 0 {
		cfg.Tolerance = 2
	}
	if cfg.BaselineSamples <= 0 {
		cfg.BaselineSamples = 1000
	}
	return &aimd{cfg: cfg, base: minRTT{every: cfg.BaselineSamples}}
}

func (a *aimd) Update(limit float64, s Sample) float64 {
	if s.Dropped || (a.cfg.Timeout > 0 && s.RTT > a.cfg.Timeout) {
		return limit * a.cfg.Backoff
	}
	base := a.base.observe(s.RTT)
	if a.cfg.Tolerance > 0 && float64(s.RTT) > a.cfg.Tolerance*float64(base) {
		return limit * a.cfg.Backoff
	}
	if float64(s.InFlight)*2 >= limit { // grow only when the limit is used
		return limit + 1
	}
	return limit
}

// VegasConfig tunes NewVegas.
type VegasConfig struct {
	// BaselineSamples: the no-load RTT is re-learned every
	// BaselineSamples samples (default 1000).
	BaselineSamples int
}

type vegas struct {
	base minRTT
}

// NewVegas is TCP Vegas as Netflix's concurrency-limits applies it: it
// estimates the queue at the dependency as limit × (1 − baseRTT/RTT) and
// keeps it between α = 3·log10(limit) and β = 6·log10(limit), growing fast
// while there is no queue and backing off gently (−log10(limit)) when there
// is. It holds a steady limit near capacity with little oscillation, but
// relies on a good no-load RTT.
func NewVegas(cfg VegasConfig) Algorithm {
	if cfg.BaselineSamples <= 0 {
		cfg.BaselineSamples = 1000
	}
	return &vegas{base: minRTT{every: cfg.BaselineSamples}}
}

// log10 is the integer part of log10(limit) with a floor of 1, so small
// limits still move by whole units. A loop, because math.Log10 is a
// noticeable share of a release.
func log10(limit float64) float64 {
	n := 1.0
	for p := 100.0; p <= limit; p *= 10 {
		n++
	}
	return n
}

func (v *vegas) Update(limit float64, s Sample) float64 {
	step := log10(limit)
	if s.Dropped {
		return limit - step
	}
	base := v.base.observe(s.RTT)
	if float64(s.InFlight)*2 < limit { // the limit is not what holds calls back
		return limit
	}
	queue := math.Ceil(limit * (1 - float64(base)/float64(s.RTT)))
	alpha, beta := 3*step, 6*step
	switch {
	case queue <= step:
		return limit + beta
	case queue < alpha:
		return limit + step
	case queue > beta:
		return limit - step
	}
	return limit
}

// Gradient2Config tunes NewGradient2.
type Gradient2Config struct {
	// Tolerance: how much the short-term RTT may exceed the long-term one
	// before the limit shrinks (default 1.5).
	Tolerance float64
	// LongWindow: samples averaged into the long-term RTT (default 600).
	LongWindow int
	// Smoothing: weight of each new limit estimate (default 0.2).
	Smoothing float64
	// Queue: headroom added to the limit each update (default sqrt(limit)
	// when 0).
	Queue float64
}

type gradient2 struct {
	cfg  Gradient2Config
	long float64 // exponential average of RTT, nanoseconds
	n    int
}

// NewGradient2 is the latency-gradient algorithm of Netflix's
// concurrency-limits: it compares each RTT with a long-term average and
// scales the limit by long/short (bounded to [0.5, 1] after Tolerance),
// adding a small queue of headroom. It needs no no-load RTT, so it copes
// with dependencies whose latency drifts over the day, at the cost of
// settling above capacity by up to Tolerance.
func NewGradient2(cfg Gradient2Config) Algorithm {
	if cfg.Tolerance < 1 {
		cfg.Tolerance = 1.5
	}
	if cfg.LongWindow <= 0 {
		cfg.LongWindow = 600
	}
	if cfg.Smoothing <= 0 || cfg.Smoothing > 1 {
		cfg.Smoothing = 0.2
	}
	return &gradient2{cfg: cfg}
}

func (g *gradient2) Update(limit float64, s Sample) float64 {
	short := float64(max(s.RTT, 1))
	switch {
	case g.n < 10: // warm up with a plain mean
		g.n++
		g.long += (short - g.long) / float64(g.n)
	case short < g.long:
		g.long += (short - g.long) / float64(g.cfg.LongWindow)
		if g.long/short > 2 {
			// Latency dropped a lot (recovery): let the average catch up fast.
			g.long *= 0.95
		}
	default:
		// Rising latency is mostly our own queue: learn it ten times slower
		// and never faster than Tolerance allows, or the average chases the
		// queue and the limit drifts upward without end (the known failure
		// of a plain long-term average).
		up := min(short, g.cfg.Tolerance*g.long)
		g.long += (up - g.long) / float64(10*g.cfg.LongWindow)
	}
	gradient := 0.5
	if !s.Dropped {
		if float64(s.InFlight)*2 < limit {
			return limit // not limit-bound: no information
		}
		gradient = max(0.5, min(1, g.cfg.Tolerance*g.long/short))
	}
	queue := g.cfg.Queue
	if queue <= 0 {
		queue = math.Sqrt(limit)
	}
	next := limit*gradient + queue
	return limit*(1-g.cfg.Smoothing) + next*g.cfg.Smoothing
}
