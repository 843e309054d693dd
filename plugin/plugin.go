// Package plugin registers resilvet as a golangci-lint v2 module plugin.
//
// All checks run as one golangci-lint linter named "resilvet"; golangci-lint
// prefixes each message with the check's name ("ctxbackground: ..."). The
// plugin's settings map onto the analyzers' own flags, the same flags that
// the resilvet binary and go vet -vettool accept:
//
//	linters:
//	  settings:
//	    custom:
//	      resilvet:
//	        type: module
//	        settings:
//	          lockupgrade: false          # disable one check
//	          missingtimeout:
//	            enabled: true
//	            <flag name>: <value>      # any flag of that analyzer
//
// The list of checks and their options comes from analyzers.All(), so a check
// or a flag added later is configurable here with no change to this package.
//
// The analyzers are package-level values, so their flags are process-wide:
// golangci-lint builds the plugin once per run, and Configure sets every flag
// (named ones to their setting, the rest to their default) under a lock,
// all or nothing.
package plugin

import (
	"errors"
	"flag"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers"
)

// Name is the linter's name in golangci-lint: the key under
// linters.settings.custom, in linters.enable and in //nolint comments.
const Name = "resilvet"

// EnabledKey is the per-check setting that turns a check on or off.
const EnabledKey = "enabled"

func init() {
	register.Plugin(Name, New)
}

// New is the plugin's constructor, called by golangci-lint with the raw
// settings of linters.settings.custom.resilvet.settings.
func New(settings any) (register.LinterPlugin, error) {
	as, err := Configure(analyzers.All(), settings)
	if err != nil {
		return nil, err
	}
	return &linterPlugin{analyzers: as}, nil
}

type linterPlugin struct {
	analyzers []*analysis.Analyzer
}

func (p *linterPlugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return p.analyzers, nil
}

// GetLoadMode asks for type information: the checks need types, and some SSA.
func (p *linterPlugin) GetLoadMode() string { return register.LoadModeTypesInfo }

// flagsMu serialises changes to the analyzers' flags: they are package-level
// singletons shared by every user of the analyzers in the process.
var flagsMu sync.Mutex

