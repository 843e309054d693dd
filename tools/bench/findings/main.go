// Command findings summarises `go vet -json` output (read from stdin): every
// finding as file:line:col: [check] message, then a count per check.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type diagnostic struct {
	Posn    string `json:"posn"`
	Message string `json:"message"`
}

func main() {
	trim := ""
	if len(os.Args) > 1 {
		trim = strings.TrimSuffix(os.Args[1], "/") + "/"
	}
	// go vet -json interleaves "# pkg" lines and errors with indented JSON
	// objects; keep only the objects' lines.
	var buf bytes.Buffer
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if t := sc.Text(); t != "" && strings.ContainsRune("{}\t ", rune(t[0])) {
			buf.Write(sc.Bytes())
			buf.WriteByte('\n')
		}
	}
	counts := map[string]int{}
	var lines []string
	dec := json.NewDecoder(&buf)
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "findings: bad vet -json input:", err)
			os.Exit(1)
		}
		for _, byCheck := range tree {
			for check, raw := range byCheck {
				var diags []diagnostic
				if json.Unmarshal(raw, &diags) != nil {
					continue // an analyzer error object, not findings
				}
				for _, d := range diags {
					counts[check]++
					lines = append(lines, fmt.Sprintf("%s: [%s] %s", strings.TrimPrefix(d.Posn, trim), check, d.Message))
				}
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	checks := make([]string, 0, len(counts))
	total := 0
	for c, n := range counts {
		checks = append(checks, c)
		total += n
	}
	sort.Strings(checks)
	for _, c := range checks {
		fmt.Printf("%s: %d\n", c, counts[c])
	}
	fmt.Printf("total: %d\n", total)
}
