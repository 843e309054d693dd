package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A baseline is the set of findings a code base has accepted: only findings
// beyond it fail. Entries are keyed by check, file (relative to the module
// root), message and a hash of the flagged line's trimmed text, with a
// count; line numbers are left out so that edits elsewhere in a file do not
// invalidate the baseline.
type baselineFile struct {
	Version  int             `json:"version"`
	Findings []baselineEntry `json:"findings"`
}

type baselineEntry struct {
	Analyzer string `json:"analyzer"`
	File     string `json:"file"`
	Message  string `json:"message"`
	LineHash string `json:"line_hash"`
	Count    int    `json:"count"`
}

type baselineKey struct {
	analyzer, file, message, lineHash string
}

const baselineVersion = 1

// keyOf returns the key that matches f against a baseline.
func keyOf(r *result, f *finding) baselineKey {
	file, ok := r.Rel(f.Pos.Filename)
	if !ok {
		file = filepath.ToSlash(f.Pos.Filename)
	}
	return baselineKey{f.Analyzer.Name, file, f.Diag.Message, lineHash(r, f)}
}

// lineHash hashes the trimmed text of the finding's line.
func lineHash(r *result, f *finding) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(r.LineText(f.Pos))))
	return hex.EncodeToString(sum[:8])
}

// baseline counts the accepted findings by key.
type baseline map[baselineKey]int

func newBaseline(res *result, findings []*finding) baseline {
	b := make(baseline)
	for _, f := range findings {
		b[keyOf(res, f)]++
	}
	return b
}

// filter returns the findings the baseline does not accept. A key accepted
// n times accepts its first n findings.
func (b baseline) filter(res *result, findings []*finding) []*finding {
	left := maps.Clone(b)
	var fresh []*finding
	for _, f := range findings {
		k := keyOf(res, f)
		if left[k] > 0 {
			left[k]--
			continue
		}
		fresh = append(fresh, f)
	}
	return fresh
}

func (b baseline) marshal() ([]byte, error) {
	bf := baselineFile{Version: baselineVersion, Findings: []baselineEntry{}}
	for k, n := range b {
		bf.Findings = append(bf.Findings, baselineEntry{k.analyzer, k.file, k.message, k.lineHash, n})
	}
	slices.SortFunc(bf.Findings, func(x, y baselineEntry) int {
		return cmp.Or(cmp.Compare(x.File, y.File), cmp.Compare(x.Analyzer, y.Analyzer),
			cmp.Compare(x.Message, y.Message), cmp.Compare(x.LineHash, y.LineHash))
	})
	data, err := json.MarshalIndent(bf, "", "  ")
	return append(data, '\n'), err
}

// writeBaseline writes the findings as a baseline file and returns how
// many it accepted.
func writeBaseline(name string, res *result, findings []*finding) (int, error) {
	data, err := newBaseline(res, findings).marshal()
	if err != nil {
		return 0, err
	}
	return len(findings), os.WriteFile(name, data, 0o644)
}

func readBaseline(name string) (baseline, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("baseline: %v", err)
	}
	var bf baselineFile
	if err := json.Unmarshal(data, &bf); err != nil {
		return nil, fmt.Errorf("baseline %s: %v", name, err)
	}
	if bf.Version != baselineVersion {
		return nil, fmt.Errorf("baseline %s: unsupported version %d (want %d)", name, bf.Version, baselineVersion)
	}
	b := make(baseline)
	for _, e := range bf.Findings {
		b[baselineKey{e.Analyzer, e.File, e.Message, e.LineHash}] += e.Count
	}
	return b, nil
}
