package memo

import (
	"context"
	"testing"
)

// Tests seed the memos directly; that is set-up, not a writer racing the
// client's own fetch.
func TestSeededCapabilities(t *testing.T) {
	c := NewClient(nil, "default")
	c.caps = &Capabilities{Signals: true}
	c.nsData = &namespaceData{limits: &Limits{MaxRequests: 1}}
	caps, err := c.capabilities(context.Background())
	if err != nil || !caps.Signals {
		t.Fatal(caps, err)
	}
}
