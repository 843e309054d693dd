package main

import (
	"cmp"
	"fmt"
	"go/format"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// An edit replaces the bytes [start, end) of a file with text.
type edit struct {
	start, end int
	text       string
}

// conflicts reports whether two different edits cannot both be applied:
// their ranges overlap, or both insert at the same offset (the order of
// the two insertions would be a guess).
func conflicts(a, b edit) bool {
	if a.start == a.end && b.start == b.end {
		return a.start == b.start
	}
	return a.start < b.end && b.start < a.end
}

// A fixPlan is the set of suggested fixes that can be applied together.
// Each finding's first suggested fix is taken whole or not at all.
type fixPlan struct {
	res      *result
	edits    map[string][]edit // accepted edits by file name
	touched  map[*finding][]string
	fixed    map[*finding]bool
	problems []string // fixes skipped, and why
	old, new map[string][]byte
}

// planFixes merges the findings' fixes in position order: identical edits
// (two fixes adding the same import) are applied once, a fix that conflicts
// with one already taken is skipped, and every changed file is gofmt'ed.
func planFixes(res *result, findings []*finding) *fixPlan {
	p := &fixPlan{res: res, edits: make(map[string][]edit), touched: make(map[*finding][]string),
		fixed: make(map[*finding]bool), old: make(map[string][]byte), new: make(map[string][]byte)}
	for _, f := range findings {
		if len(f.diag.SuggestedFixes) == 0 {
			continue
		}
		if why := p.add(f); why != "" {
			p.problems = append(p.problems, fmt.Sprintf("%s:%d:%d: fix not applied: %s (%s)",
				res.display(f.pos.Filename), f.pos.Line, f.pos.Column, why, f.analyzer.Name))
		}
	}
	p.apply()
	return p
}

// add takes f's fix if it fits with the fixes taken so far; otherwise it
// returns why not.
func (p *fixPlan) add(f *finding) string {
	fix := f.diag.SuggestedFixes[0]
	pending := make(map[string][]edit)
	for _, te := range fix.TextEdits {
		start := p.res.fset.Position(te.Pos)
		end := start
		if te.End.IsValid() {
			end = p.res.fset.Position(te.End)
		}
		data, err := p.res.content(start.Filename)
		if err != nil {
			return err.Error()
		}
		if start.Filename != end.Filename || start.Offset > end.Offset || end.Offset > len(data) {
			return "the fix has an invalid edit"
		}
		e := edit{start.Offset, end.Offset, string(te.NewText)}
		for _, other := range pending[start.Filename] {
			if conflicts(e, other) {
				return "the fix has overlapping edits"
			}
		}
		pending[start.Filename] = append(pending[start.Filename], e)
	}
	for name, es := range pending {
		for _, e := range es {
			for _, taken := range p.edits[name] {
				if e != taken && conflicts(e, taken) {
					return "it conflicts with another fix"
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(pending)) {
		for _, e := range pending[name] {
			if !slices.Contains(p.edits[name], e) {
				p.edits[name] = append(p.edits[name], e)
			}
		}
		p.touched[f] = append(p.touched[f], name)
	}
	p.fixed[f] = true
	return ""
}

// apply computes the new content of every edited file. A file whose result
// does not parse is left alone and its findings count as unfixed.
func (p *fixPlan) apply() {
	for _, name := range slices.Sorted(maps.Keys(p.edits)) {
		old, _ := p.res.content(name) // read when the edits were added
		out, err := format.Source(applyEdits(old, p.edits[name]))
		if err != nil {
			p.problems = append(p.problems, fmt.Sprintf("%s: fixes not applied: the result does not parse: %v", p.res.display(name), err))
			for f, names := range p.touched {
				if slices.Contains(names, name) {
					delete(p.fixed, f)
				}
			}
			continue
		}
		p.old[name], p.new[name] = old, out
	}
	// A fix spanning several files is all or nothing.
	for name := range p.new {
		if !p.keeps(name) {
			delete(p.new, name)
			delete(p.old, name)
		}
	}
}

// keeps reports whether some fix still applied touches the file.
func (p *fixPlan) keeps(name string) bool {
	for f := range p.fixed {
		if slices.Contains(p.touched[f], name) {
			return true
		}
	}
	return false
}

// applyEdits applies non-conflicting edits to data.
func applyEdits(data []byte, edits []edit) []byte {
	edits = slices.Clone(edits)
	slices.SortStableFunc(edits, func(a, b edit) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
	})
	var out []byte
	last := 0
	for _, e := range edits {
		out = append(out, data[last:e.start]...)
		out = append(out, e.text...)
		last = e.end
	}
	return append(out, data[last:]...)
}

func (p *fixPlan) appliedCount() int { return len(p.fixed) }

// unfixed returns the findings whose fix was not applied.
func (p *fixPlan) unfixed(findings []*finding) []*finding {
	var rest []*finding
	for _, f := range findings {
		if !p.fixed[f] {
			rest = append(rest, f)
		}
	}
	return rest
}

func reportSkipped(w io.Writer, p *fixPlan) {
	for _, msg := range p.problems {
		fmt.Fprintln(w, "resilvet: "+msg)
	}
}

// writeFixes writes the changed files and returns how many it wrote.
func writeFixes(p *fixPlan) (int, error) {
	n := 0
	for _, name := range slices.Sorted(maps.Keys(p.new)) {
		info, err := os.Stat(name)
		if err != nil {
			return n, err
		}
		if err := os.WriteFile(name, p.new[name], info.Mode().Perm()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// printDiffs prints a unified diff for every file the fixes change.
func printDiffs(w io.Writer, p *fixPlan) error {
	for _, name := range slices.Sorted(maps.Keys(p.new)) {
		from, to := p.res.display(name), p.res.display(name)
		if !filepath.IsAbs(from) { // a/ and b/ as git writes them
			from, to = "a/"+from, "b/"+to
		}
		if _, err := io.WriteString(w, unifiedDiff(from, to, string(p.old[name]), string(p.new[name]))); err != nil {
			return err
		}
	}
	return nil
}
