package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// A row is one judged finding of triage.tsv.
type row struct {
	loc, check, verdict, reason string
	line                        int // in the file, for messages
}

// parseTriage reads triage.tsv: '#' comments, a header line starting with
// "location", then location<TAB>check<TAB>true|false<TAB>reason rows.
func parseTriage(in io.Reader) ([]row, error) {
	var rows []row
	seen := map[[2]string]int{}
	sc := bufio.NewScanner(in)
	n := 0
	for sc.Scan() {
		n++
		t := sc.Text()
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "location\t") {
			continue
		}
		cols := strings.Split(t, "\t")
		if len(cols) != 4 {
			return nil, fmt.Errorf("line %d: want 4 tab-separated columns, got %d", n, len(cols))
		}
		r := row{cols[0], cols[1], cols[2], cols[3], n}
		if r.verdict != "true" && r.verdict != "false" {
			return nil, fmt.Errorf("line %d: verdict %q, want true or false", n, r.verdict)
		}
		if strings.TrimSpace(r.reason) == "" {
			return nil, fmt.Errorf("line %d: no reason", n)
		}
		key := [2]string{r.loc, r.check}
		if prev, ok := seen[key]; ok {
			return nil, fmt.Errorf("line %d: %s [%s] is judged again (first at line %d)", n, r.loc, r.check, prev)
		}
		seen[key] = n
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// A tally counts one check's findings by verdict.
type tally struct{ findings, isTrue, isFalse, untriaged int }

// A report is the outcome of checking findings against triage rows.
type report struct {
	untriaged []finding // findings no row judges
	stale     []row     // rows no finding matches
	falses    []row     // rows judged false that still occur
	byCheck   map[string]*tally
}

func compare(fs []finding, rows []row) report {
	judged := map[[2]string]row{}
	for _, r := range rows {
		judged[[2]string{r.loc, r.check}] = r
	}
	rep := report{byCheck: map[string]*tally{}}
	occurs := map[[2]string]bool{}
	for _, f := range fs {
		key := [2]string{f.loc, f.check}
		occurs[key] = true
		t := rep.byCheck[f.check]
		if t == nil {
			t = &tally{}
			rep.byCheck[f.check] = t
		}
		t.findings++
		r, ok := judged[key]
		switch {
		case !ok:
			t.untriaged++
			rep.untriaged = append(rep.untriaged, f)
		case r.verdict == "true":
			t.isTrue++
		default:
			t.isFalse++
			rep.falses = append(rep.falses, r)
		}
	}
	for _, r := range rows {
		if !occurs[[2]string{r.loc, r.check}] {
			rep.stale = append(rep.stale, r)
		}
	}
	return rep
}

func (r report) print(out io.Writer) {
	fmt.Fprintln(out, "\ntriage:")
	for _, f := range r.untriaged {
		fmt.Fprintf(out, "untriaged: %s\t%s\t%s\n", f.loc, f.check, f.message)
	}
	for _, s := range r.stale {
		fmt.Fprintf(out, "info: no longer found (line %d): %s\t%s\t%s\n", s.line, s.loc, s.check, s.verdict)
	}
	fmt.Fprintf(out, "%-16s %8s %6s %6s %10s\n", "check", "findings", "true", "false", "untriaged")
	var sum tally
	for _, c := range sortedKeys(r.byCheck) {
		t := r.byCheck[c]
		fmt.Fprintf(out, "%-16s %8d %6d %6d %10d\n", c, t.findings, t.isTrue, t.isFalse, t.untriaged)
		sum.findings += t.findings
		sum.isTrue += t.isTrue
		sum.isFalse += t.isFalse
		sum.untriaged += t.untriaged
	}
	fmt.Fprintf(out, "%-16s %8d %6d %6d %10d\n", "total", sum.findings, sum.isTrue, sum.isFalse, sum.untriaged)
	if len(r.untriaged) > 0 {
		fmt.Fprintf(out, "FAIL: %d findings are not judged in triage.tsv; judge each (true|false and why)\n", len(r.untriaged))
	}
}
