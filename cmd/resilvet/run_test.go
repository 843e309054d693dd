package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

func TestRunExitCodes(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"svc/svc.go":     handlerSrc,
		"clean/clean.go": "package clean\n\nfunc Add(a, b int) int { return a + b }\n",
	})

	code, out, errOut := runIn(t, dir, "./...")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitFindings, errOut)
	}
	want := []string{
		"svc/svc.go:9:41: context.Background() drops the deadline of ctx; pass ctx (fakebg)",
		"svc/svc.go:21:15: http.Get has no timeout; use a client with a Timeout (fakeget)",
		"svc/svc.go:25:6: context.Background() drops the deadline of ctx; pass ctx (fakebg)",
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("text output:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}

	if code, out, _ := runIn(t, dir, "./clean"); code != exitClean || out != "" {
		t.Errorf("clean package: exit %d, output %q; want 0 and nothing", code, out)
	}
	if code, out, _ := runIn(t, dir, "-fakebg=false", "-fakeget=false", "./..."); code != exitError || out != "" {
		t.Errorf("every check disabled: exit %d, want %d", code, exitError)
	}
	if code, out, _ := runIn(t, dir, "-fakeget", "./..."); code != exitFindings || strings.Count(out, "\n") != 1 {
		t.Errorf("-fakeget alone: exit %d, output %q; want only the fakeget finding", code, out)
	}
	if code, out, _ := runIn(t, dir, "-fakeget=false", "./..."); code != exitFindings || strings.Contains(out, "fakeget") {
		t.Errorf("-fakeget=false: exit %d, output %q; want no fakeget finding", code, out)
	}
}

func TestRunJSON(t *testing.T) {
	dir := writeModule(t, map[string]string{"svc/svc.go": handlerSrc})
	code, out, errOut := runIn(t, dir, "-json")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d with -json; stderr: %s", code, exitFindings, errOut)
	}
	var tree map[string]map[string][]jsonDiagnostic
	if err := json.Unmarshal([]byte(out), &tree); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, out)
	}
	diags := tree["example.com/m/svc"]
	if len(diags["fakebg"]) != 2 || len(diags["fakeget"]) != 1 {
		t.Fatalf("-json = %s, want 2 fakebg and 1 fakeget diagnostics under example.com/m/svc", out)
	}
	d := diags["fakebg"][0]
	if !strings.HasSuffix(d.Posn, filepath.Join("svc", "svc.go")+":9:41") || len(d.SuggestedFixes) != 1 ||
		d.SuggestedFixes[0].Edits[0].New != "ctx" {
		t.Errorf("first diagnostic = %+v", d)
	}
}

func TestRunFixAndDiff(t *testing.T) {
	dir := writeModule(t, map[string]string{"svc/svc.go": handlerSrc})
	name := filepath.Join(dir, "svc", "svc.go")

	code, out, _ := runIn(t, dir, "-diff")
	if code != exitFindings {
		t.Errorf("-diff exit %d, want %d", code, exitFindings)
	}
	if !strings.Contains(out, "--- a/svc/svc.go\n+++ b/svc/svc.go\n") ||
		!strings.Contains(out, "+\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)\n") ||
		!strings.Contains(out, "+\t_ = ctx\n") {
		t.Errorf("-diff output:\n%s", out)
	}
	if data, _ := os.ReadFile(name); string(data) != handlerSrc {
		t.Fatal("-diff changed the file")
	}

	code, out, errOut := runIn(t, dir, "-fix")
	if code != exitFindings {
		t.Errorf("-fix exit %d, want %d: the http.Get finding has no fix", code, exitFindings)
	}
	if !strings.Contains(errOut, "applied 2 fixes to 1 files; 1 findings remain") {
		t.Errorf("-fix stderr: %s", errOut)
	}
	if strings.TrimSpace(out) != "svc/svc.go:21:15: http.Get has no timeout; use a client with a Timeout (fakeget)" {
		t.Errorf("-fix printed %q, want only the finding left", out)
	}
	data, _ := os.ReadFile(name)
	if strings.Contains(string(data), "context.Background()") || !strings.Contains(string(data), "_ = ctx\n") {
		t.Errorf("fixed file:\n%s", data)
	}

	if code, _, _ := runIn(t, dir, "-fix", "-fakeget=false"); code != exitClean {
		t.Errorf("-fix with nothing left to fix: exit %d, want 0", code)
	}
}

