// Command ratios runs the side-by-side runtime benchmarks and prints, for
// each policy and mode, how resilvet compares with every peer: the peer's
// ns/op divided by resilvet's (above 1 means resilvet is faster) and both
// allocation counts, using the median of -count runs. The runs are rounds
// of the whole suite, one after another, so a burst of load from other
// processes on a shared machine hits every implementation alike rather
// than all runs of one. It then checks the
// targets: breaker at least 3x faster than gobreaker's Execute, bulkhead
// within 1.5x of semaphore.Weighted, and 0 allocs/op for resilvet.
//
// Run it from tools/bench/runtime:
//
//	go run ./cmd/ratios                      # -benchtime=200000x -count=5
//	go run ./cmd/ratios -benchtime=1s -count=10
//	go test -run '^$' -bench . -benchmem > out.txt; go run ./cmd/ratios -input out.txt
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type result struct{ ns, allocs []float64 }

// line matches "BenchmarkBreaker/serial/gobreaker-2  1000  191.1 ns/op  0 B/op  0 allocs/op".
var line = regexp.MustCompile(`^Benchmark(\w+)/(\w+)/([\w-]+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+[\d.]+ B/op\s+([\d.]+) allocs/op)?`)

func main() {
	benchtime := flag.String("benchtime", "200000x", "go test -benchtime")
	count := flag.Int("count", 5, "go test -count (the median is used)")
	bench := flag.String("bench", ".", "go test -bench")
	input := flag.String("input", "", "parse this saved `go test -bench` output instead of running")
	strict := flag.Bool("strict", false, "exit 1 when a target is missed")
	flag.Parse()

	var out []byte
	var err error
	if *input != "" {
		out, err = os.ReadFile(*input)
	} else {
		out, err = runRounds(*bench, *benchtime, *count)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(2)
	}
	if !report(os.Stdout, parse(out)) && *strict {
		os.Exit(1)
	}
}

// runRounds builds the benchmark binary once and runs the suite count
// times, interleaving the implementations.
func runRounds(bench, benchtime string, count int) ([]byte, error) {
	dir, err := os.MkdirTemp("", "ratios")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, err
	}
	var all []byte
	for i := 0; i < count; i++ {
		cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", bench, "-test.benchmem", "-test.benchtime", benchtime)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		os.Stdout.Write(out)
		if err != nil {
			return nil, err
		}
		all = append(all, out...)
	}
	return all, nil
}

// parse groups results by "Policy/mode", then implementation.
func parse(out []byte) map[string]map[string]*result {
	res := map[string]map[string]*result{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		group := m[1] + "/" + m[2]
		if res[group] == nil {
			res[group] = map[string]*result{}
		}
		r := res[group][m[3]]
		if r == nil {
			r = &result{}
			res[group][m[3]] = r
		}
		ns, _ := strconv.ParseFloat(m[4], 64)
		r.ns = append(r.ns, ns)
		if m[5] != "" {
			a, _ := strconv.ParseFloat(m[5], 64)
			r.allocs = append(r.allocs, a)
		}
	}
	return res
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return -1
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func report(w io.Writer, res map[string]map[string]*result) bool {
	groups := make([]string, 0, len(res))
	for g := range res {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	fmt.Fprintf(w, "\n%-20s %-26s %10s %8s   %-18s %10s %8s %14s\n",
		"policy/mode", "resilvet", "ns/op", "allocs", "peer", "ns/op", "allocs", "peer/resilvet")
	for _, g := range groups {
		var ours, peers []string
		for impl := range res[g] {
			if strings.HasPrefix(impl, "resilvet") {
				ours = append(ours, impl)
			} else {
				peers = append(peers, impl)
			}
		}
		sort.Strings(ours)
		sort.Strings(peers)
		for _, o := range ours {
			ro := res[g][o]
			for _, p := range peers {
				rp := res[g][p]
				fmt.Fprintf(w, "%-20s %-26s %10.1f %8.0f   %-18s %10.1f %8.0f %13.2fx\n",
					g, o, median(ro.ns), median(ro.allocs), p, median(rp.ns), median(rp.allocs), median(rp.ns)/median(ro.ns))
			}
		}
	}

	fmt.Fprintln(w, "\ntargets:")
	ok := true
	check := func(name string, pass bool, detail string) {
		verdict := "ok  "
		if !pass {
			verdict, ok = "MISS", false
		}
		fmt.Fprintf(w, "  %s %-52s %s\n", verdict, name, detail)
	}
	for _, mode := range []string{"serial", "parallel"} {
		if r, p := get(res, "Breaker/"+mode, "resilvet"), get(res, "Breaker/"+mode, "gobreaker"); r != nil && p != nil {
			x := median(p.ns) / median(r.ns)
			check("breaker "+mode+": >= 3x faster than gobreaker Execute", x >= 3, fmt.Sprintf("%.2fx", x))
		}
		if r, p := get(res, "Bulkhead/"+mode, "resilvet"), get(res, "Bulkhead/"+mode, "semaphore"); r != nil && p != nil {
			x := median(r.ns) / median(p.ns)
			check("bulkhead "+mode+": within 1.5x of semaphore.Weighted", x <= 1.5, fmt.Sprintf("%.2fx the semaphore's time", x))
		}
	}
	for _, g := range groups {
		for impl, r := range res[g] {
			if strings.HasPrefix(impl, "resilvet") && median(r.allocs) != 0 {
				check(g+"/"+impl+": 0 allocs/op", false, fmt.Sprintf("%.0f allocs/op", median(r.allocs)))
			}
		}
	}
	if ok {
		fmt.Fprintln(w, "  ok   every resilvet benchmark: 0 allocs/op")
	}
	return ok
}

func get(res map[string]map[string]*result, group, impl string) *result {
	if res[group] == nil {
		return nil
	}
	return res[group][impl]
}
