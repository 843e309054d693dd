package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/internal/lsp"
)

// runLSP serves the Language Server Protocol on stdin and stdout:
// `resilvet lsp`. (A package named lsp is analysed as ./lsp.)
func runLSP(args []string, all []*analysis.Analyzer, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "resilvet: lsp takes no arguments; settings come from the editor (see docs/editors.md)\n")
		return exitError
	}
	if err := lsp.Serve(context.Background(), stdio{}, lsp.Options{Suite: all, Tests: true}); err != nil {
		fmt.Fprintf(stderr, "resilvet: lsp: %v\n", err)
		return exitError
	}
	return exitClean
}

// stdio is the server's end of the editor's pipes.
type stdio struct{}

func (stdio) Read(p []byte) (int, error)  { return os.Stdin.Read(p) }
func (stdio) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (stdio) Close() error                { return os.Stdin.Close() }
