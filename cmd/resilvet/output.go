package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// printText prints one line per finding: file:line:col: message (check).
func printText(w io.Writer, res *result, findings []*finding) error {
	for _, f := range findings {
		if _, err := fmt.Fprintf(w, "%s:%d:%d: %s (%s)\n",
			res.Display(f.Pos.Filename), f.Pos.Line, f.Pos.Column, f.Diag.Message, f.Analyzer.Name); err != nil {
			return err
		}
		for _, rel := range f.Diag.Related {
			p := res.Fset.Position(rel.Pos)
			if _, err := fmt.Fprintf(w, "%s:%d:%d: \t%s\n", res.Display(p.Filename), p.Line, p.Column, rel.Message); err != nil {
				return err
			}
		}
	}
	return nil
}

// The JSON types follow go vet -json: package ID -> analyzer -> diagnostics.
type (
	jsonDiagnostic struct {
		Category       string        `json:"category,omitempty"`
		Posn           string        `json:"posn"`
		End            string        `json:"end"`
		Message        string        `json:"message"`
		SuggestedFixes []jsonFix     `json:"suggested_fixes,omitempty"`
		Related        []jsonRelated `json:"related,omitempty"`
	}
	jsonFix struct {
		Message string     `json:"message"`
		Edits   []jsonEdit `json:"edits"`
	}
	jsonEdit struct {
		Filename string `json:"filename"`
		Start    int    `json:"start"`
		End      int    `json:"end"`
		New      string `json:"new"`
	}
	jsonRelated struct {
		Posn    string `json:"posn"`
		End     string `json:"end"`
		Message string `json:"message"`
	}
)

func printJSON(w io.Writer, res *result, findings []*finding) error {
	tree := make(map[string]map[string][]jsonDiagnostic)
	for _, f := range findings {
		d := jsonDiagnostic{
			Category: f.Diag.Category,
			Posn:     f.Pos.String(),
			End:      f.End.String(),
			Message:  f.Diag.Message,
		}
		for _, fix := range f.Diag.SuggestedFixes {
			jf := jsonFix{Message: fix.Message, Edits: []jsonEdit{}}
			for _, e := range fix.TextEdits {
				start, end := res.Fset.Position(e.Pos), res.Fset.Position(e.End)
				if !e.End.IsValid() {
					end = start
				}
				jf.Edits = append(jf.Edits, jsonEdit{Filename: start.Filename, Start: start.Offset, End: end.Offset, New: string(e.NewText)})
			}
			d.SuggestedFixes = append(d.SuggestedFixes, jf)
		}
		for _, rel := range f.Diag.Related {
			end := rel.End
			if !end.IsValid() {
				end = rel.Pos
			}
			d.Related = append(d.Related, jsonRelated{
				Posn: res.Fset.Position(rel.Pos).String(), End: res.Fset.Position(end).String(), Message: rel.Message})
		}
		byAnalyzer := tree[f.PkgID]
		if byAnalyzer == nil {
			byAnalyzer = make(map[string][]jsonDiagnostic)
			tree[f.PkgID] = byAnalyzer
		}
		byAnalyzer[f.Analyzer.Name] = append(byAnalyzer[f.Analyzer.Name], d)
	}
	data, err := json.MarshalIndent(tree, "", "\t")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}
