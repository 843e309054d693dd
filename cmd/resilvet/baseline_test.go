package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	x := newFixFixture(t, "package p\n\nvar a = 1\n\nfunc f() {\n\t\tvar a = 1\n\t_ = a\n}\n")
	outer := x.finding(x.at("var a"))
	inner := x.finding(x.at("\t\tvar a") + 2)
	if x.res.baselineKey(outer) != x.res.baselineKey(inner) {
		t.Errorf("keys differ for lines that differ only in indentation")
	}
	other := x.finding(x.at("_ = a"))
	if x.res.baselineKey(outer) == x.res.baselineKey(other) {
		t.Errorf("keys equal for different lines")
	}
}
