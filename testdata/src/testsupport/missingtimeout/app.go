// Package missingtimeout keeps a shared client.
package missingtimeout

import (
	"net/http"

	"testsupport/missingtimeout/internal/apiclient"
)

var Client = &http.Client{} // want `long-lived http.Client has no Timeout`

// API is the upstream API's client.
var API = apiclient.New()
