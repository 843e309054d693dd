package checkdoc

import (
	"bytes"
	"flag"
	"fmt"
	"go/doc/comment"
	"go/parser"
	"go/token"

	"golang.org/x/tools/go/analysis"
)

// header opens docs/checks.md; everything after it comes from the analyzers.
const header = `# resilvet checks

<!-- Generated from each check's doc.go by go run ./analyzers/internal/checkdoc/gen; do not edit. -->

One section per check: what it flags, bad and good code, the suggested fix and what stays quiet. The
failure stories behind them are those of the article "Building Resilient Distributed Systems with
Go" ([docs/article.md](article.md)). To silence a finding, see
[Silencing a finding](cli.md#silencing-a-finding).
`

// Markdown renders docs/checks.md: one "## name" section per analyzer, in
// the given order, holding its Doc and its flags. The Doc's headings become
// "###" headings and its code blocks fenced ones, marked go when they parse
// as Go (sample messages do not).
func Markdown(analyzers []*analysis.Analyzer) []byte {
	var buf bytes.Buffer
	buf.WriteString(header)
	for _, a := range analyzers {
		fmt.Fprintf(&buf, "\n## %s\n\n", a.Name)
		writeDoc(&buf, a.Doc)
		first := true
		a.Flags.VisitAll(func(f *flag.Flag) {
			if first {
				buf.WriteString("\nFlags:\n\n")
				first = false
			}
			fmt.Fprintf(&buf, "- `-%s.%s`", a.Name, f.Name)
			if f.DefValue != "" {
				fmt.Fprintf(&buf, " (default `%s`)", f.DefValue)
			}
			fmt.Fprintf(&buf, ": %s\n", f.Usage)
		})
	}
	return buf.Bytes()
}

// writeDoc renders a Doc as Markdown, block by block, so that code blocks
// are fenced rather than indented.
func writeDoc(buf *bytes.Buffer, text string) {
	var p comment.Parser
	d := p.Parse(text)
	// No heading IDs: GitHub derives its own anchors, and the {#id} syntax
	// of the default printer would show as text.
	pr := comment.Printer{HeadingLevel: 3, HeadingID: func(*comment.Heading) string { return "" }}
	for i, b := range d.Content {
		if i > 0 {
			buf.WriteString("\n")
		}
		code, ok := b.(*comment.Code)
		if !ok {
			buf.Write(pr.Markdown(&comment.Doc{Content: []comment.Block{b}, Links: d.Links}))
			continue
		}
		lang := ""
		if isGo(code.Text) {
			lang = "go"
		}
		fmt.Fprintf(buf, "```%s\n%s```\n", lang, code.Text)
	}
}

// isGo reports whether src parses as Go declarations or statements.
func isGo(src string) bool {
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", "package p\n"+src, 0); err == nil {
		return true
	}
	_, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+src+"\n}", 0)
	return err == nil
}
