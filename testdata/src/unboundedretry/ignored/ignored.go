// Package ignored shows the directive silencing unboundedretry.
package ignored

import (
	"net/http"
	"time"
)

// waitForSidecar blocks startup until the local sidecar answers; forever
// is the point, and the directive says so.
func waitForSidecar(c *http.Client) *http.Response {
	//resilvet:ignore unboundedretry startup must not proceed without the sidecar
	for {
		resp, err := c.Get("http://127.0.0.1:15000/ready")
		if err == nil {
			return resp
		}
		time.Sleep(time.Second) //resilvet:ignore unboundedretry the sidecar is local; a fixed poll is fine
	}
}

func noReason(c *http.Client) *http.Response {
	//resilvet:ignore unboundedretry // want `resilvet:ignore directive for unboundedretry has no reason`
	for { // want `retry loop has no bound`
		resp, err := c.Get("http://127.0.0.1:15000/ready")
		if err == nil {
			return resp
		}
		time.Sleep(time.Second) // want `retry waits a constant time.Second`
	}
}
