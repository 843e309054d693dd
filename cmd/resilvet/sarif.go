package main

import (
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf16"

	"golang.org/x/tools/go/analysis"
)

// SARIF 2.1.0, the subset resilvet fills in.
const (
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion   = "2.1.0"
	srcRoot        = "%SRCROOT%"
)

type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool               sarifTool                        `json:"tool"`
		OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
		ColumnKind         string                           `json:"columnKind"`
		Results            []sarifResult                    `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		ShortDescription     sarifMessage `json:"shortDescription"`
		FullDescription      sarifMessage `json:"fullDescription"`
		HelpURI              string       `json:"helpUri,omitempty"`
		DefaultConfiguration struct {
			Level string `json:"level"`
		} `json:"defaultConfiguration"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifMessage      `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
		Fixes               []sarifFix        `json:"fixes,omitempty"`
	}
	sarifLocation struct {
		ID               *int                  `json:"id,omitempty"`
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
		Message          *sarifMessage         `json:"message,omitempty"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           sarifRegion           `json:"region"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	// Lines and columns are 1-based; columns count UTF-16 code units
	// (SARIF's default columnKind) and endColumn is exclusive.
	sarifRegion struct {
		StartLine   int  `json:"startLine"`
		StartColumn int  `json:"startColumn"`
		EndLine     int  `json:"endLine"`
		EndColumn   int  `json:"endColumn"`
		ByteOffset  *int `json:"byteOffset,omitempty"`
		ByteLength  *int `json:"byteLength,omitempty"`
	}
	sarifFix struct {
		Description     sarifMessage          `json:"description"`
		ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
	}
	sarifArtifactChange struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Replacements     []sarifReplacement    `json:"replacements"`
	}
	sarifReplacement struct {
		DeletedRegion   sarifRegion   `json:"deletedRegion"`
		InsertedContent *sarifMessage `json:"insertedContent,omitempty"`
	}
)

// printSARIF writes the findings as a SARIF 2.1.0 log with one rule per
// enabled check.
func printSARIF(w io.Writer, res *result, findings []*finding) error {
	driver := sarifDriver{Name: "resilvet", InformationURI: "https://github.com/resilvet/resilvet", Rules: []sarifRule{}}
	ruleIndex := make(map[string]int)
	for _, a := range res.analyzers {
		short, _, _ := strings.Cut(a.Doc, "\n")
		r := sarifRule{ID: a.Name, ShortDescription: sarifMessage{short}, FullDescription: sarifMessage{a.Doc}, HelpURI: a.URL}
		r.DefaultConfiguration.Level = "warning"
		ruleIndex[a.Name] = len(driver.Rules)
		driver.Rules = append(driver.Rules, r)
	}
	run := sarifRun{
		Tool:               sarifTool{driver},
		OriginalURIBaseIDs: map[string]sarifArtifactLocation{srcRoot: {URI: fileURI(res.root) + "/"}},
		ColumnKind:         "utf16CodeUnits",
		Results:            []sarifResult{},
	}
	for _, f := range findings {
		r := sarifResult{
			RuleID:              f.analyzer.Name,
			RuleIndex:           ruleIndex[f.analyzer.Name],
			Level:               "warning",
			Message:             sarifMessage{f.diag.Message},
			Locations:           []sarifLocation{{PhysicalLocation: res.sarifPhysical(f.pos, f.end)}},
			PartialFingerprints: map[string]string{"resilvetLineHash/v1": res.lineHash(f)},
		}
		for i, rel := range f.diag.Related {
			start := res.fset.Position(rel.Pos)
			end := start
			if rel.End.IsValid() {
				end = res.fset.Position(rel.End)
			}
			id := i + 1
			r.RelatedLocations = append(r.RelatedLocations, sarifLocation{
				ID: &id, PhysicalLocation: res.sarifPhysical(start, end), Message: &sarifMessage{rel.Message}})
		}
		for _, fix := range f.diag.SuggestedFixes {
			r.Fixes = append(r.Fixes, res.sarifFix(fix.Message, fix.TextEdits))
		}
		run.Results = append(run.Results, r)
	}
	data, err := json.MarshalIndent(sarifLog{sarifSchemaURI, sarifVersion, []sarifRun{run}}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

// sarifFix turns a suggested fix into SARIF's artifact changes, one per
// file in the order the files first appear.
func (r *result) sarifFix(message string, edits []analysis.TextEdit) sarifFix {
	fix := sarifFix{Description: sarifMessage{message}, ArtifactChanges: []sarifArtifactChange{}}
	index := make(map[string]int)
	for _, e := range edits {
		start := r.fset.Position(e.Pos)
		end := start
		if e.End.IsValid() {
			end = r.fset.Position(e.End)
		}
		region := r.region(start, end)
		off, n := start.Offset, end.Offset-start.Offset
		region.ByteOffset, region.ByteLength = &off, &n
		rep := sarifReplacement{DeletedRegion: region}
		if len(e.NewText) > 0 {
			rep.InsertedContent = &sarifMessage{string(e.NewText)}
		}
		i, ok := index[start.Filename]
		if !ok {
			i = len(fix.ArtifactChanges)
			index[start.Filename] = i
			fix.ArtifactChanges = append(fix.ArtifactChanges, sarifArtifactChange{ArtifactLocation: r.artifact(start.Filename)})
		}
		fix.ArtifactChanges[i].Replacements = append(fix.ArtifactChanges[i].Replacements, rep)
	}
	return fix
}

func (r *result) sarifPhysical(start, end token.Position) sarifPhysicalLocation {
	return sarifPhysicalLocation{ArtifactLocation: r.artifact(start.Filename), Region: r.region(start, end)}
}

// artifact names a file relative to %SRCROOT% (the module root), or by
// absolute URI when it lies outside.
func (r *result) artifact(filename string) sarifArtifactLocation {
	if rel, ok := r.rel(filename); ok {
		return sarifArtifactLocation{URI: (&url.URL{Path: rel}).String(), URIBaseID: srcRoot}
	}
	return sarifArtifactLocation{URI: fileURI(filename)}
}

func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

func (r *result) region(start, end token.Position) sarifRegion {
	return sarifRegion{
		StartLine: start.Line, StartColumn: r.utf16Column(start),
		EndLine: end.Line, EndColumn: r.utf16Column(end),
	}
}

// utf16Column converts go/token's byte column to SARIF's UTF-16 column.
func (r *result) utf16Column(pos token.Position) int {
	line := r.lineText(pos)
	if pos.Column < 1 || pos.Column-1 > len(line) {
		return pos.Column // past the text we could read: keep the byte column
	}
	return len(utf16.Encode([]rune(line[:pos.Column-1]))) + 1
}
