// Command incident replays the outage of the article "Building Resilient
// Distributed Systems with Go" on loopback: a product page calls
// recommendations, inventory and pricing; recommendations slows from 10 ms
// to 2 s, then recovers. The same open-loop load is run twice, against a
// naive page (one shared pool, no timeouts) and against a page built with
// resilvet's runtime (deadline budget, breaker and bulkhead per dependency,
// adaptive limit, hedging, idempotent retry). It prints p50/p99 latency, 5xx
// and pool exhaustion per phase, and writes an SVG chart of p99 and 5xx rate
// over time for both runs.
//
//	go run ./examples/incident             # about a minute
//	go run ./examples/incident -scale 0.2  # about 12 seconds
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"
)

func main() {
	cfg := DefaultConfig()
	scale := flag.Float64("scale", 1, "multiply every phase length by this (0.2 gives a ~12s replay)")
	flag.DurationVar(&cfg.Healthy, "healthy", cfg.Healthy, "length of the healthy phase")
	flag.DurationVar(&cfg.Degraded, "degraded", cfg.Degraded, "length of the degraded phase")
	flag.DurationVar(&cfg.Recovered, "recovered", cfg.Recovered, "length of the recovered phase")
	flag.IntVar(&cfg.RPS, "rps", cfg.RPS, "product-page requests per second")
	flag.DurationVar(&cfg.SlowLatency, "slow", cfg.SlowLatency, "recommendations latency while degraded")
	out := flag.String("out", filepath.Join(os.TempDir(), "resilvet-incident.svg"), "where to write the SVG chart")
	flag.Parse()
	if *scale > 0 && *scale != 1 {
		cfg = cfg.scaled(*scale)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := replay(ctx, os.Stdout, cfg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "incident:", err)
		os.Exit(1)
	}
}

// scaled shortens (or lengthens) the phases and the chart's buckets.
func (c Config) scaled(f float64) Config {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	c.Healthy, c.Degraded, c.Recovered = s(c.Healthy), s(c.Degraded), s(c.Recovered)
	c.Bucket = max(s(c.Bucket), 100*time.Millisecond)
	return c
}

// replay runs both pages, prints the table and writes the chart to out.
func replay(ctx context.Context, w io.Writer, cfg Config, out string) ([]result, error) {
	runs, err := runBoth(ctx, w, cfg)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w)
	printTable(w, cfg.phases(), runs)
	f, err := os.Create(out)
	if err != nil {
		return nil, err
	}
	if err := writeChart(f, cfg, runs); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "\nchart: %s\n", out)
	return runs, nil
}

func runBoth(ctx context.Context, w io.Writer, cfg Config) ([]result, error) {
	fmt.Fprintf(w, "replaying: %d req/s; recommendations %v, then %v for %v, then %v; load balancer timeout %v\n",
		cfg.RPS, cfg.FastLatency, cfg.SlowLatency, cfg.Degraded, cfg.FastLatency, cfg.ClientTimeout)
	var runs []result
	for _, p := range []struct {
		name string
		page func(*backends, *clock, *recorder) page
	}{
		{"naive", newNaivePage(cfg)},
		{"runtime", newRuntimePage(cfg)},
	} {
		fmt.Fprintf(w, "run %-8s %v ... ", p.name, cfg.total())
		start := time.Now()
		r, err := run(ctx, p.name, cfg, p.page)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "done in %v\n", time.Since(start).Round(100*time.Millisecond))
		runs = append(runs, r)
	}
	return runs, nil
}
