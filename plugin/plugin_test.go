package plugin

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers"
)

// fakeSuite returns analyzers with one flag of each common kind, fresh for
// every test so that tests cannot leak flag values into each other.
type fakeFlags struct {
	header  string
	timeout time.Duration
	limit   int
	strict  bool
	helpers string
}

func fakeSuite() ([]*analysis.Analyzer, *fakeFlags) {
	v := &fakeFlags{}
	alpha := &analysis.Analyzer{Name: "alpha", Doc: "alpha: reports alphas"}
	alpha.Flags.StringVar(&v.header, "header", "Idempotency-Key", "header that carries the key")
	alpha.Flags.DurationVar(&v.timeout, "clientTimeout", 30*time.Second, "timeout for fixes")
	alpha.Flags.IntVar(&v.limit, "limit", 3, "attempt limit")
	beta := &analysis.Analyzer{Name: "beta", Doc: "beta: reports betas"}
	beta.Flags.BoolVar(&v.strict, "strict", false, "report more")
	beta.Flags.StringVar(&v.helpers, "helpers", "a.Retry", "comma-separated retry helpers")
	beta.Flags.Func("mode", "a value with its own parser", func(s string) error {
		if s != "fast" && s != "" {
			return fmt.Errorf("mode %q is not fast", s)
		}
		return nil
	})
	// gamma shares beta's helpers, as checks built on one model do.
	gamma := &analysis.Analyzer{Name: "gamma", Doc: "gamma: shares an option"}
	gamma.Flags.Var(beta.Flags.Lookup("helpers").Value, "helpers", "comma-separated retry helpers")
	return []*analysis.Analyzer{alpha, beta, gamma}, v
}

func analyzerNames(as []*analysis.Analyzer) []string {
	var ns []string
	for _, a := range as {
		ns = append(ns, a.Name)
	}
	return ns
}

func TestConfigureDefaults(t *testing.T) {
	for _, settings := range []any{nil, map[string]any{}, map[string]any{"alpha": nil}} {
		suite, v := fakeSuite()
		got, err := Configure(suite, settings)
		if err != nil {
			t.Fatalf("Configure(%v): %v", settings, err)
		}
		if want := []string{"alpha", "beta", "gamma"}; !slices.Equal(analyzerNames(got), want) {
			t.Errorf("Configure(%v) enabled %v, want %v", settings, analyzerNames(got), want)
		}
		if *v != (fakeFlags{"Idempotency-Key", 30 * time.Second, 3, false, "a.Retry"}) {
			t.Errorf("Configure(%v) changed flags: %+v", settings, *v)
		}
	}
}

func TestConfigureEnable(t *testing.T) {
	tests := []struct {
		settings map[string]any
		want     []string
	}{
		{map[string]any{"beta": false}, []string{"alpha", "gamma"}},
		{map[string]any{"beta": true}, []string{"alpha", "beta", "gamma"}},
		{map[string]any{"alpha": map[string]any{"enabled": false}, "gamma": false}, []string{"beta"}},
		{map[string]any{"alpha": map[string]any{"Enabled": true, "limit": 5}}, []string{"alpha", "beta", "gamma"}},
		{map[string]any{"alpha": false, "beta": false, "gamma": false}, nil},
	}
	for _, tt := range tests {
		suite, _ := fakeSuite()
		got, err := Configure(suite, tt.settings)
		if err != nil {
			t.Fatalf("Configure(%v): %v", tt.settings, err)
		}
		if !slices.Equal(analyzerNames(got), tt.want) {
			t.Errorf("Configure(%v) enabled %v, want %v", tt.settings, analyzerNames(got), tt.want)
		}
	}
}

