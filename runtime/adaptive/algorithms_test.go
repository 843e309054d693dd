package adaptive

import (
	"math"
	"testing"
)

func TestLog10(t *testing.T) {
	for _, x := range []float64{1, 5, 9.9, 10, 99, 100, 999, 1000, 12345, 1e6} {
		want := max(1, math.Floor(math.Log10(x)))
		if got := log10(x); got != want {
			t.Errorf("log10(%v) = %v, want %v", x, got, want)
		}
	}
}
