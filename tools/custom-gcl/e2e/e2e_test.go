// Package e2e runs the real golangci-lint binary with the resilvet plugin
// (bin/custom-gcl) on the demo module examples/antipatterns, the way users
// and editors run it. Set CUSTOM_GCL to a built binary, absolute or relative
// to the repository root (tools/custom-gcl/e2e.sh does); otherwise the test
// builds one.
package e2e

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/resilvet/resilvet/analyzers"
)

var (
	repoRoot   string // the resilvet repository
	exampleDir string // examples/antipatterns
	configFile string // .golangci.example.yml
	binary     string // the custom golangci-lint
	scratch    string // TMPDIR and golangci-lint cache for the runs
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	flag.Parse()
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = filepath.Clean(filepath.Join(wd, "../../.."))
	exampleDir = filepath.Join(repoRoot, "examples", "antipatterns")
	configFile = filepath.Join(repoRoot, ".golangci.example.yml")

	scratch, err = os.MkdirTemp("", "resilvet-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(scratch)

	binary = os.Getenv("CUSTOM_GCL")
	if binary == "" {
		binary = filepath.Join(scratch, "custom-gcl")
		build := exec.Command("go", "build", "-o", binary, ".")
		build.Dir = filepath.Join(repoRoot, "tools", "custom-gcl")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building custom-gcl:", err)
			return 1
		}
	}
	if !filepath.IsAbs(binary) {
		// go test runs in the package directory, not the caller's.
		binary = filepath.Join(repoRoot, binary)
	}
	return m.Run()
}

// issue is the part of golangci-lint's JSON report that editors read.
type issue struct {
	FromLinter string
	Text       string
	Severity   string
	Pos        struct {
		Filename     string
		Offset       int
		Line, Column int
	}
	SuggestedFixes []analysis.SuggestedFix
}

type report struct {
	Issues []issue
}

type result struct {
	stdout, stderr string
	code           int
}

// lint runs the binary in dir. Every run gets the same private TMPDIR (the
// golangci-lint lock file lives there) and result cache, so a settings change
// that the cache failed to notice would show up as stale findings.
func lint(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"TMPDIR="+scratch,
		"GOLANGCI_LINT_CACHE="+filepath.Join(scratch, "cache"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout.String(), stderr.String(), 0}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", binary, err)
	}
	t.Logf("$ (cd %s && custom-gcl %s)  # exit %d, %.1fs", rel(dir), strings.Join(args, " "), r.code, time.Since(start).Seconds())
	return r
}

func rel(dir string) string {
	if r, err := filepath.Rel(repoRoot, dir); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return dir
}

// jsonArgs gives a report on stdout and nothing else there.
var jsonArgs = []string{"--output.json.path=stdout", "--show-stats=false"}

func lintJSON(t *testing.T, dir string, args ...string) (report, result) {
	t.Helper()
	r := lint(t, dir, append(append([]string{"run"}, jsonArgs...), args...)...)
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not a golangci-lint JSON report: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return rep, r
}

// finding is a diagnostic compared across drivers.
type finding struct {
	file         string // slash path relative to the module
	line, column int
	text         string // "<check>: <message>", as golangci-lint prints it
}

func (f finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", f.file, f.line, f.column, f.text)
}

func sortFindings(fs []finding) []finding {
	slices.SortFunc(fs, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line),
			cmp.Compare(a.column, b.column), cmp.Compare(a.text, b.text))
	})
	return slices.Compact(fs)
}

// reference runs the suite directly with go/analysis on the module in dir:
// what golangci-lint must report, no more and no less.
func reference(t *testing.T, dir string, suite []*analysis.Analyzer) []finding {
	t.Helper()
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: dir, Tests: true}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		t.Fatalf("%s does not load cleanly", dir)
	}
	graph, err := checker.Analyze(suite, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var fs []finding
	for act := range graph.All() {
		if !act.IsRoot {
			continue
		}
		if act.Err != nil {
			t.Fatalf("%s on %s: %v", act.Analyzer.Name, act.Package.PkgPath, act.Err)
		}
		for _, d := range act.Diagnostics {
			p := act.Package.Fset.Position(d.Pos)
			file, err := filepath.Rel(dir, p.Filename)
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, finding{filepath.ToSlash(file), p.Line, p.Column, act.Analyzer.Name + ": " + d.Message})
		}
	}
	return sortFindings(fs)
}