func TestConfigureFlags(t *testing.T) {
	suite, v := fakeSuite()
	// The shapes golangci-lint hands over: keys lower-cased by its config
	// loader, YAML ints, bools and lists.
	settings := map[string]any{
		"alpha": map[string]any{
			"header":        "X-Request-Key",
			"clienttimeout": "5s",
			"limit":         7,
		},
		"beta": map[string]any{
			"strict":  true,
			"helpers": []any{"x.Do", "y.Retry"},
		},
	}
	if _, err := Configure(suite, settings); err != nil {
		t.Fatal(err)
	}
	want := fakeFlags{"X-Request-Key", 5 * time.Second, 7, true, "x.Do,y.Retry"}
	if *v != want {
		t.Errorf("flags = %+v, want %+v", *v, want)
	}

	// A shared option set through either check, or both alike.
	for _, settings := range []map[string]any{
		{"gamma": map[string]any{"helpers": "z.Do"}},
		{"beta": map[string]any{"helpers": "z.Do"}, "gamma": map[string]any{"helpers": "z.Do"}},
	} {
		if _, err := Configure(suite, settings); err != nil {
			t.Fatal(err)
		}
		if v.helpers != "z.Do" {
			t.Errorf("Configure(%v): helpers = %q, want z.Do", settings, v.helpers)
		}
	}

	// A later configuration depends only on its own settings.
	if _, err := Configure(suite, map[string]any{"beta": map[string]any{"strict": "true"}}); err != nil {
		t.Fatal(err)
	}
	want = fakeFlags{"Idempotency-Key", 30 * time.Second, 3, true, "a.Retry"}
	if *v != want {
		t.Errorf("after reconfiguring, flags = %+v, want %+v", *v, want)
	}
}

func TestConfigureErrors(t *testing.T) {
	tests := []struct {
		settings any
		want     []string // substrings of the error
	}{
		{map[string]any{"alhpa": false}, []string{`unknown check "alhpa"`, "known checks: alpha, beta, gamma"}},
		{map[string]any{"alpha": map[string]any{"headr": "X"}}, []string{"unknown setting alpha.headr", "alpha accepts: enabled, clientTimeout, header, limit"}},
		{map[string]any{"gamma": map[string]any{"limit": 1}}, []string{"unknown setting gamma.limit", "gamma accepts: enabled, helpers"}},
		{map[string]any{"beta": map[string]any{"helpers": "x.Do"}, "gamma": map[string]any{"helpers": "y.Do"}},
			[]string{"settings beta.helpers and gamma.helpers are one option shared by both checks; give them the same value"}},
		{map[string]any{"alpha": map[string]any{"clienttimeout": "soon"}}, []string{"setting alpha.clienttimeout", `invalid value "soon" (want a duration such as 30s)`}},
		{map[string]any{"alpha": map[string]any{"clienttimeout": 30}}, []string{"setting alpha.clienttimeout", `invalid value "30" (want a duration such as 30s)`}},
		{map[string]any{"alpha": map[string]any{"limit": "many"}}, []string{"setting alpha.limit", `invalid value "many" (want an integer)`}},
		{map[string]any{"beta": map[string]any{"strict": "maybe"}}, []string{"setting beta.strict", `invalid value "maybe" (want true or false)`}},
		{map[string]any{"beta": map[string]any{"mode": "slow"}}, []string{`setting beta.mode: invalid value "slow": mode "slow" is not fast`}},
		{map[string]any{"alpha": map[string]any{"enabled": "no"}}, []string{`setting alpha.enabled must be true or false, not "no"`}},
		{map[string]any{"alpha": "off"}, []string{`setting alpha must be true, false or a map of its options, not "off"`}},
		{map[string]any{"alpha": map[string]any{"header": nil}}, []string{"setting alpha.header: no value given"}},
		{map[string]any{"alpha": map[string]any{"header": map[string]any{"a": 1}}}, []string{"setting alpha.header", "not a map"}},
		{[]any{"alpha"}, []string{"resilvet: settings: decoding settings"}},
	}
	for _, tt := range tests {
		suite, v := fakeSuite()
		_, err := Configure(suite, tt.settings)
		if err == nil {
			t.Errorf("Configure(%v) succeeded, want an error", tt.settings)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Configure(%v) error %q does not contain %q", tt.settings, err, w)
			}
		}
		if *v != (fakeFlags{"Idempotency-Key", 30 * time.Second, 3, false, "a.Retry"}) {
			t.Errorf("Configure(%v) failed but changed flags: %+v", tt.settings, *v)
		}
	}
}

