package lsp

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"go.lsp.dev/jsonrpc2"

	"github.com/resilvet/resilvet/internal/driver"
)

// ignorePrefix starts the suppression directive that every check honours
// (analyzers/internal/ignore.Prefix, which this package cannot import).
const ignorePrefix = "//resilvet:ignore"

// contentModified answers a request about a document that changed while
// the server worked on it (LSP's ContentModified).
var contentModified = jsonrpc2.Error{Code: -32801, Message: "the document changed during the analysis"}

// codeActions answers textDocument/codeAction: for each finding in the
// range, its suggested fix and an ignore directive; and for the file, every
// fix that fits with the others.
func (s *server) codeActions(ctx context.Context, p codeActionParams) (any, error) {
	actions := []codeAction{}
	name, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return actions, nil
	}
	fr := s.current(ctx, name)
	if fr == nil {
		return actions, nil
	}
	wantQuick, wantFixAll := wants(p.Context.Only, kindQuickFix), wants(p.Context.Only, kindFixAll)

	var fixable []*driver.Finding
	for i, f := range fr.findings {
		if len(f.Diag.SuggestedFixes) > 0 {
			fixable = append(fixable, f)
		}
		d := fr.diags[i]
		if !wantQuick || !intersects(d.Range, p.Range) {
			continue
		}
		if len(f.Diag.SuggestedFixes) > 0 {
			if edit := s.editOf(fr, []*driver.Finding{f}); edit != nil {
				actions = append(actions, codeAction{
					Title:       fmt.Sprintf("%s (resilvet %s)", f.Diag.SuggestedFixes[0].Message, f.Analyzer.Name),
					Kind:        kindQuickFix,
					Diagnostics: []diagnostic{d},
					IsPreferred: true,
					Edit:        edit,
				})
			}
		}
		actions = append(actions, s.ignoreAction(fr, f, d))
	}
	if wantFixAll && len(fixable) > 0 {
		if edit := s.editOf(fr, fixable); edit != nil {
			actions = append(actions, codeAction{
				Title: "Apply every resilvet fix in the file",
				Kind:  kindFixAll,
				Edit:  edit,
			})
		}
	}
	return actions, nil
}

// wants reports whether a client asking for the kinds in only wants an
// action of kind: kinds are hierarchical ("source" covers
// "source.fixAll.resilvet").
func wants(only []string, kind string) bool {
	if len(only) == 0 {
		return true
	}
	for _, k := range only {
		if k == kind || strings.HasPrefix(kind, k+".") {
			return true
		}
	}
	return false
}

// editOf merges the findings' fixes as resilvet -fix does (a fix that
// conflicts with one taken is left out, the result is gofmt'ed) and returns
// the change as a workspace edit, or nil when no fix applies.
func (s *server) editOf(fr *fileResult, findings []*driver.Finding) *workspaceEdit {
	plan := driver.PlanFixes(fr.res, findings)
	if len(plan.Fixed) == 0 || len(plan.New) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	edit := &workspaceEdit{}
	for _, name := range slices.Sorted(maps.Keys(plan.New)) {
		old, new := plan.Old[name], plan.New[name]
		start, end, text := diff(old, new)
		tde := textDocumentEdit{
			TextDocument: optionalVersionedTextDocumentIdentifier{URI: s.uriLocked(name)},
			Edits:        []textEdit{{Range: rangeOf(old, start, end), NewText: text}},
		}
		if doc := s.docs[name]; doc != nil {
			if !bytes.Equal(doc.text, old) {
				return nil // edited since the analysis
			}
			v := doc.version
			tde.TextDocument.Version = &v
		}
		edit.DocumentChanges = append(edit.DocumentChanges, tde)
	}
	return edit
}

// diff returns the one replacement that turns old into new: the bytes
// [start, end) of old become text. It never splits a UTF-8 sequence.
func diff(old, new []byte) (start, end int, text string) {
	n := min(len(old), len(new))
	for start < n && old[start] == new[start] {
		start++
	}
	for start > 0 && start < len(old) && !utf8.RuneStart(old[start]) {
		start--
	}
	suffix := 0
	for suffix < n-start && old[len(old)-1-suffix] == new[len(new)-1-suffix] {
		suffix++
	}
	for suffix > 0 && !utf8.RuneStart(old[len(old)-suffix]) {
		suffix--
	}
	return start, len(old) - suffix, string(new[start : len(new)-suffix])
}

// ignoreAction inserts a //resilvet:ignore directive for the finding's
// check on a line of its own above the finding, indented like it, with the
// cursor's place for the reason left empty: until a reason is typed the
// directive is itself reported.
func (s *server) ignoreAction(fr *fileResult, f *driver.Finding, d diagnostic) codeAction {
	lineStart := f.Pos.Offset - (f.Pos.Column - 1)
	indent := fr.text[lineStart:lineStart]
	for i := lineStart; i < len(fr.text) && (fr.text[i] == ' ' || fr.text[i] == '\t'); i++ {
		indent = fr.text[lineStart : i+1]
	}
	at := positionOf(fr.text, lineStart)
	s.mu.Lock()
	uri := s.uriLocked(f.Pos.Filename)
	s.mu.Unlock()
	v := fr.version
	return codeAction{
		Title:       fmt.Sprintf("Ignore this %s finding (//resilvet:ignore, then type the reason)", f.Analyzer.Name),
		Kind:        kindQuickFix,
		Diagnostics: []diagnostic{d},
		Edit: &workspaceEdit{DocumentChanges: []textDocumentEdit{{
			TextDocument: optionalVersionedTextDocumentIdentifier{URI: uri, Version: &v},
			Edits: []textEdit{{
				Range:   lspRange{Start: at, End: at},
				NewText: string(indent) + ignorePrefix + " " + f.Analyzer.Name + " \n",
			}},
		}}},
	}
}
