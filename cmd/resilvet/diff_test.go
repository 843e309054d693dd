package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	lines := func(n int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "l%d\n", i)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, a, b, want string
	}{
		{"equal", "x\n", "x\n", ""},
		{"one change", lines(10), strings.Replace(lines(10), "l5\n", "L5\n", 1), `--- a/f.go
+++ b/f.go
@@ -2,7 +2,7 @@
 l2
 l3
 l4
-l5
+L5
 l6
 l7
 l8
`},
		{"two hunks", lines(20), strings.NewReplacer("l2\n", "L2\n", "l18\n", "L18\n").Replace(lines(20)), `--- a/f.go
+++ b/f.go
@@ -1,5 +1,5 @@
 l1
-l2
+L2
 l3
 l4
 l5
@@ -15,6 +15,6 @@
 l15
 l16
 l17
-l18
+L18
 l19
 l20
`},
		{"close changes share a hunk", lines(12), strings.NewReplacer("l3\n", "L3\n", "l9\n", "L9\n").Replace(lines(12)), `--- a/f.go
+++ b/f.go
@@ -1,12 +1,12 @@
 l1
 l2
-l3
+L3
 l4
 l5
 l6
 l7
 l8
-l9
+L9
 l10
 l11
 l12
`},
		{"insertion", "a\nb\n", "a\nnew\nb\n", `--- a/f.go
+++ b/f.go
@@ -1,2 +1,3 @@
 a
+new
 b
`},
		{"from empty", "", "a\n", `--- a/f.go
+++ b/f.go
@@ -0,0 +1,1 @@
+a
`},
		{"no final newline", "a\nb", "a\nc\n", `--- a/f.go
+++ b/f.go
@@ -1,2 +1,2 @@
 a
-b
\ No newline at end of file
+c
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := unifiedDiff("a/f.go", "b/f.go", tc.a, tc.b); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestDiffLinesIsMinimal checks that the line script keeps the longest
// common subsequence and turns a into b.
func TestDiffLinesIsMinimal(t *testing.T) {
	a := splitLines("a\nb\nc\nd\ne\nf\n")
	b := splitLines("a\nx\nc\ne\ny\nf\n")
	var kept, from, to []string
	for _, op := range diffLines(a, b) {
		if op.kind != '+' {
			from = append(from, op.line)
		}
		if op.kind != '-' {
			to = append(to, op.line)
		}
		if op.kind == ' ' {
			kept = append(kept, op.line)
		}
	}
	if strings.Join(from, "") != strings.Join(a, "") || strings.Join(to, "") != strings.Join(b, "") {
		t.Fatalf("script does not turn a into b")
	}
	if len(kept) != 4 { // a, c, e, f
		t.Errorf("kept %d lines, want the 4 of the longest common subsequence", len(kept))
	}
}
