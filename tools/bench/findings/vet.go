package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// A finding is one diagnostic of one check at one location.
type finding struct {
	loc     string // module@version/path/file.go:line:col
	check   string
	message string
	fixable bool // it carries a suggested fix
}

type diagnostic struct {
	Posn           string            `json:"posn"`
	Message        string            `json:"message"`
	SuggestedFixes []json.RawMessage `json:"suggested_fixes"`
}

// parseVet reads `go vet -json` output and returns its findings sorted by
// location and check, each once: vet analyses a package and its test variant
// separately, so a finding in a non-test file is reported twice.
func parseVet(in io.Reader, trim string) ([]finding, error) {
	if trim != "" {
		trim = strings.TrimSuffix(trim, "/") + "/"
	}
	// go vet -json interleaves "# pkg" lines and errors with indented JSON
	// objects; keep only the objects' lines.
	var buf bytes.Buffer
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if t := sc.Text(); t != "" && strings.ContainsRune("{}\t ", rune(t[0])) {
			buf.Write(sc.Bytes())
			buf.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	seen := map[[2]string]bool{}
	var fs []finding
	dec := json.NewDecoder(&buf)
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("bad vet -json input: %v", err)
		}
		for _, byCheck := range tree {
			for check, raw := range byCheck {
				var diags []diagnostic
				if json.Unmarshal(raw, &diags) != nil {
					continue // an analyzer error object, not findings
				}
				for _, d := range diags {
					loc := strings.TrimPrefix(d.Posn, trim)
					if seen[[2]string{loc, check}] {
						continue
					}
					seen[[2]string{loc, check}] = true
					fs = append(fs, finding{loc, check, d.Message, len(d.SuggestedFixes) > 0})
				}
			}
		}
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].loc != fs[j].loc {
			return fs[i].loc < fs[j].loc
		}
		return fs[i].check < fs[j].check
	})
	return fs, nil
}

func onlyFixable(fs []finding) []finding {
	var out []finding
	for _, f := range fs {
		if f.fixable {
			out = append(out, f)
		}
	}
	return out
}

// printFindings prints one line per finding, then a count per check.
func printFindings(out io.Writer, fs []finding) {
	counts := map[string]int{}
	for _, f := range fs {
		fmt.Fprintf(out, "%s: [%s] %s\n", f.loc, f.check, f.message)
		counts[f.check]++
	}
	for _, c := range sortedKeys(counts) {
		fmt.Fprintf(out, "%s: %d\n", c, counts[c])
	}
	fmt.Fprintf(out, "total: %d\n", len(fs))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
