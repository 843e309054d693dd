// Command findings summarises `go vet -json` output (read from stdin): every
// finding as file:line:col: [check] message, then a count per check.
//
//	findings [-fixable] [-triage triage.tsv] [modcache]
//
// modcache is the module cache prefix to strip from positions, so that a
// location reads module@version/path/file.go:line:col. With -triage, the
// findings are checked against the judged rows of the file: a finding the file
// does not judge is reported and makes the command exit 1; rows that no
// longer occur are listed as information. With -fixable, only findings that
// carry a suggested fix are printed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	triagePath := flag.String("triage", "", "check the findings against this triage file")
	fixable := flag.Bool("fixable", false, "print only the findings that carry a suggested fix")
	flag.Parse()
	os.Exit(run(os.Stdin, os.Stdout, flag.Arg(0), *triagePath, *fixable))
}

func run(in io.Reader, out io.Writer, trim, triagePath string, fixable bool) int {
	fs, err := parseVet(in, trim)
	if err != nil {
		fmt.Fprintln(os.Stderr, "findings:", err)
		return 1
	}
	if fixable {
		fs = onlyFixable(fs)
	}
	printFindings(out, fs)
	if triagePath == "" {
		return 0
	}
	f, err := os.Open(triagePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "findings:", err)
		return 1
	}
	defer f.Close()
	rows, err := parseTriage(f)
	if err != nil {
		fmt.Fprintf(os.Stderr, "findings: %s: %v\n", triagePath, err)
		return 1
	}
	r := compare(fs, rows)
	r.print(out)
	if len(r.untriaged) > 0 {
		return 1
	}
	return 0
}
