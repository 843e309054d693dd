package driver

import (
	"cmp"
	"fmt"
	"go/format"
	"maps"
	"slices"
)

// An edit replaces the bytes [start, end) of a file with text.
type edit struct {
	Start, End int
	Text       string
}

// conflicts reports whether two different edits cannot both be applied:
// their ranges overlap, or both insert at the same offset (the order of
// the two insertions would be a guess).
func conflicts(a, b edit) bool {
	if a.Start == a.End && b.Start == b.End {
		return a.Start == b.Start
	}
	return a.Start < b.End && b.Start < a.End
}

// A FixPlan is the set of suggested fixes that can be applied together.
// Each finding's first suggested fix is taken whole or not at all.
type FixPlan struct {
	res      *Result
	edits    map[string][]edit // accepted edits by file name
	touched  map[*Finding][]string
	Fixed    map[*Finding]bool // the findings whose fix is applied
	Problems []string          // fixes skipped, and why
	// Old and New hold the content of every changed file before and after
	// the fixes, by file name.
	Old, New map[string][]byte
}

// PlanFixes merges the findings' fixes in position order: identical edits
// (two fixes adding the same import) are applied once, a fix that conflicts
// with one already taken is skipped, and every changed file is gofmt'ed.
func PlanFixes(res *Result, findings []*Finding) *FixPlan {
	p := &FixPlan{res: res, edits: make(map[string][]edit), touched: make(map[*Finding][]string),
		Fixed: make(map[*Finding]bool), Old: make(map[string][]byte), New: make(map[string][]byte)}
	for _, f := range findings {
		if len(f.Diag.SuggestedFixes) == 0 {
			continue
		}
		if why := p.add(f); why != "" {
			p.Problems = append(p.Problems, fmt.Sprintf("%s:%d:%d: fix not applied: %s (%s)",
				res.Display(f.Pos.Filename), f.Pos.Line, f.Pos.Column, why, f.Analyzer.Name))
		}
	}
	p.apply()
	return p
}

// add takes f's fix if it fits with the fixes taken so far; otherwise it
// returns why not.
func (p *FixPlan) add(f *Finding) string {
	fix := f.Diag.SuggestedFixes[0]
	pending := make(map[string][]edit)
	for _, te := range fix.TextEdits {
		start := p.res.Fset.Position(te.Pos)
		end := start
		if te.End.IsValid() {
			end = p.res.Fset.Position(te.End)
		}
		data, err := p.res.Content(start.Filename)
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
	p.Fixed[f] = true
	return ""
}

// apply computes the new content of every edited file. A file whose result
// does not parse is left alone and its findings count as unfixed.
func (p *FixPlan) apply() {
	for _, name := range slices.Sorted(maps.Keys(p.edits)) {
		old, _ := p.res.Content(name) // read when the edits were added
		out, err := format.Source(applyEdits(old, p.edits[name]))
		if err != nil {
			p.Problems = append(p.Problems, fmt.Sprintf("%s: fixes not applied: the result does not parse: %v", p.res.Display(name), err))
			for f, names := range p.touched {
				if slices.Contains(names, name) {
					delete(p.Fixed, f)
				}
			}
			continue
		}
		p.Old[name], p.New[name] = old, out
	}
	// A fix spanning several files is all or nothing.
	for name := range p.New {
		if !p.keeps(name) {
			delete(p.New, name)
			delete(p.Old, name)
		}
	}
}

// keeps reports whether some fix still applied touches the file.
func (p *FixPlan) keeps(name string) bool {
	for f := range p.Fixed {
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
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	var out []byte
	last := 0
	for _, e := range edits {
		out = append(out, data[last:e.Start]...)
		out = append(out, e.Text...)
		last = e.End
	}
	return append(out, data[last:]...)
}

// Result returns the run whose findings the plan fixes.
func (p *FixPlan) Result() *Result { return p.res }

// AppliedCount returns how many findings the plan fixes.
func (p *FixPlan) AppliedCount() int { return len(p.Fixed) }

// Unfixed returns the findings whose fix was not applied.
func (p *FixPlan) Unfixed(findings []*Finding) []*Finding {
	var rest []*Finding
	for _, f := range findings {
		if !p.Fixed[f] {
			rest = append(rest, f)
		}
	}
	return rest
}
