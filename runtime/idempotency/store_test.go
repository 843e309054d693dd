package idempotency_test

import (
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/idempotency/internal/storetest"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Conformance(t, idempotency.NewMemoryStore())
}

func TestMemoryStoreOwnership(t *testing.T) {
	var now atomic.Int64
	s := idempotency.NewMemoryStoreClock(func() time.Time { return time.Unix(0, now.Load()) })
	storetest.Ownership(t, s, func(string) { now.Add(int64(2 * time.Minute)) })
}

func TestConcurrentDuplicatesRunOnceMemory(t *testing.T) {
	leakcheck.Check(t)
	storetest.ConcurrentDuplicates(t, idempotency.NewMemoryStore(), 300)
}

// Importing the package alone must not pull go-redis (or anything outside
// the standard library) into a user's build.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	assert.Equal(t, []string{"github.com/resilvet/resilvet/runtime/idempotency"}, deps)
}
