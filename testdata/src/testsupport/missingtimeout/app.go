// Package missingtimeout keeps a shared client.
package missingtimeout

import "net/http"

var Client = &http.Client{} // want `long-lived http.Client has no Timeout`
