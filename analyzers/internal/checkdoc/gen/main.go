// Command gen writes docs/checks.md from the analyzers' Doc, that is from
// each check's doc.go. Run it from the module root:
//
//	go run ./analyzers/internal/checkdoc/gen
package main

import (
	"log"
	"os"

	"github.com/resilvet/resilvet/analyzers"
	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
)

func main() {
	if err := os.WriteFile("docs/checks.md", checkdoc.Markdown(analyzers.All()), 0o644); err != nil {
		log.Fatal(err)
	}
}
