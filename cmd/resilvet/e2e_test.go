package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers"
)

// bin is the resilvet binary, built once for the end-to-end tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "resilvet-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "resilvet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building resilvet: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBin runs the binary (or, with name "go", the go command) in dir.
func runBin(t *testing.T, dir, name string, args ...string) (int, string, string) {
	t.Helper()
	if name == "" {
		name = bin
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running %s %q: %v", name, args, err)
	}
	if crash.MatchString(stderr.String()) {
		t.Fatalf("%s %q crashed:\n%s", name, args, stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// landed reports whether an analyzer is past its placeholder, so that
// expectations about its findings apply.
func landed(a *analysis.Analyzer) bool { return !strings.Contains(a.Doc, "(being built)") }

func analyzerNamed(name string) *analysis.Analyzer {
	for _, a := range analyzers.All() {
		if a.Name == name {
			return a
		}
	}
	return nil
}

var (
	crash    = regexp.MustCompile(`(?m)^(panic: |goroutine \d+ \[)`)
	textLine = regexp.MustCompile(`^(.+\.go):(\d+):(\d+): (.*) \((\w+)\)$`)
	vetLine  = regexp.MustCompile(`^(.+\.go):(\d+):(\d+): (.*)$`)
)

// e2eFinding is a finding as the outputs show it; file is relative to the
// module root.
type e2eFinding struct {
	file         string
	line, col    string
	message, via string
}

func (f e2eFinding) String() string {
	return fmt.Sprintf("%s:%s:%s: %s", f.file, f.line, f.col, f.message)
}

// parseText parses the standalone text output; every line must be a finding.
func parseText(t *testing.T, out string) []e2eFinding {
	t.Helper()
	var fs []e2eFinding
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		m := textLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected output line %q", line)
		}
		fs = append(fs, e2eFinding{filepath.ToSlash(m[1]), m[2], m[3], m[4], m[5]})
	}
	return fs
}

// parseVet parses go vet's stderr: "# pkg" headers and file:line:col lines.
func parseVet(t *testing.T, out string) []e2eFinding {
	t.Helper()
	var fs []e2eFinding
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if line == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		m := vetLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected go vet line %q", line)
		}
		fs = append(fs, e2eFinding{strings.TrimPrefix(filepath.ToSlash(m[1]), "./"), m[2], m[3], m[4], ""})
	}
	return fs
}

func sortedStrings(fs []e2eFinding) []string {
	var s []string
	for _, f := range fs {
		s = append(s, f.String())
	}
	slices.Sort(s)
	return s
}

// copyModule copies a module directory into a new temporary directory.
func copyModule(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// snapshot returns the contents of every file under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := make(map[string]string)
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			files[path] = string(data)
		}
		return nil
	})
	return files
}

