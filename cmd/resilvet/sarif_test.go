package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	sarifSchemaOnce sync.Once
	sarifSchemaVal  *jsonschema.Schema
	sarifSchemaErr  error
)

// sarifSchema compiles the official SARIF 2.1.0 schema shipped in testdata.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sarifSchemaOnce.Do(func() {
		path, err := filepath.Abs(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
		if err != nil {
			sarifSchemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		sarifSchemaVal, sarifSchemaErr = c.Compile(path)
	})
	if sarifSchemaErr != nil {
		t.Fatalf("compiling the SARIF schema: %v", sarifSchemaErr)
	}
	return sarifSchemaVal
}

// validateSARIF checks data against the official schema.
func validateSARIF(t *testing.T, data []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	if err := sarifSchema(t).Validate(doc); err != nil {
		t.Fatalf("SARIF output does not match the SARIF 2.1.0 schema: %v", err)
	}
}

func TestSARIFSchemaRejectsInvalidLog(t *testing.T) {
	doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`))
	if err := sarifSchema(t).Validate(doc); err == nil {
		t.Fatal("the schema accepted an invalid result level: the validator checks nothing")
	}
}

func TestSARIF(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"svc/svc.go": handlerSrc,
		"u/u.go": `package u

import "context"

func F(ctx context.Context) (string, context.Context) {
	return "héllo😀", context.Background()
}
`,
	})
	code, out, errOut := runIn(t, dir, "-format=sarif")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d with SARIF output; stderr: %s", code, exitFindings, errOut)
	}
	validateSARIF(t, []byte(out))

	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	rules := run.Tool.Driver.Rules
	if len(rules) != len(fakes) {
		t.Fatalf("%d rules, want one per analyzer (%d)", len(rules), len(fakes))
	}
	for i, a := range fakes {
		r := rules[i]
		if r.ID != a.Name || r.FullDescription.Text != a.Doc || r.HelpURI != a.URL ||
			r.ShortDescription.Text != strings.SplitN(a.Doc, "\n", 2)[0] {
			t.Errorf("rule %d = %+v, want it built from %s", i, r, a.Name)
		}
	}
	if len(run.Results) != 4 {
		t.Fatalf("%d results, want 4", len(run.Results))
	}
	first := run.Results[0]
	loc := first.Locations[0].PhysicalLocation
	if first.RuleID != "fakebg" || rules[first.RuleIndex].ID != "fakebg" ||
		loc.ArtifactLocation.URI != "svc/svc.go" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" ||
		loc.Region.StartLine != 9 || loc.Region.StartColumn != 41 || loc.Region.EndLine != 9 || loc.Region.EndColumn != 61 {
		t.Errorf("first result = %+v", first)
	}
	if len(first.Fixes) != 1 {
		t.Fatalf("first result has %d fixes, want 1", len(first.Fixes))
	}
	change := first.Fixes[0].ArtifactChanges[0]
	rep := change.Replacements[0]
	if change.ArtifactLocation.URI != "svc/svc.go" || rep.InsertedContent.Text != "ctx" ||
		*rep.DeletedRegion.ByteLength != len("context.Background()") ||
		handlerSrc[*rep.DeletedRegion.ByteOffset:][:len("context.Background()")] != "context.Background()" {
		t.Errorf("fix = %+v", first.Fixes[0])
	}
	if run.Results[1].RuleID != "fakeget" || run.Results[1].Fixes != nil {
		t.Errorf("second result = %+v, want the fakeget finding without fixes", run.Results[1])
	}

	// Columns count UTF-16 code units: é is one, the emoji two.
	u := run.Results[3]
	if r := u.Locations[0].PhysicalLocation.Region; u.Locations[0].PhysicalLocation.ArtifactLocation.URI != "u/u.go" ||
		r.StartLine != 6 || r.StartColumn != 20 || r.EndColumn != 40 {
		t.Errorf("non-ASCII line: region %+v, want 6:20-40 in UTF-16 columns", r)
	}
}

func TestSARIFFileBesideText(t *testing.T) {
	dir := writeModule(t, map[string]string{"svc/svc.go": handlerSrc})
	file := filepath.Join(dir, "out.sarif")
	code, out, _ := runIn(t, dir, "-sarif", file)
	if code != exitFindings || strings.Count(out, "\n") != 3 {
		t.Errorf("exit %d, text %q; want 3 and the three findings as text", code, out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, data)

	// A clean run still writes a valid log, with rules and no results.
	clean := writeModule(t, map[string]string{"c/c.go": "package c\n"})
	file = filepath.Join(clean, "out.sarif")
	if code, _, _ := runIn(t, clean, "-sarif", file); code != exitClean {
		t.Errorf("clean run: exit %d, want 0", code)
	}
	data, err = os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, data)
}
