// Package ignore implements the //resilvet:ignore directive shared by every
// resilvet analyzer.
//
// A directive silences the findings of the named analyzers on its own line
// and on the line below it:
//
//	//resilvet:ignore ctxbackground the worker outlives the request on purpose
//	ctx := context.Background()
//
// Several analyzers may be named with commas ("ctxbackground,missingtimeout").
// A directive must give a reason; one without a reason silences nothing and is
// itself reported, so that every exception in a code base is explained.
//
// The Reporter also drops every finding in an internal package that only the
// module's tests import (match.OnlyTestsImport): its clients and loops serve
// test runs, whatever its path is called.
//
// Another linter's directive that names the same rule counts too: a
// "#nosec G112" on a server literal silences missingtimeout there, since the
// maintainers have judged that finding already (see peerRules).
//
// Because analyzers apply the directive themselves, it works the same under
// go vet, the standalone driver and golangci-lint.
package ignore

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// Prefix starts every directive.
const Prefix = "//resilvet:ignore"

// Reporter filters the diagnostics of one analyzer pass through the
// package's directives. Create it with New at most once per pass.
type Reporter struct {
	pass *analysis.Pass
	// silenced holds file:line keys covered by a directive with a reason.
	silenced map[lineKey]bool
	// testOnly caches match.OnlyTestsImport: 0 not asked yet, 1 yes, -1 no.
	testOnly int8
}

type lineKey struct {
	file string
	line int
}

// New scans the pass's files for directives naming pass.Analyzer, reports
// those without a reason, and returns a Reporter that drops silenced findings.
func New(pass *analysis.Pass) *Reporter {
	r := &Reporter{pass: pass}
	name := pass.Analyzer.Name
	for _, f := range pass.Files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if peerDirective(name, c.Text) {
					r.silence(pass.Fset.Position(c.Pos()))
					continue
				}
				names, reason, ok := Parse(c.Text)
				if !ok || !slices.Contains(names, name) && !slices.Contains(names, "all") {
					continue
				}
				if reason == "" {
					pass.Report(analysis.Diagnostic{
						Pos:     c.Pos(),
						End:     c.End(),
						Message: fmt.Sprintf("resilvet:ignore directive for %s has no reason; add why the finding is safe to ignore", name),
					})
					continue
				}
				r.silence(pass.Fset.Position(c.Pos()))
			}
		}
	}
	return r
}

// silence covers the line of a directive and the line below it.
func (r *Reporter) silence(pos token.Position) {
	if r.silenced == nil {
		r.silenced = make(map[lineKey]bool)
	}
	r.silenced[lineKey{pos.Filename, pos.Line}] = true
	r.silenced[lineKey{pos.Filename, pos.Line + 1}] = true
}

// peerRules are the rules of other linters that report what a resilvet
// check reports, by check: gosec's G112 (a server without
// ReadHeaderTimeout) and G114 (a serve function that cannot set timeouts)
// are missingtimeout's server findings.
var peerRules = map[string][]string{
	"missingtimeout": {"G112", "G114"},
}

// peerDirective reports whether a comment is another linter's directive
// that already silences, with the same rule, what check would report: the
// maintainers have judged that finding once ("#nosec G112 -- not exposed").
// A bare "#nosec" names no rule and silences nothing here.
func peerDirective(check, text string) bool {
	rules := peerRules[check]
	if len(rules) == 0 {
		return false
	}
	_, rest, ok := strings.Cut(text, "#nosec")
	if !ok {
		return false
	}
	rest, _, _ = strings.Cut(rest, "--")
	for _, f := range strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		if slices.Contains(rules, f) {
			return true
		}
	}
	return false
}

// Parse splits a comment's text into the analyzer names and the reason of a
// directive. ok is false when the comment is not a directive.
func Parse(text string) (names []string, reason string, ok bool) {
	rest, found := strings.CutPrefix(text, Prefix)
	if !found || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return nil, "", false
	}
	// A trailing comment ("// want ..." in fixtures) is not part of the reason.
	rest, _, _ = strings.Cut(rest, "//")
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return nil, "", true
	}
	for n := range strings.SplitSeq(fields[0], ",") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names, strings.Join(fields[1:], " "), true
}

// Silenced reports whether a finding at pos is covered by a directive.
func (r *Reporter) Silenced(pos token.Pos) bool {
	if r.silenced == nil || !pos.IsValid() {
		return false
	}
	p := r.pass.Fset.Position(pos)
	return r.silenced[lineKey{p.Filename, p.Line}]
}

// Report reports d unless a directive silences it or the package is test
// support that only tests import.
func (r *Reporter) Report(d analysis.Diagnostic) {
	if r.Silenced(d.Pos) {
		return
	}
	if r.testOnly == 0 {
		r.testOnly = -1
		if match.OnlyTestsImport(r.pass) {
			r.testOnly = 1
		}
	}
	if r.testOnly < 0 {
		r.pass.Report(d)
	}
}

// Reportf is the formatted form of Report for a diagnostic spanning node n.
func (r *Reporter) Reportf(n ast.Node, format string, args ...any) {
	r.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Message: fmt.Sprintf(format, args...)})
}
