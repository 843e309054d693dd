package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// sample is one product-page request as the load generator saw it.
type sample struct {
	start    time.Duration // since the run began
	latency  time.Duration
	status   int  // 504 when the load balancer gave up waiting
	degraded bool // served with a fallback (no recommendations)
}

// recorder collects samples and pool-exhaustion events from one run.
type recorder struct {
	mu        sync.Mutex
	samples   []sample
	exhausted []time.Duration // when a call found its pool (or bulkhead) full
	readiness []probe
}

// probe is one /readyz answer.
type probe struct {
	at     time.Duration
	status string   // the report's status, or "unreachable"
	failed []string // the checks the report names as failed
}

func (r *recorder) ready(p probe) {
	r.mu.Lock()
	r.readiness = append(r.readiness, p)
	r.mu.Unlock()
}

func (r *recorder) probes() []probe {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.readiness)
}

func (r *recorder) add(s sample) {
	r.mu.Lock()
	r.samples = append(r.samples, s)
	r.mu.Unlock()
}

func (r *recorder) poolFull(at time.Duration) {
	r.mu.Lock()
	r.exhausted = append(r.exhausted, at)
	r.mu.Unlock()
}

// summary is what the table prints for one phase of one run.
type summary struct {
	requests, errors5xx, degraded, poolFull int
	p50, p99                                time.Duration
	readyz                                  map[string]int // /readyz statuses seen
}

// window summarises the requests started, and the pool events seen, in [from, to).
func (r *recorder) window(from, to time.Duration) summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s summary
	var lat []time.Duration
	for _, x := range r.samples {
		if x.start < from || x.start >= to {
			continue
		}
		s.requests++
		lat = append(lat, x.latency)
		if x.status >= 500 {
			s.errors5xx++
		}
		if x.degraded {
			s.degraded++
		}
	}
	for _, at := range r.exhausted {
		if at >= from && at < to {
			s.poolFull++
		}
	}
	for _, p := range r.readiness {
		if p.at >= from && p.at < to {
			if s.readyz == nil {
				s.readyz = map[string]int{}
			}
			s.readyz[p.status]++
		}
	}
	s.p50, s.p99 = quantile(lat, 0.50), quantile(lat, 0.99)
	return s
}

// quantile returns the nearest-rank q-quantile (0 for no data).
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	i := int(q*float64(len(d))+0.999999) - 1
	return d[min(max(i, 0), len(d)-1)]
}

// point is one bucket of the timeline the chart draws.
type point struct {
	at        time.Duration // bucket start
	p99       time.Duration
	errorRate float64 // share of requests answered 5xx, 0..1
	requests  int
}

func (r *recorder) timeline(total, bucket time.Duration) []point {
	var pts []point
	for from := time.Duration(0); from < total; from += bucket {
		s := r.window(from, from+bucket)
		p := point{at: from, p99: s.p99, requests: s.requests}
		if s.requests > 0 {
			p.errorRate = float64(s.errors5xx) / float64(s.requests)
		}
		pts = append(pts, p)
	}
	return pts
}

// result is one run, ready to print and chart.
type result struct {
	name string
	note string // what the run's own metrics said
	// pricing's quote book: handler runs, distinct keys, keys run twice, replays
	quotes, keyed, duplicated, replayed int
	phases                              []summary // one per phase
	points                              []point
	probes                              []probe // /readyz answers, if the page has one
}

func (r result) total5xx() int {
	n := 0
	for _, p := range r.phases {
		n += p.errors5xx
	}
	return n
}

func printTable(w io.Writer, phases []phase, runs []result) {
	fmt.Fprintf(w, "%-10s %-8s %8s %9s %9s %6s %9s %9s\n",
		"phase", "run", "requests", "p50", "p99", "5xx", "pool-full", "fallback")
	fmt.Fprintln(w, strings.Repeat("-", 75))
	for i, ph := range phases {
		for _, run := range runs {
			s := run.phases[i]
			fmt.Fprintf(w, "%-10s %-8s %8d %9s %9s %6d %9d %9d\n",
				ph.name, run.name, s.requests, ms(s.p50), ms(s.p99), s.errors5xx, s.poolFull, s.degraded)
		}
	}
	fmt.Fprintln(w, strings.Repeat("-", 75))
	for _, run := range slices.SortedFunc(slices.Values(runs), func(a, b result) int { return cmp.Compare(a.name, b.name) }) {
		fmt.Fprintf(w, "%s: %d 5xx in total\n", run.name, run.total5xx())
		if run.note != "" {
			fmt.Fprintf(w, "  %s\n", run.note)
		}
		if run.keyed > 0 {
			fmt.Fprintf(w, "  pricing quotes: %d created for %d idempotency keys, %d keys quoted twice, %d retried POSTs answered from the idempotency store\n",
				run.quotes, run.keyed, run.duplicated, run.replayed)
		} else {
			fmt.Fprintf(w, "  pricing quotes: %d created, no idempotency keys, no retries\n", run.quotes)
		}
		var ready []string
		for i, s := range run.phases {
			if len(s.readyz) == 0 {
				continue
			}
			var counts []string
			for _, st := range slices.Sorted(maps.Keys(s.readyz)) {
				counts = append(counts, fmt.Sprintf("%s x%d", st, s.readyz[st]))
			}
			ready = append(ready, phases[i].name+": "+strings.Join(counts, ", "))
		}
		if len(ready) > 0 {
			fmt.Fprintf(w, "  /readyz probes: %s\n", strings.Join(ready, "; "))
		}
	}
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	}
}
