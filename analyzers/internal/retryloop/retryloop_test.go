package retryloop_test

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/retryloop"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

var bounds = map[retryloop.Bound]string{
	retryloop.BoundNone: "none", retryloop.BoundAttempts: "attempts", retryloop.BoundDeadline: "deadline",
	retryloop.BoundContext: "context", retryloop.BoundOther: "other",
}

var waits = map[retryloop.WaitKind]string{
	retryloop.WaitUnknown: "unknown", retryloop.WaitConstant: "constant", retryloop.WaitGrowing: "growing",
	retryloop.WaitJittered: "jittered",
}

// describe reports the model of every retry, so the fixture pins it down.
var describe = &analysis.Analyzer{
	Name:     "describe",
	Doc:      "report the retry-loop model",
	Requires: []*analysis.Analyzer{retryloop.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		for _, l := range pass.ResultOf[retryloop.Analyzer].(*retryloop.Result).Loops {
			if l.Stmt == nil {
				pass.Reportf(l.Helper.Pos(), "helper retry")
				continue
			}
			wait, blind := "none", false
			for _, w := range l.Waits {
				wait = waits[w.Kind]
				blind = blind || (!w.CtxAware && l.Ctx != nil)
			}
			msg := fmt.Sprintf("retry bound=%s wait=%s blind=%v", bounds[l.Bound], wait, blind)
			for _, s := range l.RetriedStatuses {
				var cs []string
				for _, c := range s.Permanent {
					cs = append(cs, fmt.Sprint(c))
				}
				msg += " statuses=" + strings.Join(cs, ",")
			}
			if len(l.Unclosed) > 0 {
				msg += fmt.Sprintf(" unclosed=%d", len(l.Unclosed))
			}
			pass.Reportf(l.Stmt.Pos(), "%s", msg)
		}
		return nil, nil
	},
}

func TestModel(t *testing.T) {
	if err := retryloop.HelpersFlag.Set("unboundedretry/model/helper.Retry"); err != nil {
		t.Fatal(err)
	}
	defer retryloop.HelpersFlag.Set("")
	analysistest.Run(t, testkit.TestData(t), describe, "unboundedretry/model")
}
