package loops

import (
	"context"
	"net/http"
	"net/url"
)

// Uploader starts blob uploads on a registry.
type Uploader struct {
	hc   *http.Client
	base string
}

// start asks the registry to mount the blob from another repository; when
// that request fails it asks once more without the mount: the second call
// is another request (from = ""), a fallback, not a retry of the first.
func (u *Uploader) start(ctx context.Context, from, mount string) (string, error) {
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
		q.Set("mount", mount)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.base+"/uploads/?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	resp, err := u.hc.Do(req)
	if err != nil {
		if from != "" {
			return u.start(ctx, "", "")
		}
		return "", err
	}
	defer resp.Body.Close()
	return resp.Header.Get("Location"), nil
}
