package lsp

import (
	"context"
	"path/filepath"
	"time"

	"github.com/resilvet/resilvet/internal/driver"
)

// scheduleLocked (re)starts the countdown to analysing dir's package and
// cancels an analysis of it already running: its results would be stale.
// s.mu must be held.
func (s *server) scheduleLocked(dir string, delay time.Duration) {
	if s.shutdown || s.ctx.Err() != nil {
		return
	}
	st := s.pkgs[dir]
	if st == nil {
		st = &pkgState{}
		s.pkgs[dir] = st
	}
	if st.cancel != nil {
		st.cancel()
		st.cancel = nil
	}
	if st.timer == nil {
		st.timer = time.AfterFunc(delay, func() { s.fire(dir, st) })
		return
	}
	st.timer.Stop()
	st.timer.Reset(delay)
}

// fire runs the scheduled analysis of dir's package.
func (s *server) fire(dir string, st *pkgState) {
	s.mu.Lock()
	if s.shutdown || s.ctx.Err() != nil {
		s.mu.Unlock()
		return
	}
	if st.cancel != nil {
		st.cancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	st.cancel = cancel
	s.wg.Add(1) // before Serve's Wait: the context check above is under s.mu
	s.mu.Unlock()
	defer s.wg.Done()
	defer cancel()
	s.analyze(ctx, dir, st)
}

// analyze analyses dir's package with the open files' contents and stores,
// and unless the client pulls, publishes each open file's diagnostics: only
// for a file still at the version analysed, and only if no newer edit
// cancelled the analysis.
func (s *server) analyze(ctx context.Context, dir string, st *pkgState) {
	st.running.Lock()
	defer st.running.Unlock()
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	overlay := make(map[string][]byte)
	versions := make(map[string]int)
	for name, doc := range s.docs {
		if filepath.Dir(name) == dir {
			overlay[name] = doc.text
			versions[name] = doc.version
		}
	}
	s.mu.Unlock()
	if len(overlay) == 0 {
		return
	}

	s.cfgMu.RLock()
	res, err := s.cache.Analyze(s.analyzers, driver.Config{
		Context: ctx, Dir: dir, Patterns: []string{"."}, Tests: s.opts.Tests, Overlay: overlay,
	})
	s.cfgMu.RUnlock()
	if ctx.Err() != nil {
		return // a newer edit cancelled it
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for name, version := range versions {
		doc := s.docs[name]
		if doc == nil || doc.version != version {
			continue // edited since: the next analysis publishes
		}
		fr := &fileResult{version: version, text: overlay[name], res: res}
		if err == nil {
			for _, f := range res.Findings {
				if f.Pos.Filename == name {
					fr.findings = append(fr.findings, f)
				}
			}
		}
		fr.diags = s.diagnosticsLocked(fr)
		doc.last = fr
		if !s.pull {
			v := version
			s.notify(s.ctx, "textDocument/publishDiagnostics", publishDiagnosticsParams{URI: doc.uri, Version: &v, Diagnostics: fr.diags})
		}
	}
}

// current returns the analysis of the open file's current version,
// analysing now if there is none yet. It returns nil for a file that is not
// open or that changed during the analysis.
func (s *server) current(ctx context.Context, name string) *fileResult {
	s.mu.Lock()
	doc := s.docs[name]
	if doc == nil {
		s.mu.Unlock()
		return nil
	}
	if doc.last != nil && doc.last.version == doc.version {
		fr := doc.last
		s.mu.Unlock()
		return fr
	}
	dir := filepath.Dir(name)
	st := s.pkgs[dir]
	if st == nil {
		st = &pkgState{}
		s.pkgs[dir] = st
	}
	s.mu.Unlock()
	s.analyze(ctx, dir, st)
	s.mu.Lock()
	defer s.mu.Unlock()
	if doc := s.docs[name]; doc != nil && doc.last != nil && doc.last.version == doc.version {
		return doc.last
	}
	return nil
}

// diagnosticsLocked converts a file's findings to LSP diagnostics, in the
// order of fr.findings. s.mu must be held.
func (s *server) diagnosticsLocked(fr *fileResult) []diagnostic {
	diags := make([]diagnostic, 0, len(fr.findings))
	for _, f := range fr.findings {
		d := diagnostic{
			Range:    rangeOf(fr.text, f.Pos.Offset, max(f.End.Offset, f.Pos.Offset)),
			Severity: severityWarning,
			Code:     f.Analyzer.Name,
			Source:   "resilvet",
			Message:  f.Diag.Message,
		}
		if f.Analyzer.URL != "" {
			d.CodeDescription = &codeDescription{Href: f.Analyzer.URL}
		}
		for _, rel := range f.Diag.Related {
			start := fr.res.Fset.Position(rel.Pos)
			end := start
			if rel.End.IsValid() {
				end = fr.res.Fset.Position(rel.End)
			}
			content, err := fr.res.Content(start.Filename)
			if err != nil || !start.IsValid() {
				continue
			}
			d.RelatedInformation = append(d.RelatedInformation, diagnosticRelatedInformation{
				Location: location{URI: s.uriLocked(start.Filename), Range: rangeOf(content, start.Offset, max(end.Offset, start.Offset))},
				Message:  rel.Message,
			})
		}
		diags = append(diags, d)
	}
	return diags
}

// uriLocked returns the URI the client uses for a file, or a new one for a
// file it has not opened. s.mu must be held.
func (s *server) uriLocked(name string) string {
	if doc := s.docs[name]; doc != nil {
		return doc.uri
	}
	return uriOf(name)
}

// pullDiagnostics answers textDocument/diagnostic.
func (s *server) pullDiagnostics(ctx context.Context, p documentDiagnosticParams) (any, error) {
	report := fullDocumentDiagnosticReport{Kind: "full", Items: []diagnostic{}}
	name, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return report, nil
	}
	s.mu.Lock()
	open := s.docs[name] != nil
	s.mu.Unlock()
	if !open {
		return report, nil // outside the workspace, not Go, or not open
	}
	fr := s.current(ctx, name)
	if fr == nil {
		return nil, &contentModified
	}
	report.Items = fr.diags
	return report, nil
}
