package analyzers_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

// TestTestSupportIsSkipped runs every check over testdata/src/testsupport/<check>:
// the package there holds a finding of the check; its copies in packages
// that only tests import (internal/testutil, kafkatesting, e2e/..., ...)
// must stay quiet. testsupport/missingtimeout also holds an internal package
// only app_test.go imports (quiet whatever its name) and one app.go imports
// (reported).
func TestTestSupportIsSkipped(t *testing.T) {
	testdata := testkit.TestData(t)
	for _, a := range analyzers.All() {
		t.Run(a.Name, func(t *testing.T) {
			analysistest.Run(t, testdata, a, "testsupport/"+a.Name+"/...")
		})
	}
}
