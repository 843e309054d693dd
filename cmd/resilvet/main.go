// Command resilvet runs the resilvet analyzers.
//
// It works two ways. Under go vet:
//
//	go vet -vettool=$(which resilvet) ./...
//
// and on its own, with fixes, diffs, JSON, SARIF and baselines:
//
//	resilvet [flags] [packages]
//
// and as a language server for editors, beside gopls (docs/editors.md):
//
//	resilvet lsp
//
// Run resilvet -help for the flags and exit codes.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/resilvet/resilvet/analyzers"
)

// Exit codes of the standalone mode (go vet keeps its own: 1 on findings).
const (
	exitClean    = 0
	exitError    = 1
	exitFindings = 3
)

func main() {
	if isVetInvocation(os.Args[1:]) {
		// unitchecker parses vet's flags and exits itself.
		unitchecker.Main(recovering(analyzers.All())...)
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "lsp" {
		os.Exit(runLSP(os.Args[2:], analyzers.All(), os.Stderr))
	}
	os.Exit(run(os.Args[1:], analyzers.All(), os.Stdout, os.Stderr))
}

// isVetInvocation reports whether the arguments are those go vet passes to a
// -vettool: a version or flags query, or a single unit .cfg file last.
func isVetInvocation(args []string) bool {
	for _, a := range args {
		switch strings.TrimPrefix(a, "-") {
		case "V=full", "-V=full", "flags", "-flags":
			return true
		}
	}
	return len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg")
}

// options holds the standalone mode's command line.
type options struct {
	dir        string
	tests      bool
	fix        bool
	diff       bool
	format     string
	sarifFile  string
	baseline   string
	writeBase  bool
	analyzers  []*analysis.Analyzer
	patterns   []string
	wantHelp   bool
	helpOutput string
}

const usageHead = `resilvet finds resilience anti-patterns in Go code.

Usage:
  go vet -vettool=$(which resilvet) [vet flags] [packages]
  resilvet [flags] [packages]          (default packages: ./...)
  resilvet lsp                         language server on stdio (a package
                                       named lsp is written ./lsp)

Exit codes (standalone):
  0  no findings
  3  findings (also with -json, -format=sarif, -sarif and -diff)
  1  error: bad flag, no go.mod, no matching package, a package that does not
     parse or type-check (reported as file:line:col: message; the other
     packages are still analysed)
  With -fix: 0 when every finding was fixed, 3 when findings remain (no fix,
  or a fix that conflicted with another), 1 on error.
  With -baseline-write: 0 once the baseline is written, 1 on error.
Under go vet, go vet exits 1 on findings.

Flags:
`

// parseFlags parses the standalone command line. Every analyzer gets an
// enable flag -NAME and its own flags as -NAME.FLAG, as in multichecker.
func parseFlags(args []string, all []*analysis.Analyzer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("resilvet", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.dir, "C", "", "change to `dir` before running, like go -C")
	fs.BoolVar(&o.tests, "test", true, "also analyse test files")
	fs.BoolVar(&o.fix, "fix", false, "apply suggested fixes to the files")
	fs.BoolVar(&o.diff, "diff", false, "print the suggested fixes as a unified diff; write nothing")
	jsonOut := fs.Bool("json", false, "print findings as JSON, like go vet -json (same as -format=json)")
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json or sarif")
	fs.StringVar(&o.sarifFile, "sarif", "", "also write a SARIF 2.1.0 log to `file`")
	fs.StringVar(&o.baseline, "baseline", "", "report only findings not accepted in the baseline `file`")
	fs.BoolVar(&o.writeBase, "baseline-write", false, "write all current findings to the -baseline file and exit 0")
	version := fs.String("V", "", "print the version and exit (-V=full, as go vet asks)")
	fs.Bool("flags", false, "print the analyzer flags as JSON and exit (for go vet)")

	enabled := make(map[*analysis.Analyzer]*triState)
	for _, a := range all {
		ts := new(triState)
		enabled[a] = ts
		fs.Var(ts, a.Name, "enable the "+a.Name+" check")
		a.Flags.VisitAll(func(f *flag.Flag) {
			fs.Var(f.Value, a.Name+"."+f.Name, f.Usage)
		})
	}

	var help strings.Builder
	help.WriteString(usageHead)
	fs.SetOutput(&help)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	o.helpOutput = help.String()

	if len(args) == 1 && args[0] == "help" {
		args = []string{"-help"} // as go vet's tools accept
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			o.wantHelp = true
			return o, nil
		}
		return nil, fmt.Errorf("%v (run resilvet -help for usage)", err)
	}
	if *version != "" {
		return nil, fmt.Errorf("unsupported flag value -V=%s (use -V=full)", *version)
	}
	if *jsonOut {
		o.format = "json"
	}
	switch o.format {
	case "text", "json", "sarif":
	default:
		return nil, fmt.Errorf("unknown -format %q: use text, json or sarif", o.format)
	}
	if o.writeBase && o.baseline == "" {
		return nil, errors.New("-baseline-write needs -baseline FILE")
	}
	if o.writeBase && (o.fix || o.diff) {
		return nil, errors.New("-baseline-write cannot be combined with -fix or -diff")
	}
	o.analyzers = selectAnalyzers(all, enabled)
	if len(o.analyzers) == 0 {
		return nil, errors.New("every check is disabled")
	}
	o.patterns = fs.Args()
	if len(o.patterns) == 0 {
		o.patterns = []string{"./..."}
	}
	return o, nil
}

