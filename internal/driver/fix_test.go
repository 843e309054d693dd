package driver

import (
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
)

func TestConflicts(t *testing.T) {
	for _, tc := range []struct {
		a, b edit
		want bool
	}{
		{edit{0, 2, "x"}, edit{2, 4, "y"}, false}, // adjacent
		{edit{0, 3, "x"}, edit{2, 4, "y"}, true},  // overlapping
		{edit{1, 3, "x"}, edit{0, 4, "y"}, true},  // nested
		{edit{2, 2, "x"}, edit{2, 2, "y"}, true},  // two insertions at one offset
		{edit{2, 2, "x"}, edit{3, 3, "y"}, false}, // insertions apart
		{edit{2, 2, "x"}, edit{2, 5, "y"}, false}, // insertion before a replacement
		{edit{5, 5, "x"}, edit{2, 5, "y"}, false}, // insertion after a replacement
		{edit{3, 3, "x"}, edit{2, 5, "y"}, true},  // insertion inside a replacement
	} {
		assert.Equal(t, tc.want, conflicts(tc.a, tc.b), "conflicts(%v, %v)", tc.a, tc.b)
		assert.Equal(t, tc.want, conflicts(tc.b, tc.a), "conflicts(%v, %v)", tc.b, tc.a)
	}
}

// fixFixture is one source file known to the fset, for building findings
// by hand.
type fixFixture struct {
	t    *testing.T
	res  *Result
	file *token.File
	src  string
	name string
}

func newFixFixture(t *testing.T, src string) *fixFixture {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.go")
	require.NoError(t, os.WriteFile(name, []byte(src), 0o644))
	fset := token.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	file.SetLinesForContent([]byte(src))
	res := &Result{Fset: fset, Cwd: dir, Root: dir, files: make(map[string][]byte)}
	return &fixFixture{t, res, file, src, name}
}

// at returns the offset of the first occurrence of s.
func (x *fixFixture) at(s string) int {
	i := strings.Index(x.src, s)
	require.GreaterOrEqual(x.t, i, 0, "%q not in source", s)
	return i
}

func (x *fixFixture) edit(start, end int, text string) analysis.TextEdit {
	return analysis.TextEdit{Pos: x.file.Pos(start), End: x.file.Pos(end), NewText: []byte(text)}
}

func (x *fixFixture) finding(off int, edits ...analysis.TextEdit) *Finding {
	d := analysis.Diagnostic{Pos: x.file.Pos(off), Message: "m"}
	if len(edits) > 0 {
		d.SuggestedFixes = []analysis.SuggestedFix{{Message: "fix", TextEdits: edits}}
	}
	pos := x.res.Fset.Position(d.Pos)
	return &Finding{Analyzer: fakeCheck, Diag: d, Pos: pos, End: pos}
}

func TestPlanFixes(t *testing.T) {
	x := newFixFixture(t, "package p\n\nvar a, b, c = 1, 2, 3\n")
	one, two, three := x.at("1,"), x.at("2,"), x.at("3\n")
	header := x.edit(0, 0, "// Package p.\n")

	first := x.finding(one, header, x.edit(one, one+1, "10"))
	sameImport := x.finding(two, header, x.edit(two, two+1, "20")) // shares an identical edit
	overlapping := x.finding(one, x.edit(one, two+1, "7, 8"))      // overlaps first
	insert := x.finding(three, x.edit(three, three, "4 + "))       // insertion
	otherInsert := x.finding(three, x.edit(three, three, "5 + "))  // second insertion at one offset
	noFix := x.finding(three)
	all := []*Finding{first, sameImport, overlapping, insert, otherInsert, noFix}

	p := PlanFixes(x.res, all)
	assert.Equal(t, "// Package p.\npackage p\n\nvar a, b, c = 10, 20, 4 + 3\n", string(p.New[x.name]),
		"the identical header edit is applied once")
	assert.Equal(t, 3, p.AppliedCount())
	assert.Equal(t, []*Finding{overlapping, otherInsert, noFix}, p.Unfixed(all),
		"unfixed: the overlapping, the second insertion and the one without a fix")
	if assert.Len(t, p.Problems, 2) {
		assert.Contains(t, p.Problems[0], "conflicts with another fix")
	}
}

func TestPlanFixesLeavesUnparsableResultAlone(t *testing.T) {
	x := newFixFixture(t, "package p\n\nvar a = 1\n")
	one := x.at("1")
	broken := x.finding(one, x.edit(one, one+1, "1 +"))
	p := PlanFixes(x.res, []*Finding{broken})
	assert.Empty(t, p.New, "a fix that breaks the syntax was kept")
	assert.Zero(t, p.AppliedCount(), "the finding of a broken fix counts as fixed")
	assert.Len(t, p.Unfixed([]*Finding{broken}), 1, "the finding of a broken fix counts as fixed")
	if assert.Len(t, p.Problems, 1) {
		assert.Contains(t, p.Problems[0], "does not parse")
	}
}

func TestPlanFixesGofmtsResult(t *testing.T) {
	x := newFixFixture(t, "package p\n\nvar a = 1\n")
	one := x.at("1")
	p := PlanFixes(x.res, []*Finding{x.finding(one, x.edit(one, one+1, "1+   2"))})
	assert.Equal(t, "package p\n\nvar a = 1 + 2\n", string(p.New[x.name]))
}

func TestApplyEdits(t *testing.T) {
	got := applyEdits([]byte("abcdef"), []edit{{4, 5, "E"}, {0, 0, ">"}, {1, 3, ""}, {6, 6, "<"}})
	assert.Equal(t, ">adEf<", string(got))
}

// fakeCheck stands for the analyzer of hand-built findings.
var fakeCheck = &analysis.Analyzer{Name: "fakecheck", Doc: "fakecheck: a test analyzer"}
