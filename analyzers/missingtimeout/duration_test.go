package missingtimeout

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

func TestDurationExpr(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		qual string
		want string
	}{
		{30 * time.Second, "time", "30 * time.Second"},
		{time.Second, "time", "time.Second"},
		{90 * time.Second, "time", "90 * time.Second"},
		{2 * time.Minute, "t", "2 * t.Minute"},
		{time.Hour, "", "Hour"},
		{1500 * time.Millisecond, "time", "1500 * time.Millisecond"},
		{1500 * time.Microsecond, "time", "time.Duration(1500000)"},
	} {
		assert.Equal(t, tc.want, durationExpr(tc.d, tc.qual), "durationExpr(%v, %q)", tc.d, tc.qual)
	}
}

// The fix durations come from the analyzer's flags.
func TestFlags(t *testing.T) {
	for name, want := range map[string]string{
		"client-timeout":             "30s",
		"server-read-header-timeout": "10s",
	} {
		f := Analyzer.Flags.Lookup(name)
		require.NotNil(t, f, "flag -%s", name)
		assert.Equal(t, want, f.DefValue, "-%s default", name)
	}
	testkit.SetFlag(t, Analyzer, "client-timeout", "5s")
	assert.Equal(t, 5*time.Second, clientTimeout, "after -client-timeout=5s")
}
