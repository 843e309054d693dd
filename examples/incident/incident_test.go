package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/health"
)

// TestReplayShort replays the incident in a few seconds and checks the
// runtime page answers fewer 5xx than the naive one. The load balancer gives
// up before a degraded recommendations call can finish, so every naive page
// that waits on one fails, while the runtime page falls back within its budget.
func TestReplayShort(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the incident on loopback for a few seconds")
	}
	cfg := DefaultConfig()
	cfg.Healthy, cfg.Degraded, cfg.Recovered = 500*time.Millisecond, 1500*time.Millisecond, 500*time.Millisecond
	cfg.RPS = 40
	cfg.ClientTimeout = time.Second
	cfg.PoolSize = 8
	cfg.Bucket = 250 * time.Millisecond

	out := filepath.Join(t.TempDir(), "incident.svg")
	var buf bytes.Buffer
	runs, err := replay(context.Background(), &buf, cfg, out)
	require.NoError(t, err)
	t.Log("\n" + buf.String())

	require.Len(t, runs, 2)
	require.Equal(t, "naive", runs[0].name)
	require.Equal(t, "runtime", runs[1].name)
	naive, rt := runs[0], runs[1]
	for _, r := range runs {
		want := int(cfg.total() / (time.Second / time.Duration(cfg.RPS)))
		got := 0
		for _, p := range r.phases {
			got += p.requests
		}
		assert.Equal(t, want, got, "%s: requests recorded (same load for both runs)", r.name)
	}
	assert.Positive(t, naive.phases[1].errors5xx, "naive page answered no 5xx while degraded: the replay shows no incident")
	assert.Less(t, rt.total5xx(), naive.total5xx(), "5xx of the runtime page, then of the naive page: want fewer with the runtime")
	assert.Positive(t, rt.phases[1].degraded, "runtime page served no fallback while recommendations was degraded")
	// Retried quotes carry one key per call: pricing never quotes twice.
	assert.Positive(t, rt.keyed, "runtime page sent no idempotency keys")
	assert.Zero(t, rt.duplicated, "runtime page: quotes created twice for one idempotency key")
	checkReadiness(t, cfg, rt)

	for _, want := range []string{"degraded", "pool-full", "chart: " + out} {
		assert.Contains(t, buf.String(), want)
	}
	svg, err := os.ReadFile(out)
	require.NoError(t, err)
	checkSVG(t, svg, len(runs))
}

// checkReadiness checks each /readyz answer of the runtime page against the
// checks it names as failed, rather than against the time it was taken: a
// critical breaker (inventory, pricing) may open on a machine too busy to
// answer in budget, and then "fail" is the right answer. Recommendations is
// not critical: its open breaker alone must degrade readiness, never fail
// it, and that must be seen while recommendations was slow.
func checkReadiness(t *testing.T, cfg Config, rt result) {
	t.Helper()
	require.NotEmpty(t, rt.probes, "runtime page: no /readyz probes recorded")
	recsDown := 0 // probes in the degraded phase: recommendations failed, page still ready
	for _, p := range rt.probes {
		if p.status == "unreachable" {
			continue // the probe timed out: no report to judge
		}
		assert.Subset(t, []string{"inventory", "pricing", "recommendations"}, p.failed, "/readyz at %v", p.at)
		want := health.StatusOK
		for _, name := range p.failed {
			switch name {
			case "inventory", "pricing":
				want = health.StatusFail
			case "recommendations":
				if want == health.StatusOK {
					want = health.StatusDegraded
				}
			}
		}
		assert.Equal(t, want, p.status, "/readyz at %v with failed checks %v", p.at, p.failed)
		if p.at >= cfg.Healthy && p.at < cfg.Healthy+cfg.Degraded &&
			p.status == health.StatusDegraded && slices.Equal(p.failed, []string{"recommendations"}) {
			recsDown++
		}
	}
	assert.Positive(t, recsDown, "/readyz while recommendations was degraded: %v; want some answers degraded by recommendations alone", rt.phases[1].readyz)
}

// checkSVG parses the chart and counts its data lines: two per run.
func checkSVG(t *testing.T, svg []byte, runs int) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	lines := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "chart is not well-formed XML")
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			lines++
			for _, a := range se.Attr {
				if a.Name.Local == "points" {
					assert.GreaterOrEqual(t, strings.Count(a.Value, ","), 2, "polyline with too few points: %q", a.Value)
				}
			}
		}
	}
	assert.Equal(t, 2*runs, lines, "chart lines: want p99 and 5xx rate per run")
}

func TestQuantileAndWindow(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, ms(i))
	}
	if got := quantile(lat, 0.5); got != ms(50) {
		t.Errorf("p50 of 1..100ms = %v, want 50ms", got)
	}
	if got := quantile(lat, 0.99); got != ms(99) {
		t.Errorf("p99 of 1..100ms = %v, want 99ms", got)
	}
	if got := quantile(nil, 0.99); got != 0 {
		t.Errorf("p99 of nothing = %v, want 0", got)
	}

	r := &recorder{}
	r.add(sample{start: ms(10), latency: ms(5), status: 200})
	r.add(sample{start: ms(20), latency: ms(3000), status: 504})
	r.add(sample{start: ms(30), latency: ms(7), status: 200, degraded: true})
	r.add(sample{start: ms(200), latency: ms(1), status: 502})
	r.poolFull(ms(15))
	r.poolFull(ms(150))
	s := r.window(0, ms(100))
	if s.requests != 3 || s.errors5xx != 1 || s.degraded != 1 || s.poolFull != 1 || s.p99 != ms(3000) || s.p50 != ms(7) {
		t.Errorf("window [0,100ms) = %+v", s)
	}
}

func TestNiceCeil(t *testing.T) {
	for _, c := range []struct{ v, want float64 }{{3274, 4000}, {3000, 3000}, {120, 150}, {0, 1}, {9000, 10000}} {
		if got := niceCeil(c.v, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8); got != c.want {
			t.Errorf("niceCeil(%v) = %v, want %v", c.v, got, c.want)
		}
	}
	if got := tickStep(30); got != 5 {
		t.Errorf("tickStep(30s) = %v, want 5", got)
	}
}

func TestScaled(t *testing.T) {
	c := DefaultConfig().scaled(0.2)
	if c.total() != DefaultConfig().total()/5 {
		t.Errorf("scaled total = %v, want %v", c.total(), DefaultConfig().total()/5)
	}
}
