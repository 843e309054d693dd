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
	for _, a := range res.Analyzers {
		short, _, _ := strings.Cut(a.Doc, "\n")
		r := sarifRule{ID: a.Name, ShortDescription: sarifMessage{short}, FullDescription: sarifMessage{a.Doc}, HelpURI: a.URL}
		r.DefaultConfiguration.Level = "warning"
		ruleIndex[a.Name] = len(driver.Rules)
		driver.Rules = append(driver.Rules, r)
	}
	run := sarifRun{
		Tool:               sarifTool{driver},
		OriginalURIBaseIDs: map[string]sarifArtifactLocation{srcRoot: {URI: fileURI(res.Root) + "/"}},
		ColumnKind:         "utf16CodeUnits",
		Results:            []sarifResult{},
	}
	for _, f := range findings {
		r := sarifResult{
			RuleID:              f.Analyzer.Name,
			RuleIndex:           ruleIndex[f.Analyzer.Name],
			Level:               "warning",
			Message:             sarifMessage{f.Diag.Message},
			Locations:           []sarifLocation{{PhysicalLocation: sarifPhysical(res, f.Pos, f.End)}},
			PartialFingerprints: map[string]string{"resilvetLineHash/v1": lineHash(res, f)},
		}
		for i, rel := range f.Diag.Related {
			start := res.Fset.Position(rel.Pos)
			end := start
			if rel.End.IsValid() {
				end = res.Fset.Position(rel.End)
			}
			id := i + 1
			r.RelatedLocations = append(r.RelatedLocations, sarifLocation{
				ID: &id, PhysicalLocation: sarifPhysical(res, start, end), Message: &sarifMessage{rel.Message}})
		}
		for _, fix := range f.Diag.SuggestedFixes {
			r.Fixes = append(r.Fixes, fixOf(res, fix.Message, fix.TextEdits))
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
func fixOf(r *result, message string, edits []analysis.TextEdit) sarifFix {
	fix := sarifFix{Description: sarifMessage{message}, ArtifactChanges: []sarifArtifactChange{}}
	index := make(map[string]int)
	for _, e := range edits {
		start := r.Fset.Position(e.Pos)
		end := start
		if e.End.IsValid() {
			end = r.Fset.Position(e.End)
		}
		region := region(r, start, end)
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
			fix.ArtifactChanges = append(fix.ArtifactChanges, sarifArtifactChange{ArtifactLocation: artifact(r, start.Filename)})
		}
		fix.ArtifactChanges[i].Replacements = append(fix.ArtifactChanges[i].Replacements, rep)
	}
	return fix
}

func sarifPhysical(r *result, start, end token.Position) sarifPhysicalLocation {
	return sarifPhysicalLocation{ArtifactLocation: artifact(r, start.Filename), Region: region(r, start, end)}
}

// artifact names a file relative to %SRCROOT% (the module root), or by
// absolute URI when it lies outside.
func artifact(r *result, filename string) sarifArtifactLocation {
	if rel, ok := r.Rel(filename); ok {
		return sarifArtifactLocation{URI: (&url.URL{Path: rel}).String(), URIBaseID: srcRoot}
	}
	return sarifArtifactLocation{URI: fileURI(filename)}
}

func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

func region(r *result, start, end token.Position) sarifRegion {
	return sarifRegion{
		StartLine: start.Line, StartColumn: utf16Column(r, start),
		EndLine: end.Line, EndColumn: utf16Column(r, end),
	}
}

// utf16Column converts go/token's byte column to SARIF's UTF-16 column.
func utf16Column(r *result, pos token.Position) int {
	line := r.LineText(pos)
	if pos.Column < 1 || pos.Column-1 > len(line) {
		return pos.Column // past the text we could read: keep the byte column
	}
	return len(utf16.Encode([]rune(line[:pos.Column-1]))) + 1
}