// checkAllOutputs runs every output mode on the module in dir and checks
// that they agree; it returns the findings and whether any has a fix.
func checkAllOutputs(t *testing.T, dir string) ([]e2eFinding, bool) {
	t.Helper()
	code, out, errOut := runBin(t, dir, "", "./...")
	text := parseText(t, out)
	if want := map[bool]int{true: exitFindings, false: exitClean}[len(text) > 0]; code != want {
		t.Fatalf("standalone: exit %d with %d findings, want %d; stderr:\n%s", code, len(text), want, errOut)
	}

	// go vet -vettool reports the same findings and exits 1 on them.
	code, _, vetErr := runBin(t, dir, "go", "vet", "-vettool="+bin, "./...")
	vet := parseVet(t, vetErr)
	if want := map[bool]int{true: 1, false: 0}[len(text) > 0]; code != want {
		t.Errorf("go vet -vettool: exit %d, want %d; stderr:\n%s", code, want, vetErr)
	}
	if got, want := sortedStrings(vet), sortedStrings(text); !slices.Equal(got, want) {
		t.Errorf("go vet findings:\n%s\nstandalone findings:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// -json holds the same findings, and -sarif FILE beside it too.
	file := filepath.Join(t.TempDir(), "out.sarif")
	code, out, _ = runBin(t, dir, "", "-json", "-sarif", file, "./...")
	fixable := strings.Contains(out, `"suggested_fixes"`)
	var tree map[string]map[string][]jsonDiagnostic
	if err := json.Unmarshal([]byte(out), &tree); err != nil {
		t.Fatalf("-json does not parse: %v\n%s", err, out)
	}
	var fromJSON []string
	for _, byAnalyzer := range tree {
		for _, diags := range byAnalyzer {
			for _, d := range diags {
				rel, err := filepath.Rel(dir, d.Posn)
				if err != nil {
					t.Fatal(err)
				}
				fromJSON = append(fromJSON, filepath.ToSlash(rel)+": "+d.Message)
			}
		}
	}
	slices.Sort(fromJSON)
	if want := sortedStrings(text); !slices.Equal(fromJSON, want) || code != map[bool]int{true: exitFindings, false: exitClean}[len(text) > 0] {
		t.Errorf("-json (exit %d) findings:\n%s\nwant:\n%s", code, strings.Join(fromJSON, "\n"), strings.Join(want, "\n"))
	}

	// The SARIF log is valid SARIF 2.1.0 with the same results.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, data)
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	var fromSARIF []string
	for _, r := range log.Runs[0].Results {
		l := r.Locations[0].PhysicalLocation
		fromSARIF = append(fromSARIF, fmt.Sprintf("%s:%d: %s (%s)", l.ArtifactLocation.URI, l.Region.StartLine, r.Message.Text, r.RuleID))
	}
	var wantSARIF []string
	for _, f := range text {
		wantSARIF = append(wantSARIF, fmt.Sprintf("%s:%s: %s (%s)", f.file, f.line, f.message, f.via))
	}
	slices.Sort(fromSARIF)
	slices.Sort(wantSARIF)
	if !slices.Equal(fromSARIF, wantSARIF) {
		t.Errorf("SARIF results:\n%s\nwant:\n%s", strings.Join(fromSARIF, "\n"), strings.Join(wantSARIF, "\n"))
	}
	if len(log.Runs[0].Tool.Driver.Rules) != len(analyzers.All()) {
		t.Errorf("SARIF has %d rules, want one per analyzer", len(log.Runs[0].Tool.Driver.Rules))
	}
	return text, fixable
}

// checkFix runs -diff then -fix on a copy of the module in dir.
func checkFix(t *testing.T, dir string, before []e2eFinding, fixable bool) {
	t.Helper()
	work := copyModule(t, dir)
	orig := snapshot(t, work)

	_, diff, _ := runBin(t, work, "", "-diff", "./...")
	if !sameFiles(orig, snapshot(t, work)) {
		t.Fatal("-diff changed files")
	}
	if fixable != (diff != "") {
		t.Fatalf("fixes suggested: %v, but -diff printed %q", fixable, diff)
	}
	if !fixable {
		return
	}
	if !strings.HasPrefix(diff, "--- a/") || !strings.Contains(diff, "\n@@ -") {
		t.Errorf("-diff is not a unified diff:\n%s", diff)
	}

	code, out, errOut := runBin(t, work, "", "-fix", "./...")
	after := parseText(t, out)
	if !strings.Contains(errOut, "applied ") || code != map[bool]int{true: exitFindings, false: exitClean}[len(after) > 0] {
		t.Errorf("-fix: exit %d, stderr %q, %d findings left", code, errOut, len(after))
	}
	if sameFiles(orig, snapshot(t, work)) {
		t.Fatal("-fix changed nothing although fixes were suggested")
	}
	code, out, _ = runBin(t, work, "", "./...")
	if rerun := parseText(t, out); len(rerun) >= len(before) {
		t.Errorf("after -fix the rerun reports %d findings (exit %d), want fewer than the %d before", len(rerun), code, len(before))
	}

	// The diff is the fix: applied to a fresh copy it gives the same files.
	if _, err := exec.LookPath("git"); err == nil {
		fresh := copyModule(t, dir)
		patch := filepath.Join(t.TempDir(), "fix.diff")
		os.WriteFile(patch, []byte(diff), 0o644)
		if code, _, errOut := runBin(t, fresh, "git", "apply", patch); code != 0 {
			t.Fatalf("git apply of the -diff output failed:\n%s", errOut)
		}
		fixed := snapshot(t, work)
		for path, content := range snapshot(t, fresh) {
			rel, _ := filepath.Rel(fresh, path)
			if fixed[filepath.Join(work, rel)] != content {
				t.Errorf("%s: -diff and -fix disagree", rel)
			}
		}
	}

	code, _, errOut = runBin(t, work, "go", "build", "./...")
	if code != 0 && strings.Contains(errOut, "no required module provides package github.com/resilvet/resilvet/") {
		// Fixes import resilvet's runtime (retry.NewKey, ...): build
		// against this repository.
		useLocalResilvet(t, work)
		code, _, errOut = runBin(t, work, "go", "build", "./...")
	}
	if code != 0 {
		t.Errorf("the fixed module does not build:\n%s", errOut)
	}
}

// useLocalResilvet makes the module in dir require this repository's
// module, replaced by its working copy.
func useLocalResilvet(t *testing.T, dir string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	runBin(t, dir, "go", "mod", "edit", "-require=github.com/resilvet/resilvet@v0.0.0", "-replace=github.com/resilvet/resilvet="+root)
	if code, _, errOut := runBin(t, dir, "go", "mod", "tidy"); code != 0 {
		t.Fatalf("go mod tidy: %s", errOut)
	}
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestDemoModule runs resilvet every way on examples/antipatterns, the
// module the README demonstrates.
func TestDemoModule(t *testing.T) {
	demo, err := filepath.Abs(filepath.Join("..", "..", "examples", "antipatterns"))
	if err != nil {
		t.Fatal(err)
	}
	findings, fixable := checkAllOutputs(t, demo)

	// -C runs as if in the directory, as the README's command does.
	_, out, _ := runBin(t, ".", "", "-C", demo, "./...")
	if got, want := sortedStrings(parseText(t, out)), sortedStrings(findings); !slices.Equal(got, want) {
		t.Errorf("-C %s gave:\n%s\nwant:\n%s", demo, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Every check that has landed, with its file in the demo, reports there.
	for _, a := range analyzers.All() {
		if _, err := os.Stat(filepath.Join(demo, a.Name+".go")); err != nil || !landed(a) {
			continue
		}
		if !slices.ContainsFunc(findings, func(f e2eFinding) bool { return f.via == a.Name && f.file == a.Name+".go" }) {
			t.Errorf("%s reports nothing in examples/antipatterns/%s.go", a.Name, a.Name)
		}
	}
	checkFix(t, demo, findings, fixable)
}

// apiSrc and pingSrc hold one ctxbackground and two missingtimeout
// findings on known lines, two of them with fixes.
const apiSrc = `package api

import (
	"context"
	"net/http"
)

// Lookup fetches an item; the request loses the caller's deadline.
func Lookup(ctx context.Context, id string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://inventory/items/"+id, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}
`

const pingSrc = `package ping

import "net/http"

// client is shared by every check; it never gives up on a slow peer.
var client = &http.Client{}

// Ping checks a dependency with no timeout at all.
func Ping(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Check asks the dependency through the shared client.
func Check(url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
`

func TestServiceModule(t *testing.T) {
	dir := writeModule(t, map[string]string{"api/api.go": apiSrc, "ping/ping.go": pingSrc})
	findings, fixable := checkAllOutputs(t, dir)

	want := map[string][]string{
		"ctxbackground":  {"api/api.go:10"},
		"missingtimeout": {"ping/ping.go:6", "ping/ping.go:10"},
	}
	for name, lines := range want {
		if !landed(analyzerNamed(name)) {
			t.Logf("%s has not landed; skipping its expectations", name)
			continue
		}
		var got []string
		for _, f := range findings {
			if f.via == name {
				got = append(got, f.file+":"+f.line)
			}
		}
		if !slices.Equal(got, lines) {
			t.Errorf("%s findings at %q, want %q", name, got, lines)
		}
	}
	if len(findings) == 0 {
		t.Skip("no analyzer reports on this module yet")
	}
	checkFix(t, dir, findings, fixable)

	// A baseline accepts today's findings; a new one fails alone. Only the
	// two checks with findings here run: the SSA-based ones are slow.
	if !landed(analyzerNamed("ctxbackground")) || !landed(analyzerNamed("missingtimeout")) {
		t.Skip("the baseline test needs ctxbackground and missingtimeout")
	}
	base := filepath.Join(dir, "baseline.json")
	baseArgs := func(extra ...string) []string {
		return append([]string{"-ctxbackground", "-missingtimeout", "-baseline", base}, append(extra, "./...")...)
	}
	if code, _, errOut := runBin(t, dir, "", baseArgs("-baseline-write")...); code != exitClean {
		t.Fatalf("-baseline-write: exit %d: %s", code, errOut)
	}
	if code, out, _ := runBin(t, dir, "", baseArgs()...); code != exitClean || out != "" {
		t.Fatalf("against its own baseline: exit %d, output %q", code, out)
	}
	grown := strings.Replace(apiSrc, "func Lookup(", "func lookup2(ctx context.Context, id string) (*http.Response, error) {\n\treturn Lookup(ctx, id)\n}\n\nfunc Lookup(", 1)
	os.WriteFile(filepath.Join(dir, "api", "api.go"), []byte(grown), 0o644)
	if code, out, _ := runBin(t, dir, "", baseArgs()...); code != exitClean {
		t.Errorf("after moving lines: exit %d, output %q; want 0", code, out)
	}
	os.WriteFile(filepath.Join(dir, "ping", "again.go"), []byte(againSrc), 0o644)
	code, out, _ := runBin(t, dir, "", baseArgs()...)
	fresh := parseText(t, out)
	if code != exitFindings || len(fresh) == 0 {
		t.Fatalf("after adding a finding: exit %d, output %q; want 3", code, out)
	}
	for _, f := range fresh {
		if f.file != "ping/again.go" {
			t.Errorf("baselined finding reported again: %s", f)
		}
	}
	if len(fresh) != 1 || fresh[0].line != "7" {
		t.Errorf("new findings %v, want only the http.Head call at ping/again.go:7", fresh)
	}
}

const againSrc = `package ping

import "net/http"

// PingAgain repeats Ping's mistake.
func PingAgain(url string) error {
	resp, err := http.Head(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
`

func TestCommandLineErrors(t *testing.T) {
	mod := writeModule(t, map[string]string{
		"ping/ping.go": pingSrc,
		"bad/bad.go":   "package bad\n\nfunc F() {\n\tx :=\n}\n",
	})
	for _, tc := range []struct {
		name, dir string
		args      []string
		want      string // the one line on stderr
	}{
		{"unknown flag", mod, []string{"-frobnicate", "./..."}, "resilvet: flag provided but not defined: -frobnicate (run resilvet -help for usage)"},
		{"no packages", mod, []string{"./bad/none/..."}, "resilvet: no packages match ./bad/none/..."},
		{"no go.mod", t.TempDir(), []string{"./..."}, "or any parent directory: run resilvet inside a Go module, or name one with -C dir"},
		{"missing -C dir", mod, []string{"-C", "nowhere"}, "resilvet: -C: chdir nowhere: no such file or directory"},
		{"syntax error", mod, []string{"./..."}, "bad/bad.go:5:1: expected operand, found '}'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "no packages" {
				os.MkdirAll(filepath.Join(mod, "bad", "none"), 0o755)
			}
			code, out, errOut := runBin(t, tc.dir, "", tc.args...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr:\n%s\nwant one line with %q", errOut, tc.want)
			}
			if tc.name == "syntax error" && landed(analyzerNamed("missingtimeout")) && !strings.Contains(out, "ping/ping.go:10:") {
				t.Errorf("the package beside the broken one was not analysed:\n%s", out)
			}
		})
	}
}

func TestVetProtocol(t *testing.T) {
	code, out, _ := runBin(t, ".", "", "-V=full")
	if code != 0 || !strings.Contains(out, " version ") {
		t.Errorf("-V=full: exit %d, output %q", code, out)
	}
	code, out, _ = runBin(t, ".", "", "-flags")
	var flags []struct{ Name string }
	if err := json.Unmarshal([]byte(out), &flags); err != nil || code != 0 {
		t.Fatalf("-flags: exit %d, output %q: %v", code, out, err)
	}
	for _, a := range analyzers.All() {
		if !slices.ContainsFunc(flags, func(f struct{ Name string }) bool { return f.Name == a.Name }) {
			t.Errorf("-flags lacks the enable flag -%s", a.Name)
		}
	}
}
