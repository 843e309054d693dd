package analyzers_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers"
	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
)

// TestDoc: every check's Doc, taken from its doc.go, opens with one summary
// line in one form, "<name>: report ...", and goes on to the code that does
// it right; its URL is its section of docs/checks.md.
func TestDoc(t *testing.T) {
	want := map[string]struct{ summary, detail string }{
		"abandonedsend":  {"report sends that block forever once the receiver stops waiting", "make(chan result, 1)"},
		"ctxbackground":  {"report context.Background and context.TODO where a caller's context is in scope", "context.WithoutCancel(ctx)"},
		"livenessdeps":   {"report liveness endpoints that call databases or other services", "runtime/health"},
		"lockupgrade":    {"report RWMutex read-to-write upgrades that act on stale state", "double-checked locking"},
		"missingidemkey": {"report POST and PATCH requests retried without one stable idempotency key", "Idempotency-Key"},
		"missingtimeout": {"report HTTP clients, HTTP servers and dialers that can wait forever", "ReadHeaderTimeout: 10 * time.Second"},
		"unboundedretry": {"report retry loops with no bound, no backoff, no cancellation or leaked bodies", "retry.Wait(ctx, retry.Backoff(policy, attempt))"},
	}
	require.Len(t, analyzers.All(), len(want))
	for _, a := range analyzers.All() {
		t.Run(a.Name, func(t *testing.T) {
			w, ok := want[a.Name]
			require.True(t, ok, "a check this test does not know")
			first, rest, _ := strings.Cut(a.Doc, "\n")
			assert.Equal(t, a.Name+": "+w.summary, first)
			assert.Contains(t, rest, w.detail)
			assert.Equal(t, checkdoc.URL(a.Name), a.URL)
		})
	}
}