// selectAnalyzers follows vet: if any -NAME is true, run only those;
// otherwise run all but those set to false.
func selectAnalyzers(all []*analysis.Analyzer, enabled map[*analysis.Analyzer]*triState) []*analysis.Analyzer {
	anyTrue := false
	for _, ts := range enabled {
		anyTrue = anyTrue || *ts == setTrue
	}
	var keep []*analysis.Analyzer
	for _, a := range all {
		ts := *enabled[a]
		if (anyTrue && ts == setTrue) || (!anyTrue && ts != setFalse) {
			keep = append(keep, a)
		}
	}
	return keep
}

// triState is a boolean flag that knows whether it was set.
type triState int

const (
	unset triState = iota
	setTrue
	setFalse
)

func (ts *triState) IsBoolFlag() bool { return true }

func (ts *triState) String() string {
	if ts != nil && *ts == setFalse {
		return "false"
	}
	return "true"
}

func (ts *triState) Set(v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("want true or false")
	}
	*ts = setFalse
	if b {
		*ts = setTrue
	}
	return nil
}

// run is the standalone driver; it returns the exit code.
func run(args []string, all []*analysis.Analyzer, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "resilvet: %v\n", err)
		return exitError
	}
	o, err := parseFlags(args, all)
	if err != nil {
		return fail(err)
	}
	if o.wantHelp {
		fmt.Fprint(stdout, o.helpOutput)
		return exitClean
	}
	if o.dir != "" {
		if err := os.Chdir(o.dir); err != nil {
			return fail(fmt.Errorf("-C: %v", err))
		}
	}

	res, err := analyze(o.analyzers, o.patterns, o.tests)
	if err != nil {
		return fail(err)
	}
	for _, e := range res.Errors {
		fmt.Fprintln(stderr, e)
	}
	code := exitClean
	if len(res.Errors) > 0 {
		code = exitError
	}

	findings := res.Findings
	if o.baseline != "" {
		if o.writeBase {
			n, err := writeBaseline(o.baseline, res, findings)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(stderr, "resilvet: wrote %d findings to baseline %s\n", n, o.baseline)
			return code
		}
		base, err := readBaseline(o.baseline)
		if err != nil {
			return fail(err)
		}
		findings = base.filter(res, findings)
	}

	switch {
	case o.diff:
		plan := planFixes(res, findings)
		reportSkipped(stderr, plan)
		if err := printDiffs(stdout, plan); err != nil {
			return fail(err)
		}
	case o.fix:
		plan := planFixes(res, findings)
		reportSkipped(stderr, plan)
		written, err := writeFixes(plan)
		if err != nil {
			return fail(err)
		}
		findings = plan.Unfixed(findings)
		fmt.Fprintf(stderr, "resilvet: applied %d fixes to %d files; %d findings remain\n",
			plan.AppliedCount(), written, len(findings))
		fallthrough
	default:
		if err := printFindings(stdout, o.format, res, findings); err != nil {
			return fail(err)
		}
	}
	if o.sarifFile != "" {
		if err := writeSARIFFile(o.sarifFile, res, findings); err != nil {
			return fail(err)
		}
	}
	if code == exitClean && len(findings) > 0 {
		code = exitFindings
	}
	return code
}

// printFindings prints the findings in the chosen format.
func printFindings(w io.Writer, format string, res *result, findings []*finding) error {
	switch format {
	case "json":
		return printJSON(w, res, findings)
	case "sarif":
		return printSARIF(w, res, findings)
	}
	return printText(w, res, findings)
}

func writeSARIFFile(name string, res *result, findings []*finding) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := printSARIF(f, res, findings); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
