package lockupgrade_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/resilvet/resilvet/analyzers/lockupgrade"
)

func TestDoc(t *testing.T) {
	first, rest, _ := strings.Cut(lockupgrade.Analyzer.Doc, "\n")
	assert.Equal(t, "lockupgrade: report RWMutex read-to-write upgrades that act on stale state", first)
	assert.Contains(t, rest, "double-checked locking")
}