var withExtra []finding // reference findings of the demo plus extra

// referenceWithExtra is reference for a copy made by copyModule and
// addFindings, computed once: every such copy holds the same files.
func referenceWithExtra(t *testing.T, dir string) []finding {
	t.Helper()
	if withExtra == nil {
		withExtra = reference(t, dir, analyzers.All())
	}
	return withExtra
}

func checkNames() []string {
	var ns []string
	for _, a := range analyzers.All() {
		ns = append(ns, a.Name)
	}
	return ns
}

// checkOf returns the check a golangci-lint message comes from.
func checkOf(text string) string {
	name, _, _ := strings.Cut(text, ": ")
	return name
}

// exampleFindings runs the example configuration on examples/antipatterns in
// place, from inside the nested module, and checks the report's shape.
func exampleFindings(t *testing.T) []finding {
	t.Helper()
	rep, r := lintJSON(t, exampleDir, "-c", configFile, "./...")
	if want := exitFor(len(rep.Issues)); r.code != want {
		t.Fatalf("exit code %d with %d issues, want %d\nstderr:\n%s", r.code, len(rep.Issues), want, r.stderr)
	}
	known := checkNames()
	var fs []finding
	for _, is := range rep.Issues {
		if is.FromLinter != "resilvet" {
			t.Errorf("issue from linter %q, want resilvet: %+v", is.FromLinter, is)
		}
		if !slices.Contains(known, checkOf(is.Text)) {
			t.Errorf("issue text %q does not start with a check name (%s)", is.Text, strings.Join(known, ", "))
		}
		if is.Pos.Line < 1 || is.Pos.Column < 1 {
			t.Errorf("issue without a position: %+v", is)
		}
		// Paths are relative to the configuration file, the repository root.
		file, ok := strings.CutPrefix(filepath.ToSlash(is.Pos.Filename), "examples/antipatterns/")
		if !ok {
			t.Errorf("issue file %q is not under examples/antipatterns/", is.Pos.Filename)
			continue
		}
		if _, err := os.Stat(filepath.Join(exampleDir, file)); err != nil {
			t.Errorf("issue file: %v", err)
		}
		fs = append(fs, finding{file, is.Pos.Line, is.Pos.Column, is.Text})
	}
	return sortFindings(fs)
}

func exitFor(issues int) int {
	if issues > 0 {
		return 1
	}
	return 0
}