// A value that fails to parse after others were applied undoes them all.
func TestConfigureRollsBack(t *testing.T) {
	suite, v := fakeSuite()
	if _, err := Configure(suite, map[string]any{"beta": map[string]any{"helpers": "z.Retry"}}); err != nil {
		t.Fatal(err)
	}
	// Keys apply in sorted order: alpha.header and alpha.limit go in before
	// beta.strict fails; beta.helpers was reset to its default on the way.
	_, err := Configure(suite, map[string]any{
		"alpha": map[string]any{"header": "K", "limit": 9},
		"beta":  map[string]any{"strict": "sometimes"},
	})
	if err == nil || !strings.Contains(err.Error(), "beta.strict") {
		t.Fatalf("err = %v, want an error naming beta.strict", err)
	}
	if want := (fakeFlags{"Idempotency-Key", 30 * time.Second, 3, false, "z.Retry"}); *v != want {
		t.Errorf("after a failed Configure, flags = %+v, want the previous %+v", *v, want)
	}
}

func TestConfigureConcurrent(t *testing.T) {
	suite, v := fakeSuite()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := Configure(suite, map[string]any{"alpha": map[string]any{"limit": i}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if v.limit < 0 || v.limit > 7 {
		t.Errorf("limit = %d, want one of the configured values", v.limit)
	}
}

// The registered plugin serves the whole suite, in the suite's order.
func TestRegisteredPlugin(t *testing.T) {
	newPlugin, err := register.GetPlugin(Name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.GetLoadMode() != register.LoadModeTypesInfo {
		t.Errorf("load mode %q, want %q", p.GetLoadMode(), register.LoadModeTypesInfo)
	}
	got, err := p.BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	if want := analyzers.All(); !slices.Equal(got, want) {
		t.Errorf("BuildAnalyzers() = %v, want analyzers.All() = %v", analyzerNames(got), analyzerNames(want))
	}

	first := analyzers.All()[0].Name
	p, err = newPlugin(map[string]any{first: map[string]any{"enabled": false}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = p.BuildAnalyzers()
	if slices.Contains(analyzerNames(got), first) || len(got) != len(analyzers.All())-1 {
		t.Errorf("with %s disabled, BuildAnalyzers() = %v", first, analyzerNames(got))
	}

	if _, err := newPlugin(map[string]any{first: map[string]any{"no-such-option": 1}}); err == nil ||
		!strings.Contains(err.Error(), fmt.Sprintf("unknown setting %s.no-such-option", first)) {
		t.Errorf("unknown option: err = %v", err)
	}
}

// The real suite's flags must be reachable through settings: golangci-lint
// lower-cases keys and nests dotted ones, and "enabled" is the plugin's own key.
func TestSuiteFlagsAreConfigurable(t *testing.T) {
	for _, a := range analyzers.All() {
		if a.Name != strings.ToLower(a.Name) {
			t.Errorf("analyzer %q: name must be lower case to be a settings key", a.Name)
		}
		seen := map[string]string{}
		a.Flags.VisitAll(func(f *flag.Flag) {
			k := strings.ToLower(f.Name)
			if k == EnabledKey {
				t.Errorf("%s: flag %q clashes with the plugin's %q setting", a.Name, f.Name, EnabledKey)
			}
			if strings.Contains(f.Name, ".") {
				t.Errorf("%s: flag %q has a dot; golangci-lint's config loader splits keys at dots", a.Name, f.Name)
			}
			if other, ok := seen[k]; ok {
				t.Errorf("%s: flags %q and %q differ only in case; golangci-lint settings cannot tell them apart", a.Name, other, f.Name)
			}
			seen[k] = f.Name
			// Defaults must survive the reset that Configure performs.
			if err := f.Value.Set(f.DefValue); err != nil {
				t.Errorf("%s.%s: default %q does not parse: %v", a.Name, f.Name, f.DefValue, err)
			}
		})
	}
}
