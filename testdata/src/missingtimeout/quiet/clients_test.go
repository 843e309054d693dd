package quiet

import (
	"net"
	"net/http"
	"testing"
)

var testClient = &http.Client{}

func TestFetch(t *testing.T) {
	resp, err := http.Get("http://127.0.0.1:1/")
	if err == nil {
		resp.Body.Close()
	}
	go http.ListenAndServe("127.0.0.1:0", nil)
	if c, err := net.Dial("tcp", "127.0.0.1:1"); err == nil {
		c.Close()
	}
	_ = testClient
}