func TestRunErrors(t *testing.T) {
	mod := writeModule(t, map[string]string{
		"good/good.go": handlerSrc,
		"bad/bad.go":   "package bad\n\nfunc F() {\n\tx :=\n}\n",
		"typo/typo.go": "package typo\n\nfunc F() int { return undefined }\n",
		"empty/README": "no Go files here\n",
	})
	noMod := t.TempDir()
	for _, tc := range []struct {
		name, dir string
		args      []string
		wantErr   []string // lines expected on stderr
		wantOut   string   // a line expected on stdout
	}{
		{"unknown flag", mod, []string{"-nope"}, []string{"resilvet: flag provided but not defined: -nope (run resilvet -help for usage)"}, ""},
		{"bad format", mod, []string{"-format=xml"}, []string{`resilvet: unknown -format "xml": use text, json or sarif`}, ""},
		{"no packages", mod, []string{"./empty/..."}, []string{"resilvet: no packages match ./empty/..."}, ""},
		{"no directory", mod, []string{"./nothing/..."}, []string{"resilvet: pattern ./nothing/...: lstat ./nothing/: no such file or directory"}, ""},
		{"no go.mod", noMod, nil, []string{"resilvet: no go.mod in " + noMod + " or any parent directory: run resilvet inside a Go module, or name one with -C dir"}, ""},
		{"broken packages", mod, []string{"./..."}, []string{
			"bad/bad.go:5:1: expected operand, found '}'",
			"typo/typo.go:3:23: undefined: undefined",
		}, "good/good.go:21:15: http.Get has no timeout; use a client with a Timeout (fakeget)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runIn(t, tc.dir, tc.args...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if got := strings.Split(strings.TrimSpace(errOut), "\n"); strings.Join(got, "\n") != strings.Join(tc.wantErr, "\n") {
				t.Errorf("stderr:\n%s\nwant:\n%s", errOut, strings.Join(tc.wantErr, "\n"))
			}
			if tc.wantOut != "" && !strings.Contains(out, tc.wantOut+"\n") {
				t.Errorf("stdout %q lacks %q: the good package must still be analysed", out, tc.wantOut)
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	code, out, _ := runIn(t, t.TempDir(), "-help")
	if code != exitClean {
		t.Errorf("-help exit %d, want 0", code)
	}
	for _, want := range []string{"Exit codes", "-fakebg", "-baseline file", "-sarif file", "-C dir"} {
		if !strings.Contains(out, want) {
			t.Errorf("-help lacks %q", want)
		}
	}
}

func TestIsVetInvocation(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"-V=full"}, true},
		{[]string{"-flags"}, true},
		{[]string{"-ctxbackground=false", "/tmp/go-build/vet.cfg"}, true},
		{[]string{"./..."}, false},
		{[]string{"-json", "./pkg"}, false},
		{nil, false},
	} {
		if got := isVetInvocation(tc.args); got != tc.want {
			t.Errorf("isVetInvocation(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestRunAnalyzerPanic(t *testing.T) {
	panicky := &analysis.Analyzer{
		Name: "panicky",
		Doc:  "panicky: always fails",
		Run:  func(*analysis.Pass) (any, error) { panic("boom") },
	}
	t.Chdir(writeModule(t, map[string]string{"svc/svc.go": handlerSrc}))
	var stdout, stderr bytes.Buffer
	code := run(nil, []*analysis.Analyzer{fakeBackground, panicky}, &stdout, &stderr)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	if want := "resilvet: panicky on example.com/m/svc: internal error: boom (please report it)\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if strings.Count(stdout.String(), "(fakebg)") != 2 {
		t.Errorf("the other check's findings are missing:\n%s", stdout.String())
	}
}
