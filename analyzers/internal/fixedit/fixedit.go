// Package fixedit holds what resilvet's suggested fixes are built from: the
// source text and indentation of a node, the import edit a fix needs, the
// zero-value return of a function, and whether the package can use
// resilvet's runtime at all.
package fixedit

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// Module is resilvet's module path; the runtime packages live under it.
const Module = "github.com/resilvet/resilvet"

// Import paths of the runtime packages that fixes point to.
const (
	RuntimeRetry       = Module + "/runtime/retry"
	RuntimeBreaker     = Module + "/runtime/breaker"
	RuntimeDeadline    = Module + "/runtime/deadline"
	RuntimeIdempotency = Module + "/runtime/idempotency"
)

// Indent returns the indentation of the line holding pos, as gofmt writes it.
func Indent(pass *analysis.Pass, pos token.Pos) string {
	p := pass.Fset.Position(pos)
	src, err := pass.ReadFile(p.Filename)
	if err != nil || p.Offset > len(src) {
		return strings.Repeat("\t", p.Column-1)
	}
	start := p.Offset
	for start > 0 && src[start-1] != '\n' {
		start--
	}
	end := start
	for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return string(src[start:end])
}

// Source returns the text of n.
func Source(pass *analysis.Pass, n ast.Node) (string, bool) {
	return Text(pass, n.Pos(), n.End())
}

// Text returns the source text between from and to, which must lie in one
// file.
func Text(pass *analysis.Pass, from, to token.Pos) (string, bool) {
	p, e := pass.Fset.Position(from), pass.Fset.Position(to)
	src, err := pass.ReadFile(p.Filename)
	if err != nil || p.Filename != e.Filename || p.Offset < 0 || p.Offset > e.Offset || e.Offset > len(src) {
		return "", false
	}
	return string(src[p.Offset:e.Offset]), true
}

// ImportName returns the name under which f imports path ("" when it does
// not), and whether name is free for it in f: no other import and no
// package-level object uses it.
func ImportName(pass *analysis.Pass, f *ast.File, path, name string) (string, bool) {
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		local := ""
		if imp.Name != nil {
			local = imp.Name.Name
		} else if pn, ok := pass.TypesInfo.Implicits[imp].(*types.PkgName); ok {
			local = pn.Name()
		}
		if p == path {
			return local, true
		}
		if local == name {
			return "", false
		}
	}
	if pass.Pkg.Scope().Lookup(name) != nil {
		return "", false
	}
	return "", true
}

// AddImport returns the edits adding path to f's imports under name; none
// when f imports it already under that name. ok is false when name is taken
// in f, or path is imported under another name.
//
// In an import block, the path joins the first group (specs between blank
// lines) of its kind, standard library or not, in sorted place; a standard
// library path with no such group gets a group of its own before the
// others, any other path follows the last import. A single import becomes a
// block; a file without imports gets an import declaration.
func AddImport(pass *analysis.Pass, f *ast.File, path, name string) (edits []analysis.TextEdit, ok bool) {
	local, free := ImportName(pass, f, path, name)
	if local != "" {
		return nil, local == name
	}
	if !free {
		return nil, false
	}
	quoted := strconv.Quote(path)
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if !gd.Lparen.IsValid() {
			// import "x" -> a block with both
			spec := gd.Specs[0].(*ast.ImportSpec)
			old, _ := Source(pass, spec)
			lines := []string{old, quoted}
			if spec.Path.Value > quoted {
				lines = []string{quoted, old}
			}
			return []analysis.TextEdit{{Pos: spec.Pos(), End: spec.End(),
				NewText: []byte("(\n\t" + lines[0] + "\n\t" + lines[1] + "\n)")}}, true
		}
		if len(gd.Specs) == 0 {
			return []analysis.TextEdit{{Pos: gd.Rparen, End: gd.Rparen, NewText: []byte("\n\t" + quoted + "\n")}}, true
		}
		return []analysis.TextEdit{importInBlock(pass.Fset.File(gd.Pos()), gd.Specs, path, quoted)}, true
	}
	return []analysis.TextEdit{{Pos: f.Name.End(), End: f.Name.End(), NewText: []byte("\n\nimport " + quoted)}}, true
}

// importInBlock places quoted among the specs of an import block.
func importInBlock(tf *token.File, specs []ast.Spec, path, quoted string) analysis.TextEdit {
	std := isStd(path)
	var group []ast.Spec // the first group of path's kind
	for i := 0; i < len(specs); {
		j := i + 1
		for j < len(specs) && tf.Line(specs[j].Pos()) <= tf.Line(specs[j-1].End())+1 {
			j++
		}
		p, _ := strconv.Unquote(specs[i].(*ast.ImportSpec).Path.Value)
		if isStd(p) == std {
			group = specs[i:j]
			break
		}
		i = j
	}
	switch {
	case group != nil:
	case std:
		at := specs[0].Pos()
		return analysis.TextEdit{Pos: at, End: at, NewText: []byte(quoted + "\n\n\t")}
	default:
		group = specs
	}
	for _, s := range group {
		if s.(*ast.ImportSpec).Path.Value > quoted {
			return analysis.TextEdit{Pos: s.Pos(), End: s.Pos(), NewText: []byte(quoted + "\n\t")}
		}
	}
	last := group[len(group)-1]
	return analysis.TextEdit{Pos: last.End(), End: last.End(), NewText: []byte("\n\t" + quoted)}
}

// isStd reports whether path looks like a standard library path: no dot in
// its first element.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// RuntimeAvailable reports whether the package can import resilvet's
// runtime without a new dependency: it is resilvet, or it already imports a
// resilvet package, directly or not. Fixes that would import the runtime
// into a module that does not require it would not build.
func RuntimeAvailable(pass *analysis.Pass) bool {
	seen := map[*types.Package]bool{}
	var walk func(p *types.Package) bool
	walk = func(p *types.Package) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		if p.Path() == Module || strings.HasPrefix(p.Path(), Module+"/") {
			return true
		}
		for _, imp := range p.Imports() {
			if walk(imp) {
				return true
			}
		}
		return false
	}
	return walk(pass.Pkg)
}

// ZeroReturn builds "return <zero values>, <err>" for a function with
// results ft, whose last result must be an error: a fix that leaves the
// function early with err. ok is false when a result has no literal zero
// value (a struct, an array) or the last result is not an error.
func ZeroReturn(info *types.Info, ft *ast.FuncType, err string) (string, bool) {
	if ft.Results == nil || len(ft.Results.List) == 0 {
		return "return", true
	}
	var ts []types.Type
	for _, f := range ft.Results.List {
		t := info.TypeOf(f.Type)
		n := max(len(f.Names), 1)
		for range n {
			ts = append(ts, t)
		}
	}
	if !match.IsError(ts[len(ts)-1]) {
		return "", false
	}
	vals := make([]string, 0, len(ts))
	for _, t := range ts[:len(ts)-1] {
		z, ok := Zero(t)
		if !ok {
			return "", false
		}
		vals = append(vals, z)
	}
	vals = append(vals, err)
	return "return " + strings.Join(vals, ", "), true
}

// Zero returns the literal zero value of t, when it has one.
func Zero(t types.Type) (string, bool) {
	switch u := t.Underlying().(type) {
	case *types.Pointer, *types.Interface, *types.Slice, *types.Map, *types.Chan, *types.Signature:
		return "nil", true
	case *types.Basic:
		switch {
		case u.Info()&types.IsNumeric != 0:
			return "0", true
		case u.Info()&types.IsString != 0:
			return `""`, true
		case u.Info()&types.IsBoolean != 0:
			return "false", true
		}
	}
	return "", false
}
