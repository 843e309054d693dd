package missingtimeout

import (
	"testing"

	"testsupport/missingtimeout/internal/apiclient"
	"testsupport/missingtimeout/internal/faultproxy"
)

func TestPing(t *testing.T) {
	p := faultproxy.New("http://127.0.0.1:8474")
	defer p.Reset()
	if err := apiclient.New().Ping("http://127.0.0.1:8080"); err != nil {
		t.Skip(err)
	}
}
