package retryloop

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
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
	p, e := pass.Fset.Position(n.Pos()), pass.Fset.Position(n.End())
	src, err := pass.ReadFile(p.Filename)
	if err != nil || e.Offset > len(src) {
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

// AddImport returns the edit adding path to f's imports, kept sorted in
// the first import block, or nil when f imports it already. ok is false
// when name is taken in f.
func AddImport(pass *analysis.Pass, f *ast.File, path, name string) ([]analysis.TextEdit, bool) {
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
		for _, s := range gd.Specs {
			spec := s.(*ast.ImportSpec)
			if spec.Path.Value > quoted {
				return []analysis.TextEdit{{Pos: spec.Pos(), End: spec.Pos(), NewText: []byte(quoted + "\n\t")}}, true
			}
		}
		last := gd.Specs[len(gd.Specs)-1]
		return []analysis.TextEdit{{Pos: last.End(), End: last.End(), NewText: []byte("\n\t" + quoted)}}, true
	}
	return []analysis.TextEdit{{Pos: f.Name.End(), End: f.Name.End(), NewText: []byte("\n\nimport " + quoted)}}, true
}

// RuntimeAvailable reports whether the package can import resilvet's
// runtime without a new dependency: it is resilvet, or it already imports a
// resilvet package, directly or not. Fixes that would import the runtime
// into a module that does not require it would not build.
func RuntimeAvailable(pass *analysis.Pass) bool {
	const prefix = "github.com/resilvet/resilvet"
	seen := map[*types.Package]bool{}
	var walk func(p *types.Package) bool
	walk = func(p *types.Package) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		if p.Path() == prefix || strings.HasPrefix(p.Path(), prefix+"/") {
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
