package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

func reportSkipped(w io.Writer, p *fixPlan) {
	for _, msg := range p.Problems {
		fmt.Fprintln(w, "resilvet: "+msg)
	}
}

// writeFixes writes the changed files and returns how many it wrote.
func writeFixes(p *fixPlan) (int, error) {
	n := 0
	for _, name := range slices.Sorted(maps.Keys(p.New)) {
		info, err := os.Stat(name)
		if err != nil {
			return n, err
		}
		if err := os.WriteFile(name, p.New[name], info.Mode().Perm()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// printDiffs prints a unified diff for every file the fixes change.
func printDiffs(w io.Writer, p *fixPlan) error {
	for _, name := range slices.Sorted(maps.Keys(p.New)) {
		from, to := p.Result().Display(name), p.Result().Display(name)
		if !filepath.IsAbs(from) { // a/ and b/ as git writes them
			from, to = "a/"+from, "b/"+to
		}
		if _, err := io.WriteString(w, unifiedDiff(from, to, string(p.Old[name]), string(p.New[name]))); err != nil {
			return err
		}
	}
	return nil
}
