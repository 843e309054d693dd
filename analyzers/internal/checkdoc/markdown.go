package checkdoc

import (
	"bytes"
	"flag"
	"fmt"
	"go/doc/comment"

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
// the given order, holding its Doc and its flags.
func Markdown(analyzers []*analysis.Analyzer) []byte {
	var buf bytes.Buffer
	buf.WriteString(header)
	var p comment.Parser
	pr := comment.Printer{}
	for _, a := range analyzers {
		fmt.Fprintf(&buf, "\n## %s\n\n", a.Name)
		buf.Write(pr.Markdown(p.Parse(a.Doc)))
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
