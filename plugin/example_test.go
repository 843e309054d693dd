package plugin

import (
	"flag"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/resilvet/resilvet/analyzers"
)

var update = flag.Bool("update", false, "rewrite the settings block of ../.golangci.example.yml")

const (
	exampleFile  = "../.golangci.example.yml"
	beginMarker  = "# BEGIN resilvet settings"
	endMarker    = "# END resilvet settings"
	refreshUsage = "go test ./plugin -run TestExampleConfig -update"
)

// TestExampleConfig keeps .golangci.example.yml showing every check and
// every analyzer flag at its default: the block between the markers is
// generated from analyzers.All().
func TestExampleConfig(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	begin := strings.Index(text, beginMarker)
	end := strings.Index(text, endMarker)
	if begin < 0 || end < begin {
		t.Fatalf("%s: no %q ... %q block", exampleFile, beginMarker, endMarker)
	}
	// The block starts at the marker line's indentation.
	lineStart := strings.LastIndex(text[:begin], "\n") + 1
	indent := text[lineStart:begin]
	endLine := end + strings.Index(text[end:], "\n") + 1
	want := settingsBlock(indent)
	got := text[lineStart:endLine]
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(exampleFile, []byte(text[:lineStart]+want+text[endLine:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s does not show the current checks and flags; run\n\t%s\ngot:\n%s\nwant:\n%s", exampleFile, refreshUsage, got, want)
}

// settingsBlock renders the plugin settings with every value at its default.
func settingsBlock(indent string) string {
	var b strings.Builder
	line := func(depth int, s string) {
		b.WriteString(indent + strings.Repeat("  ", depth) + s + "\n")
	}
	line(0, beginMarker+" (generated from analyzers.All(); refresh with: "+refreshUsage+")")
	// Which checks register each option: some share one (a shared model's).
	owners := map[flag.Value][]string{}
	for _, a := range analyzers.All() {
		a.Flags.VisitAll(func(f *flag.Flag) {
			if reflect.TypeOf(f.Value).Comparable() {
				owners[f.Value] = append(owners[f.Value], a.Name)
			}
		})
	}
	for _, a := range analyzers.All() {
		line(0, "# docs/checks.md#"+a.Name)
		line(0, a.Name+":")
		line(1, EnabledKey+": true")
		a.Flags.VisitAll(func(f *flag.Flag) {
			for u := range strings.SplitSeq(f.Usage, "\n") {
				line(1, strings.TrimRight("# "+u, " "))
			}
			if reflect.TypeOf(f.Value).Comparable() && len(owners[f.Value]) > 1 {
				others := slices.DeleteFunc(slices.Clone(owners[f.Value]), func(n string) bool { return n == a.Name })
				var shared []string
				for _, o := range others {
					shared = append(shared, o+"."+f.Name)
				}
				all := "both"
				if len(others) > 1 {
					all = "all"
				}
				line(1, "# (shared with "+strings.Join(shared, ", ")+": set one of them, or "+all+" alike)")
			}
			line(1, f.Name+": "+yamlValue(f))
		})
	}
	line(0, endMarker)
	return b.String()
}

var plainInt = regexp.MustCompile(`^(0|-?[1-9][0-9]*)$`)

// yamlValue writes a flag's default so that the plugin reads back the same
// string: bools and plain integers bare, everything else double-quoted.
func yamlValue(f *flag.Flag) string {
	if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
		if v, err := strconv.ParseBool(f.DefValue); err == nil {
			return strconv.FormatBool(v)
		}
	}
	if plainInt.MatchString(f.DefValue) {
		return f.DefValue
	}
	return strconv.Quote(f.DefValue)
}