// TestFindings: the plugin reports exactly what the analyzers report when run
// directly, and each check that has its file in the demo module finds it.
func TestFindings(t *testing.T) {
	got := exampleFindings(t)
	for _, f := range got {
		t.Logf("  %s", f)
	}
	t.Logf("%d findings", len(got))

	want := reference(t, exampleDir, analyzers.All())
	if !slices.Equal(got, want) {
		t.Errorf("golangci-lint findings differ from the analyzers run directly\ngolangci-lint:\n%s\ndirect:\n%s", lines(got), lines(want))
	}

	for _, name := range checkNames() {
		file := name + ".go"
		if _, err := os.Stat(filepath.Join(exampleDir, file)); err != nil {
			t.Logf("%s: no %s in the demo module yet", name, file)
			continue
		}
		n := 0
		for _, f := range got {
			if f.file == file && checkOf(f.text) == name {
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s: no finding in examples/antipatterns/%s, which holds code it must report", name, file)
		}
	}
}

func lines(fs []finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

// copyModule copies examples/antipatterns to a scratch directory, with the
// example configuration as the module's .golangci.yml: the layout of a user's
// repository.
func copyModule(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(exampleDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(exampleDir, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, r), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, r), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	// A user's module gets resilvet's runtime, which fixes import, with go
	// get; the copy takes it from this checkout (unused until a fix).
	gomod := filepath.Join(dst, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	data = fmt.Appendf(data, "\nreplace github.com/resilvet/resilvet => %s\n", repoRoot)
	if err := os.WriteFile(gomod, data, 0o644); err != nil {
		t.Fatal(err)
	}
	writeConfig(t, dst, exampleConfig(t))
	return dst
}

func exampleConfig(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func writeConfig(t *testing.T, dir, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, ".golangci.yml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFix: --fix applies every suggested fix of the report, and the fixed
// module still builds.
func TestFix(t *testing.T) {
	dir := copyModule(t)
	addFindings(t, dir)
	before, r := lintJSON(t, dir, "./...")
	if r.code != exitFor(len(before.Issues)) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}

	// The expected files: each issue's fixes applied to the original text.
	edits := map[string][]analysis.TextEdit{}
	fixable := 0
	for _, is := range before.Issues {
		if len(is.SuggestedFixes) == 0 {
			continue
		}
		fixable++
		for _, sf := range is.SuggestedFixes {
			edits[is.Pos.Filename] = append(edits[is.Pos.Filename], sf.TextEdits...)
		}
	}
	if fixable == 0 {
		t.Fatal("no finding carries a suggested fix")
	}
	originals := map[string][]byte{}
	for file := range edits {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		originals[file] = data
	}

	// golangci-lint prints only the findings it could not fix.
	if r := lint(t, dir, append([]string{"run", "--fix"}, append(jsonArgs, "./...")...)...); r.code > 1 {
		t.Fatalf("--fix: exit %d\n%s", r.code, r.stderr)
	}

	fixedFiles := map[string]bool{}
	for file, es := range edits {
		want, err := apply(originals[file], es)
		if err != nil {
			// golangci-lint skips all of a linter's edits in a file
			// when two of them overlap.
			t.Logf("%s: %v; golangci-lint must leave the file as it was", file, err)
			want = originals[file]
		} else {
			fixedFiles[file] = true
		}
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gofmt(t, got), gofmt(t, want)) {
			t.Errorf("%s after --fix:\n%s\nwant:\n%s", file, got, want)
		}
	}

	// Fixes that use resilvet's runtime import it: the module now needs
	// resilvet, as a user's would after go get (here the checkout).
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy on the fixed module: %v\n%s", err, out)
	}
	vet := exec.Command("go", "vet", "./...")
	vet.Dir = dir
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("the fixed module does not build and vet cleanly: %v\n%s", err, out)
	}

	// Every fix was applied, and the fixed code re-analyses without them
	// (the analyzers' fixture tests prove their fixes clean); a fix may
	// also settle findings that had none, in the same loop say.
	fixed := 0
	for _, is := range before.Issues {
		if len(is.SuggestedFixes) > 0 && fixedFiles[is.Pos.Filename] {
			fixed++
		}
	}
	after, r := lintJSON(t, dir, "./...")
	if r.code != exitFor(len(after.Issues)) {
		t.Fatalf("after --fix: exit %d\n%s", r.code, r.stderr)
	}
	for _, is := range after.Issues {
		if len(is.SuggestedFixes) > 0 && fixedFiles[is.Pos.Filename] {
			t.Errorf("after --fix, a finding with a fix remains: %s:%d: %s", is.Pos.Filename, is.Pos.Line, is.Text)
		}
	}
	if len(after.Issues) > len(before.Issues)-fixed {
		t.Errorf("after --fix fixed %d of %d findings, %d remain, want at most %d", fixed, len(before.Issues), len(after.Issues), len(before.Issues)-fixed)
	}
	t.Logf("--fix applied the fixes of %d findings; %d of %d findings remain", fixed, len(after.Issues), len(before.Issues))
	for _, is := range after.Issues {
		t.Logf("  remains: %s:%d:%d: %s", is.Pos.Filename, is.Pos.Line, is.Pos.Column, is.Text)
	}
}

// apply applies edits whose Pos and End are byte offsets, as golangci-lint's
// JSON report carries them.
func apply(src []byte, edits []analysis.TextEdit) ([]byte, error) {
	es := slices.Clone(edits)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Pos < es[j].Pos })
	var out []byte
	last := 0
	for _, e := range es {
		start, end := int(e.Pos), int(e.End)
		if end < start {
			end = start
		}
		if start < last || end > len(src) {
			return nil, fmt.Errorf("overlapping or out-of-range edit [%d,%d)", start, end)
		}
		out = append(out, src[last:start]...)
		out = append(out, e.NewText...)
		last = end
	}
	return append(out, src[last:]...), nil
}

