package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vetJSON is go vet -json output for a package and its test variant: the
// finding in a.go is reported by both.
const vetJSON = `# example.com/m
{
	"example.com/m": {
		"lockupgrade": [
			{
				"posn": "/mod/example.com/m@v1.0.0/a.go:3:4",
				"message": "stale write"
			}
		],
		"missingtimeout": [
			{
				"posn": "/mod/example.com/m@v1.0.0/b.go:9:2",
				"message": "no timeout",
				"suggested_fixes": [{"message": "add Timeout", "edits": []}]
			}
		]
	}
}
# example.com/m [example.com/m.test]
{
	"example.com/m [example.com/m.test]": {
		"lockupgrade": [
			{
				"posn": "/mod/example.com/m@v1.0.0/a.go:3:4",
				"message": "stale write"
			}
		]
	}
}
`

const header = "# comment\nlocation\tcheck\tverdict\treason\n"

func TestParseVetStripsCacheAndDeduplicatesTestVariants(t *testing.T) {
	fs, err := parseVet(strings.NewReader(vetJSON), "/mod")
	require.NoError(t, err)
	require.Len(t, fs, 2)
	assert.Equal(t, finding{"example.com/m@v1.0.0/a.go:3:4", "lockupgrade", "stale write", false}, fs[0])
	assert.Equal(t, finding{"example.com/m@v1.0.0/b.go:9:2", "missingtimeout", "no timeout", true}, fs[1])
	assert.Len(t, onlyFixable(fs), 1)
}

func TestCompareReportsUntriagedAndStale(t *testing.T) {
	fs, err := parseVet(strings.NewReader(vetJSON), "/mod")
	require.NoError(t, err)
	rows, err := parseTriage(strings.NewReader(header +
		"example.com/m@v1.0.0/a.go:3:4\tlockupgrade\tfalse\tmemo of a pure function\n" +
		"example.com/m@v1.0.0/c.go:1:1\tctxbackground\ttrue\tgone since\n"))
	require.NoError(t, err)

	r := compare(fs, rows)
	require.Len(t, r.untriaged, 1)
	assert.Equal(t, "example.com/m@v1.0.0/b.go:9:2", r.untriaged[0].loc)
	require.Len(t, r.stale, 1)
	assert.Equal(t, "example.com/m@v1.0.0/c.go:1:1", r.stale[0].loc)
	assert.Equal(t, tally{findings: 1, isFalse: 1}, *r.byCheck["lockupgrade"])
	assert.Equal(t, tally{findings: 1, untriaged: 1}, *r.byCheck["missingtimeout"])
}

func TestCompareMatchesOnCheckToo(t *testing.T) {
	fs := []finding{{loc: "m@v1/a.go:1:1", check: "missingtimeout"}}
	rows := []row{{loc: "m@v1/a.go:1:1", check: "ctxbackground", verdict: "true", reason: "r"}}
	r := compare(fs, rows)
	assert.Len(t, r.untriaged, 1)
	assert.Len(t, r.stale, 1)
}

func TestParseTriageRejectsMalformedRows(t *testing.T) {
	for name, body := range map[string]string{
		"columns":   "m@v1/a.go:1:1\tlockupgrade\ttrue\n",
		"verdict":   "m@v1/a.go:1:1\tlockupgrade\tmaybe\twhy\n",
		"reason":    "m@v1/a.go:1:1\tlockupgrade\ttrue\t \n",
		"duplicate": "m@v1/a.go:1:1\tlockupgrade\ttrue\twhy\nm@v1/a.go:1:1\tlockupgrade\tfalse\twhy not\n",
	} {
		_, err := parseTriage(strings.NewReader(header + body))
		assert.Error(t, err, name)
	}
}

func TestRunExitsOneOnUntriagedFinding(t *testing.T) {
	dir := t.TempDir()
	tsv := filepath.Join(dir, "triage.tsv")
	judgeA := "example.com/m@v1.0.0/a.go:3:4\tlockupgrade\ttrue\tlost update\n"
	require.NoError(t, os.WriteFile(tsv, []byte(header+judgeA), 0o644))
	var out bytes.Buffer
	assert.Equal(t, 1, run(strings.NewReader(vetJSON), &out, "/mod", tsv, false))
	assert.Contains(t, out.String(), "untriaged: example.com/m@v1.0.0/b.go:9:2\tmissingtimeout")

	judgeB := "example.com/m@v1.0.0/b.go:9:2\tmissingtimeout\ttrue\tshared client\n"
	require.NoError(t, os.WriteFile(tsv, []byte(header+judgeA+judgeB), 0o644))
	out.Reset()
	assert.Equal(t, 0, run(strings.NewReader(vetJSON), &out, "/mod", tsv, false))
	assert.NotContains(t, out.String(), "untriaged:")
}
