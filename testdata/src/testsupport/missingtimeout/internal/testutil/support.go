// Package testutil keeps a shared client.
package testutil

import "net/http"

var Client = &http.Client{}
