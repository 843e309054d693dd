// Package checkdoc derives an analyzer's Doc from the package comment of its
// doc.go, so that a check's words are written once.
//
// The package comment holds a "# Analyzer <name>" heading; what follows it
// is the Doc: the one-line summary "<name>: report ...", then the details.
// A check embeds its doc.go and calls Extract:
//
//	//go:embed doc.go
//	var docSource string
//
//	var Doc = checkdoc.Extract(docSource, "abandonedsend")
package checkdoc

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
)

// Extract returns the text after the "# Analyzer name" heading of the
// package comment in src, the source of a doc.go. It panics when there is
// none: that is a defect of the check, found by its first test.
func Extract(src, name string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", src, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil || f.Doc == nil {
		panic(fmt.Sprintf("checkdoc: %s: doc.go has no package comment", name))
	}
	_, doc, ok := strings.Cut(f.Doc.Text(), "# Analyzer "+name+"\n\n")
	if !ok {
		panic(fmt.Sprintf("checkdoc: %s: doc.go has no %q heading", name, "# Analyzer "+name))
	}
	return strings.TrimSpace(doc)
}
