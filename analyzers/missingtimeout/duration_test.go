package missingtimeout

import (
	"testing"
	"time"
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
		if got := durationExpr(tc.d, tc.qual); got != tc.want {
			t.Errorf("durationExpr(%v, %q) = %q, want %q", tc.d, tc.qual, got, tc.want)
		}
	}
}

// The fix durations come from the analyzer's flags.
func TestFlags(t *testing.T) {
	for name, want := range map[string]string{
		"client-timeout":             "30s",
		"server-read-header-timeout": "10s",
	} {
		f := Analyzer.Flags.Lookup(name)
		if f == nil {
			t.Fatalf("flag -%s missing", name)
		}
		if f.DefValue != want {
			t.Errorf("-%s default = %s, want %s", name, f.DefValue, want)
		}
	}
	if err := Analyzer.Flags.Set("client-timeout", "5s"); err != nil {
		t.Fatal(err)
	}
	defer Analyzer.Flags.Set("client-timeout", "30s")
	if clientTimeout != 5*time.Second {
		t.Errorf("clientTimeout = %v after -client-timeout=5s", clientTimeout)
	}
}