// Configure applies settings to the flags of suite and returns the enabled
// analyzers in suite order. Every key is checked before any flag changes,
// and a value that fails to parse rolls back the flags already set, so an
// error leaves the flags as they were. Flags not named in settings are
// reset to their defaults, so the result depends only on settings, not on an
// earlier call.
func Configure(suite []*analysis.Analyzer, settings any) ([]*analysis.Analyzer, error) {
	raw, err := register.DecodeSettings[map[string]any](settings)
	if err != nil {
		return nil, fmt.Errorf("%s: settings: %w", Name, err)
	}
	byName := make(map[string]*analysis.Analyzer, len(suite))
	for _, a := range suite {
		byName[a.Name] = a
	}

	disabled := make(map[*analysis.Analyzer]bool)
	type change struct {
		key   string // settings path, for errors
		flag  *flag.Flag
		value string
	}
	var changes []change
	for _, name := range sortedKeys(raw) {
		a, ok := byName[strings.ToLower(name)]
		if !ok {
			return nil, fmt.Errorf("%s: unknown check %q in settings; known checks: %s", Name, name, strings.Join(names(suite), ", "))
		}
		switch v := raw[name].(type) {
		case bool:
			disabled[a] = !v
		case map[string]any:
			for _, key := range sortedKeys(v) {
				path := name + "." + key
				if strings.EqualFold(key, EnabledKey) {
					on, ok := v[key].(bool)
					if !ok {
						return nil, fmt.Errorf("%s: setting %s must be true or false, not %s", Name, path, describe(v[key]))
					}
					disabled[a] = !on
					continue
				}
				f := lookupFlag(a, key)
				if f == nil {
					return nil, fmt.Errorf("%s: unknown setting %s; %s", Name, path, optionsOf(a))
				}
				s, err := flagValue(v[key])
				if err != nil {
					return nil, fmt.Errorf("%s: setting %s: %w", Name, path, err)
				}
				changes = append(changes, change{path, f, s})
			}
		case nil:
			// "check:" with nothing under it keeps the defaults.
		default:
			return nil, fmt.Errorf("%s: setting %s must be true, false or a map of its options, not %s", Name, name, describe(v))
		}
	}

	// Checks may share one option (a flag.Value registered by several
	// analyzers, like a shared model's): it has one value.
	shared := map[flag.Value]change{}
	for _, c := range changes {
		v := c.flag.Value
		if !reflect.TypeOf(v).Comparable() {
			continue
		}
		if prev, ok := shared[v]; ok && prev.value != c.value {
			return nil, fmt.Errorf("%s: settings %s and %s are one option shared by both checks; give them the same value", Name, prev.key, c.key)
		}
		shared[v] = c
	}

	flagsMu.Lock()
	defer flagsMu.Unlock()

	// Undo log: the value each flag had before this call.
	type saved struct {
		flag *flag.Flag
		prev string
	}
	var undo []saved
	rollback := func() {
		for _, s := range slices.Backward(undo) {
			_ = s.flag.Value.Set(s.prev)
		}
	}
	set := func(f *flag.Flag, value string) error {
		// Saved before Set: the standard flag values overwrite themselves
		// with a zero value when parsing fails.
		undo = append(undo, saved{f, f.Value.String()})
		return f.Value.Set(value)
	}

	named := make(map[*flag.Flag]bool, len(changes))
	for _, c := range changes {
		named[c.flag] = true
	}
	for _, a := range suite {
		var err error
		a.Flags.VisitAll(func(f *flag.Flag) {
			if err != nil || named[f] || f.Value.String() == f.DefValue {
				return
			}
			if e := set(f, f.DefValue); e != nil {
				err = fmt.Errorf("%s: resetting %s.%s to its default %q: %w", Name, a.Name, f.Name, f.DefValue, e)
			}
		})
		if err != nil {
			rollback()
			return nil, err
		}
	}
	for _, c := range changes {
		if err := set(c.flag, c.value); err != nil {
			rollback()
			if hint := expected(c.flag); hint != "" {
				// The standard flags' own errors add nothing to the hint.
				return nil, fmt.Errorf("%s: setting %s: invalid value %q%s", Name, c.key, c.value, hint)
			}
			return nil, fmt.Errorf("%s: setting %s: invalid value %q: %w", Name, c.key, c.value, err)
		}
	}

	var enabled []*analysis.Analyzer
	for _, a := range suite {
		if !disabled[a] {
			enabled = append(enabled, a)
		}
	}
	return enabled, nil
}

// lookupFlag finds a flag by name, ignoring case: golangci-lint's
// configuration loader lower-cases the keys of settings.
func lookupFlag(a *analysis.Analyzer, key string) *flag.Flag {
	if f := a.Flags.Lookup(key); f != nil {
		return f
	}
	var found *flag.Flag
	a.Flags.VisitAll(func(f *flag.Flag) {
		if found == nil && strings.EqualFold(f.Name, key) {
			found = f
		}
	})
	return found
}

// flagValue turns a YAML scalar or list into the string a flag.Value parses.
// A list becomes a comma-separated string, the form of vet's list flags.
func flagValue(v any) (string, error) {
	switch v := v.(type) {
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			s, err := scalar(e)
			if err != nil {
				return "", fmt.Errorf("list element: %w", err)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), nil
	default:
		return scalar(v)
	}
}

func scalar(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case nil:
		return "", errors.New("no value given")
	default:
		return "", fmt.Errorf("want a string, number, bool or list, not %s", describe(v))
	}
}

// expected names the kind of value a standard flag parses: their parse
// errors say only "parse error".
func expected(f *flag.Flag) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case time.Duration:
		return " (want a duration such as 30s)"
	case bool:
		return " (want true or false)"
	case int, int64, uint, uint64:
		return " (want an integer)"
	case float64:
		return " (want a number)"
	}
	return ""
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "an empty value"
	case string:
		return strconv.Quote(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	default:
		return fmt.Sprint(v)
	}
}

func optionsOf(a *analysis.Analyzer) string {
	opts := []string{EnabledKey}
	a.Flags.VisitAll(func(f *flag.Flag) { opts = append(opts, f.Name) })
	return fmt.Sprintf("%s accepts: %s", a.Name, strings.Join(opts, ", "))
}

func names(suite []*analysis.Analyzer) []string {
	ns := make([]string, len(suite))
	for i, a := range suite {
		ns[i] = a.Name
	}
	return ns
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
