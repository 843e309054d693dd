package missingtimeout_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/resilvet/resilvet/analyzers/missingtimeout"
)

func TestDoc(t *testing.T) {
	first, rest, _ := strings.Cut(missingtimeout.Analyzer.Doc, "\n")
	assert.Equal(t, "missingtimeout: report HTTP clients, HTTP servers and dialers that can wait forever", first)
	assert.Contains(t, rest, "ReadHeaderTimeout: 10 * time.Second")
}