func gofmt(t *testing.T, src []byte) []byte {
	t.Helper()
	out, err := format.Source(src)
	if err != nil {
		t.Fatalf("not Go source: %v\n%s", err, src)
	}
	return out
}

// setCheck rewrites the example configuration's `enabled:` line of a check.
func setCheck(t *testing.T, config, check string, enabled bool) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^(\s*` + regexp.QuoteMeta(check) + `:\n\s*enabled: )true$`)
	if !re.MatchString(config) {
		t.Fatalf("example configuration has no %q with enabled: true", check)
	}
	return re.ReplaceAllString(config, fmt.Sprintf("${1}%t", enabled))
}

// TestSettingDisablesCheck: turning a check off in the settings removes its
// findings and leaves the others alone.
func TestSettingDisablesCheck(t *testing.T) {
	dir := copyModule(t)
	addFindings(t, dir)
	report := func(config string) []string {
		t.Helper()
		writeConfig(t, dir, config)
		rep, r := lintJSON(t, dir, "./...")
		if r.code != exitFor(len(rep.Issues)) {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		var fs []string
		for _, is := range rep.Issues {
			fs = append(fs, fmt.Sprintf("%s:%d:%d: %s", is.Pos.Filename, is.Pos.Line, is.Pos.Column, is.Text))
		}
		sort.Strings(fs)
		return fs
	}
	example := exampleConfig(t)
	all := report(example)
	counts := map[string]int{}
	for _, f := range all {
		_, text, _ := strings.Cut(f, ": ")
		counts[checkOf(text)]++
	}
	// The check with the most findings.
	off := checkNames()[0]
	for _, name := range checkNames() {
		if counts[name] > counts[off] {
			off = name
		}
	}
	if counts[off] == 0 {
		t.Fatal("no findings to disable")
	}

	got := report(setCheck(t, example, off, false))
	var want []string
	for _, f := range all {
		if _, text, _ := strings.Cut(f, ": "); checkOf(text) != off {
			want = append(want, f)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("with %s disabled, got findings\n%s\nwant\n%s", off, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	t.Logf("%s: %d findings enabled, none disabled; the other checks' %d unchanged", off, counts[off], len(want))
}

// TestSettingChangesFix: an analyzer flag set in the plugin settings reaches
// the analyzer. missingtimeout's client-timeout is the duration its fix
// writes into an http.Client literal.
func TestSettingChangesFix(t *testing.T) {
	const check, option = "missingtimeout", "client-timeout"
	dir := copyModule(t)
	addFindings(t, dir)
	fixes := func(config string) map[string]string {
		writeConfig(t, dir, config)
		rep, r := lintJSON(t, dir, "./...")
		if r.code != exitFor(len(rep.Issues)) {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		m := map[string]string{}
		for _, is := range rep.Issues {
			var b strings.Builder
			for _, sf := range is.SuggestedFixes {
				for _, e := range sf.TextEdits {
					b.Write(e.NewText)
					b.WriteString("\n")
				}
			}
			m[fmt.Sprintf("%s:%d:%d: %s", is.Pos.Filename, is.Pos.Line, is.Pos.Column, is.Text)] = b.String()
		}
		return m
	}
	example := exampleConfig(t)
	before := fixes(example)
	n := 0
	for _, text := range before {
		if strings.Contains(text, "Timeout: 30 * time.Second") {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no %s fix sets an http.Client Timeout", check)
	}
	after := fixes(setOption(t, example, check, option, `"45s"`))
	if len(after) != len(before) {
		t.Fatalf("%s changed the findings: %d before, %d after", option, len(before), len(after))
	}
	for k, text := range before {
		want := strings.ReplaceAll(text, "Timeout: 30 * time.Second", "Timeout: 45 * time.Second")
		if after[k] != want {
			t.Errorf("%s with %s: 45s: fix\n%s\nwant\n%s", k, option, after[k], want)
		}
	}
	t.Logf("%s.%s: 45s changed %d fixes from 30 * time.Second to 45 * time.Second", check, option, n)
}

// TestBadSettings: a configuration error stops golangci-lint with exit code 3
// and a message naming the setting.
func TestBadSettings(t *testing.T) {
	check := checkNames()[0]
	example := exampleConfig(t)
	settingsLine := regexp.MustCompile(`(?m)^(\s*)# BEGIN resilvet settings.*$`)
	m := settingsLine.FindStringSubmatch(example)
	if m == nil {
		t.Fatal("example configuration has no settings block")
	}
	indent := m[1]
	// inject adds YAML under the plugin's settings.
	inject := func(yaml string) string {
		var b strings.Builder
		for l := range strings.SplitSeq(strings.TrimSuffix(yaml, "\n"), "\n") {
			b.WriteString(indent + l + "\n")
		}
		return settingsLine.ReplaceAllLiteralString(example, strings.TrimSuffix(b.String(), "\n")+"\n"+m[0])
	}

	type badCase struct{ name, config, want string }
	cases := []badCase{
		{"unknown check", inject("no-such-check: false"), `unknown check "no-such-check"`},
		{"unknown option", addOption(t, example, check, "no-such-option: 1"), "unknown setting " + check + ".no-such-option"},
	}
	if f := typedFlag(); f != nil {
		// golangci-lint lower-cases the keys it hands to the plugin.
		cases = append(cases, badCase{"bad value", setOption(t, example, f.check, f.name, "not-a-value"),
			fmt.Sprintf(`setting %s.%s: invalid value "not-a-value"`, f.check, strings.ToLower(f.name))})
	} else {
		t.Log("no analyzer has a typed flag yet; the plugin's unit tests cover bad values")
	}
	if a, b, name, ok := sharedFlag(); ok {
		config := setOption(t, setOption(t, example, a, name, `"x.Retry"`), b, name, `"y.Retry"`)
		cases = append(cases, badCase{"shared option, two values", config,
			fmt.Sprintf("settings %s.%s and %s.%s are one option shared by both checks", a, name, b, name)})
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeConfig(t, dir, c.config)
			r := lint(t, exampleDir, "run", "-c", filepath.Join(dir, ".golangci.yml"), "./...")
			if r.code != 3 {
				t.Errorf("exit code %d, want 3\nstderr:\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr does not name the setting (%q):\n%s", c.want, r.stderr)
			}
			t.Logf("stderr: %s", firstLine(r.stderr))
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// addOption adds a line under a check's `enabled:` line in the example.
func addOption(t *testing.T, config, check, option string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^(\s*)` + regexp.QuoteMeta(check) + `:\n(\s*)enabled: true$`)
	m := re.FindStringSubmatchIndex(config)
	if m == nil {
		t.Fatalf("example configuration has no %q block", check)
	}
	indent := config[m[4]:m[5]]
	return config[:m[1]] + "\n" + indent + option + config[m[1]:]
}

// setOption replaces the value of a check's option in the example.
func setOption(t *testing.T, config, check, option, value string) string {
	t.Helper()
	block := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(check) + `:\n`).FindStringIndex(config)
	if block == nil {
		t.Fatalf("example configuration has no %q block", check)
	}
	line := regexp.MustCompile(`(?m)^(\s+` + regexp.QuoteMeta(option) + `: ).*$`)
	m := line.FindStringSubmatchIndex(config[block[1]:])
	if m == nil {
		t.Fatalf("example configuration has no %s.%s", check, option)
	}
	at := block[1]
	return config[:at+m[3]] + value + config[at+m[1]:]
}

// sharedFlag finds an option that two checks register with one value.
func sharedFlag() (a, b, name string, ok bool) {
	type owner struct{ check, name string }
	seen := map[flag.Value]owner{}
	for _, an := range analyzers.All() {
		an.Flags.VisitAll(func(f *flag.Flag) {
			if ok || !reflect.TypeOf(f.Value).Comparable() {
				return
			}
			if o, dup := seen[f.Value]; dup && o.name == f.Name {
				a, b, name, ok = o.check, an.Name, f.Name, true
				return
			}
			seen[f.Value] = owner{an.Name, f.Name}
		})
	}
	return a, b, name, ok
}

type namedFlag struct{ check, name string }

// typedFlag finds an analyzer flag that rejects "not-a-value": a duration,
// number or bool.
func typedFlag() *namedFlag {
	for _, a := range analyzers.All() {
		var found *namedFlag
		a.Flags.VisitAll(func(f *flag.Flag) {
			g, ok := f.Value.(flag.Getter)
			if found != nil || !ok {
				return
			}
			switch g.Get().(type) {
			case time.Duration, int, int64, uint, uint64, float64, bool:
				found = &namedFlag{a.Name, f.Name}
			}
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// TestSARIF: --output.sarif.path writes a SARIF 2.1.0 log with one result
// per finding.
func TestSARIF(t *testing.T) {
	dir := copyModule(t)
	addFindings(t, dir)
	out := filepath.Join(t.TempDir(), "resilvet.sarif")
	rep, r := lintJSON(t, dir, "--output.sarif.path="+out, "./...")
	if r.code != exitFor(len(rep.Issues)) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct{ Name string } `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string                `json:"ruleId"`
				Level     string                `json:"level"`
				Message   struct{ Text string } `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }                 `json:"artifactLocation"`
						Region           struct{ StartLine, StartColumn int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("not SARIF JSON: %v\n%s", err, data)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif") || len(log.Runs) != 1 {
		t.Fatalf("not a one-run SARIF 2.1.0 log: version %q, $schema %q, %d runs", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "golangci-lint" {
		t.Errorf("tool.driver.name = %q", run.Tool.Driver.Name)
	}
	var got, want []string
	for _, res := range run.Results {
		if len(res.Locations) != 1 {
			t.Errorf("result with %d locations: %+v", len(res.Locations), res)
			continue
		}
		loc := res.Locations[0].PhysicalLocation
		got = append(got, fmt.Sprintf("%s %s:%d:%d %s", res.RuleID, loc.ArtifactLocation.URI, loc.Region.StartLine, loc.Region.StartColumn, res.Message.Text))
	}
	for _, is := range rep.Issues {
		want = append(want, fmt.Sprintf("resilvet %s:%d:%d %s", filepath.ToSlash(is.Pos.Filename), is.Pos.Line, is.Pos.Column, is.Text))
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("SARIF results\n%s\nwant (from the JSON report)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(run.Results) == 0 {
		t.Error("SARIF log has no results")
	}
	t.Logf("SARIF %s: %d results, rule ids %v", log.Version, len(run.Results), ruleIDs(got))
}

func ruleIDs(results []string) []string {
	var ids []string
	for _, r := range results {
		id, _, _ := strings.Cut(r, " ")
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// VSCodeArgs is what vscode-go runs for "go.lintTool": "golangci-lint-v2"
// with "go.lintFlags": ["--config=<file>"], in the directory of the package
// being linted.
func vscodeArgs(config string) []string {
	return []string{
		"run", "--config=" + config,
		"--issues-exit-code=0",
		"--output.text.print-issued-lines=false",
		"--show-stats=false",
		"--output.text.path=stdout",
		"--path-mode=abs",
	}
}

// vscodeLine is the line format vscode-go parses: file:line:col: message.
var vscodeLine = regexp.MustCompile(`^(/[^:]+\.go):(\d+):(\d+): (.*) \(resilvet\)$`)

// TestEditorVSCode proves the exact command line of docs/golangci-lint.md's VS Code
// set-up prints every finding as a file:line:col: message line.
func TestEditorVSCode(t *testing.T) {
	dir := copyModule(t)
	addFindings(t, dir)
	want := referenceWithExtra(t, dir)

	r := lint(t, dir, vscodeArgs(filepath.Join(dir, ".golangci.yml"))...)
	if r.code != 0 {
		t.Fatalf("exit code %d, want 0 (vscode-go treats others as a failure)\nstderr:\n%s", r.code, r.stderr)
	}
	var got []finding
	for l := range strings.SplitSeq(strings.TrimRight(r.stdout, "\n"), "\n") {
		if l == "" {
			continue
		}
		m := vscodeLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("line vscode-go cannot parse: %q", l)
			continue
		}
		file, err := filepath.Rel(dir, m[1])
		if err != nil || strings.HasPrefix(file, "..") {
			t.Errorf("path %q is not an absolute path in the module", m[1])
			continue
		}
		var line, col int
		fmt.Sscan(m[2], &line)
		fmt.Sscan(m[3], &col)
		got = append(got, finding{filepath.ToSlash(file), line, col, m[4]})
	}
	got = sortFindings(got)
	if !slices.Equal(got, want) {
		t.Errorf("VS Code command printed\n%s\nwant\n%s", lines(got), lines(want))
	}
	t.Logf("VS Code: %d diagnostics as file:line:col lines", len(got))
}

// langserverArgs is the command golangci-lint-langserver is configured with
// (Neovim, Zed, Emacs, Helix); it appends the directory of the file.
var langserverArgs = []string{"run", "--output.json.path=stdout", "--show-stats=false", "--issues-exit-code=1"}

// TestEditorLangserver proves docs/golangci-lint.md's golangci-lint-langserver command
// prints a JSON report whose Issues[].Pos.Filename the server matches against
// the open file's path relative to the workspace root, with a non-zero exit
// when there are findings (the server ignores the output on exit 0).
func TestEditorLangserver(t *testing.T) {
	dir := copyModule(t)
	addFindings(t, dir)
	want := referenceWithExtra(t, dir)

	// The server runs the command in the workspace root with the open file's
	// directory (filepath.Split of its path, so with a trailing slash).
	r := lint(t, dir, append(slices.Clone(langserverArgs), dir+string(filepath.Separator))...)
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	if want := exitFor(len(rep.Issues)); r.code != want {
		t.Errorf("exit code %d with %d issues, want %d", r.code, len(rep.Issues), want)
	}
	var got []finding
	for _, is := range rep.Issues {
		if filepath.IsAbs(is.Pos.Filename) || strings.HasPrefix(is.Pos.Filename, "..") {
			t.Errorf("Pos.Filename %q is not relative to the workspace root", is.Pos.Filename)
		}
		got = append(got, finding{filepath.ToSlash(is.Pos.Filename), is.Pos.Line, is.Pos.Column, is.Text})
	}
	got = sortFindings(got)
	if !slices.Equal(got, want) {
		t.Errorf("langserver command reported\n%s\nwant\n%s", lines(got), lines(want))
	}
	t.Logf("golangci-lint-langserver: %d issues in the JSON report", len(got))
}

// suppressed is a file in which missingtimeout flags every http.Get; the
// function names say which findings must survive golangci-lint.
const suppressed = `package antipatterns

import "net/http"

func keptNolintCheck(url string) { http.Get(url) } //nolint:missingtimeout

func droppedNolint(url string) { http.Get(url) } //nolint:resilvet

//resilvet:ignore missingtimeout probes a local sidecar that answers at once
func droppedIgnore(url string) { http.Get(url) }

func keptPlain(url string) { http.Get(url) }
`

// extra holds findings of missingtimeout, a check that has landed, so that
// a module copy has findings whatever the demo holds yet.
const extra = `package antipatterns

import "net/http"

func fetchStatus(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

var statusClient = &http.Client{}
`

func addFindings(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "zz_extra.go"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSuppression: what silences a finding under golangci-lint, as the
// docs/golangci-lint.md says, and per-check severity through a text rule.
func TestSuppression(t *testing.T) {
	dir := copyModule(t)
	if err := os.WriteFile(filepath.Join(dir, "zz_suppressed.go"), []byte(suppressed), 0o644); err != nil {
		t.Fatal(err)
	}
	config := strings.Replace(exampleConfig(t), "\nissues:\n", `
severity:
  default: error
  rules:
    - linters: [resilvet]
      text: "^missingtimeout:"
      severity: warning

issues:
`, 1)
	writeConfig(t, dir, config)
	rep, r := lintJSON(t, dir, "./...")
	if r.code != exitFor(len(rep.Issues)) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	src := strings.Split(suppressed, "\n")
	var got []string
	for _, is := range rep.Issues {
		if is.Pos.Filename != "zz_suppressed.go" {
			continue
		}
		if want := "warning"; is.Severity != want {
			t.Errorf("line %d: severity %q, want %q", is.Pos.Line, is.Severity, want)
		}
		fn := strings.Fields(src[is.Pos.Line-1])[1]
		got = append(got, fn[:strings.Index(fn, "(")])
	}
	sort.Strings(got)
	if want := []string{"keptNolintCheck", "keptPlain"}; !slices.Equal(got, want) {
		t.Errorf("findings in functions %v, want %v", got, want)
	}
	if !strings.Contains(r.stderr, "unknown linters in //nolint directives: missingtimeout") {
		t.Errorf("no warning about //nolint:missingtimeout on stderr:\n%s", r.stderr)
	}
}

// TestCIGating runs docs/ci.md's commands on a copy of the demo module:
// go vet -vettool exits 1 on findings, resilvet exits 3, and a baseline
// written today lets only new findings fail, in the text and SARIF output.
func TestCIGating(t *testing.T) {
	resilvet := filepath.Join(scratch, "resilvet")
	build := exec.Command("go", "build", "-o", resilvet, "./cmd/resilvet")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building resilvet: %v\n%s", err, out)
	}
	dir := copyModule(t)
	run := func(name string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		code := 0
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		t.Logf("$ %s %s  # exit %d", filepath.Base(name), strings.Join(args, " "), code)
		return string(out), code
	}

	const base = ".resilvet-baseline.json"
	if out, code := run(resilvet, "-baseline", base, "-baseline-write", "./..."); code != 0 {
		t.Fatalf("-baseline-write: exit %d\n%s", code, out)
	}
	if out, code := run(resilvet, "-baseline", base, "./..."); code != 0 {
		t.Fatalf("with today's baseline: exit %d, want 0\n%s", code, out)
	}

	// A new finding.
	if err := os.WriteFile(filepath.Join(dir, "zz_new.go"), []byte(suppressed), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := run(resilvet, "-baseline", base, "-sarif", "resilvet.sarif", "./...")
	if code != 3 {
		t.Errorf("new finding against the baseline: exit %d, want 3\n%s", code, out)
	}
	for l := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, "zz_new.go:") {
			t.Errorf("against the baseline, a finding outside the new file: %s", l)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "resilvet.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("resilvet.sarif: %v, %d runs", err, len(log.Runs))
	}
	// //nolint means nothing to resilvet: only the //resilvet:ignore'd
	// call of the four is silenced.
	var uris []string
	for _, res := range log.Runs[0].Results {
		uris = append(uris, res.RuleID+" "+res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	}
	if want := []string{"missingtimeout zz_new.go", "missingtimeout zz_new.go", "missingtimeout zz_new.go"}; !slices.Equal(uris, want) {
		t.Errorf("SARIF results against the baseline: %v, want %v", uris, want)
	}

	if out, code := run("go", "vet", "-vettool="+resilvet, "./..."); code != 1 || !strings.Contains(out, "zz_new.go") {
		t.Errorf("go vet -vettool: exit %d, want 1 with the new finding\n%s", code, out)
	}
}
