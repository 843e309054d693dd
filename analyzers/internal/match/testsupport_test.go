package match

import (
	"go/types"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTestSupport(t *testing.T) {
	for path, want := range map[string]bool{
		"github.com/nats-io/nats.go/internal/testing":         true,
		"k8s.io/client-go/tools/cache/testing":                true,
		"github.com/segmentio/kafka-go/kafkatesting":          true,
		"example.com/svc/testutil":                            true,
		"example.com/svc/internal/testutils":                  true,
		"example.com/svc/testhelpers":                         true,
		"example.com/svc/test/e2e":                            true,
		"example.com/svc/e2etest/framework":                   true,
		"example.com/svc/internal/testenv":                    true,
		"example.com/svc/internal/gotest/harness":             true,
		"example.com/svc/testutil_test":                       true,
		"example.com/svc":                                     false,
		"example.com/svc_test":                                false,
		"example.com/svc/internal/transport":                  false,
		"example.com/svc/latest":                              false,
		"example.com/contest/internal/store":                  false,
		"example.com/svc/attestation":                         false,
		"github.com/hashicorp/go-retryablehttp":               false,
		"github.com/prometheus/client_golang/prometheus/push": false,
	} {
		assert.Equal(t, want, TestSupport(types.NewPackage(path, "p")), path)
	}
}
