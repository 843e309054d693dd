package driver

import (
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
		if got := conflicts(tc.a, tc.b); got != tc.want {
			t.Errorf("conflicts(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := conflicts(tc.b, tc.a); got != tc.want {
			t.Errorf("conflicts(%v, %v) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
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
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	file.SetLinesForContent([]byte(src))
	res := &Result{Fset: fset, Cwd: dir, Root: dir, files: make(map[string][]byte)}
	return &fixFixture{t, res, file, src, name}
}

// at returns the offset of the first occurrence of s.
func (x *fixFixture) at(s string) int {
	i := strings.Index(x.src, s)
	if i < 0 {
		x.t.Fatalf("%q not in source", s)
	}
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
	want := "// Package p.\npackage p\n\nvar a, b, c = 10, 20, 4 + 3\n"
	if got := string(p.New[x.name]); got != want {
		t.Errorf("fixed file:\n%s\nwant:\n%s", got, want)
	}
	if got := p.AppliedCount(); got != 3 {
		t.Errorf("applied %d fixes, want 3", got)
	}
	if got, want := p.Unfixed(all), []*Finding{overlapping, otherInsert, noFix}; !slices.Equal(got, want) {
		t.Errorf("unfixed = %d findings, want the overlapping, the second insertion and the one without a fix", len(got))
	}
	if len(p.Problems) != 2 || !strings.Contains(p.Problems[0], "conflicts with another fix") {
		t.Errorf("problems = %q, want two conflicts", p.Problems)
	}
	if strings.Count(string(p.New[x.name]), "// Package p.") != 1 {
		t.Error("identical edits were applied twice")
	}
}

func TestPlanFixesLeavesUnparsableResultAlone(t *testing.T) {
	x := newFixFixture(t, "package p\n\nvar a = 1\n")
	one := x.at("1")
	broken := x.finding(one, x.edit(one, one+1, "1 +"))
	p := PlanFixes(x.res, []*Finding{broken})
	if len(p.New) != 0 {
		t.Errorf("a fix that breaks the syntax was kept: %q", p.New[x.name])
	}
	if p.AppliedCount() != 0 || len(p.Unfixed([]*Finding{broken})) != 1 {
		t.Error("the finding of a broken fix counts as fixed")
	}
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0], "does not parse") {
		t.Errorf("problems = %q, want one parse failure", p.Problems)
	}
}

func TestPlanFixesGofmtsResult(t *testing.T) {
	x := newFixFixture(t, "package p\n\nvar a = 1\n")
	one := x.at("1")
	p := PlanFixes(x.res, []*Finding{x.finding(one, x.edit(one, one+1, "1+   2"))})
	if got, want := string(p.New[x.name]), "package p\n\nvar a = 1 + 2\n"; got != want {
		t.Errorf("got %q, want gofmt'ed %q", got, want)
	}
}

func TestApplyEdits(t *testing.T) {
	got := applyEdits([]byte("abcdef"), []edit{{4, 5, "E"}, {0, 0, ">"}, {1, 3, ""}, {6, 6, "<"}})
	if string(got) != ">adEf<" {
		t.Errorf("applyEdits = %q, want %q", got, ">adEf<")
	}
}

// fakeCheck stands for the analyzer of hand-built findings.
var fakeCheck = &analysis.Analyzer{Name: "fakecheck", Doc: "fakecheck: a test analyzer"}
