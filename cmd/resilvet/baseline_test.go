package main

import (
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

func TestBaseline(t *testing.T) {
	const src = `package svc

import "context"

func A(ctx context.Context) {
	_ = context.Background()
	_ = context.Background()
}
`
	dir := writeModule(t, map[string]string{"svc/svc.go": src})
	name := filepath.Join(dir, "svc", "svc.go")
	base := filepath.Join(dir, "resilvet-baseline.json")

	code, _, errOut := runIn(t, dir, "-baseline", base, "-baseline-write")
	if code != exitClean || !strings.Contains(errOut, "wrote 2 findings to baseline") {
		t.Fatalf("-baseline-write: exit %d, stderr %q", code, errOut)
	}
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"file": "svc/svc.go"`) || !strings.Contains(string(data), `"count": 2`) {
		t.Errorf("baseline file:\n%s\nwant the two identical lines as one entry, count 2, module-relative file", data)
	}

	if code, out, _ := runIn(t, dir, "-baseline", base); code != exitClean || out != "" {
		t.Errorf("rerun against the baseline: exit %d, output %q; want 0 and nothing", code, out)
	}

	// Lines moving (code added above) keep the baseline valid.
	moved := strings.Replace(src, "func A(", "// A does nothing useful.\n//\n// It is here to move lines.\nfunc A(", 1)
	if err := os.WriteFile(name, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runIn(t, dir, "-baseline", base); code != exitClean {
		t.Errorf("after lines moved: exit %d, output %q; want 0", code, out)
	}

	// A third identical line and a different one are new: only they fail.
	grown := strings.Replace(moved, "}\n", "\t_ = context.Background()\n\tctx2 := context.Background()\n\t_ = ctx2\n}\n", 1)
	if err := os.WriteFile(name, []byte(grown), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runIn(t, dir, "-baseline", base)
	if code != exitFindings || strings.Count(out, "\n") != 2 {
		t.Errorf("after adding two findings: exit %d, output:\n%s\nwant 3 and exactly the two new findings", code, out)
	}
	if !strings.Contains(out, "svc/svc.go:12:10:") {
		t.Errorf("the new ctx2 finding is missing:\n%s", out)
	}

	// A bad baseline is a clear error.
	if err := os.WriteFile(base, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runIn(t, dir, "-baseline", base); code != exitError || strings.Count(errOut, "\n") != 1 {
		t.Errorf("corrupt baseline: exit %d, stderr %q", code, errOut)
	}
}

func TestBaselineKeyIgnoresIndentation(t *testing.T) {
	src := "package p\n\nvar a = 1\n\nfunc f() {\n\t\tvar a = 1\n\t_ = a\n}\n"
	dir := t.TempDir()
	name := filepath.Join(dir, "a.go")
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	file.SetLinesForContent([]byte(src))
	res := &result{Fset: fset, Cwd: dir, Root: dir}
	at := func(s string, skip int) *finding {
		pos := fset.Position(file.Pos(strings.Index(src, s) + skip))
		return &finding{Analyzer: fakeBackground, Diag: analysis.Diagnostic{Pos: file.Pos(pos.Offset), Message: "m"}, Pos: pos, End: pos}
	}
	outer, inner, other := at("var a", 0), at("\t\tvar a", 2), at("_ = a", 0)
	if keyOf(res, outer) != keyOf(res, inner) {
		t.Errorf("keys differ for lines that differ only in indentation")
	}
	if keyOf(res, outer) == keyOf(res, other) {
		t.Errorf("keys equal for different lines")
	}
}
