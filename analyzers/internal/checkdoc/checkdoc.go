// Package checkdoc derives an analyzer's Doc from the package comment of its
// doc.go, so that a check's words are written once.
//
// The package comment holds a "# Analyzer <name>" heading; what follows it
// is the Doc: the one-line summary "<name>: report ...", then the details.
// A check embeds its doc.go and declares its Analyzer as the x/tools passes
// do, with its words from Extract and its page from URL:
//
//	//go:embed doc.go
//	var doc string
//
//	var Analyzer = &analysis.Analyzer{
//		Name:     "abandonedsend",
//		Doc:      checkdoc.Extract(doc, "abandonedsend"),
//		URL:      checkdoc.URL("abandonedsend"),
//		Requires: []*analysis.Analyzer{inspect.Analyzer},
//		Run:      run,
//	}
package checkdoc

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
)

// URL is the address of a check's section of docs/checks.md, the page
// Markdown writes: the Analyzer's URL, shown by SARIF and editors.
func URL(name string) string {
	return "https://github.com/resilvet/resilvet/blob/main/docs/checks.md#" + name
}

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
