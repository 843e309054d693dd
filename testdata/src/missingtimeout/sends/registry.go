package sends

import (
	"context"
	"io"
	"net/http"
	"sync"
)

// uploader pushes blobs of any size: its requests carry the caller's
// context, and a Client.Timeout would cut a large upload.
type uploader struct {
	mu     sync.Mutex
	client *http.Client
	base   string
}

func newUploader(rt http.RoundTripper, base string) *uploader {
	return &uploader{client: &http.Client{Transport: rt}, base: base}
}

func (u *uploader) httpClient() *http.Client {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.client
}

func (u *uploader) Put(ctx context.Context, name string, body io.Reader) error {
	req, err := http.NewRequest(http.MethodPut, u.base+"/"+name, body)
	if err != nil {
		return err
	}
	resp, err := u.httpClient().Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// abort cancels an upload in the background, with no deadline at all.
func (u *uploader) abort(loc string) {
	req, err := http.NewRequest(http.MethodDelete, loc, nil)
	if err != nil {
		return
	}
	resp, err := u.httpClient().Do(req) // want `u.httpClient\(\).Do sends a request without a deadline on an http.Client with no Timeout \(built at registry.go:19\), so a slow server can hang it forever; send it with a context that has a deadline`
	if err == nil {
		resp.Body.Close()
	}
}
