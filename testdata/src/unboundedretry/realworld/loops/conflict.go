package loops

import (
	"context"
	"errors"
	"net/http"
)

var errConflict = errors.New("conflict")

// IsConflict reports whether err is a write conflict.
func IsConflict(err error) bool { return errors.Is(err, errConflict) }

// Lease is a lock record kept on a server, updated optimistically.
type Lease struct {
	hc      *http.Client
	url     string
	version int
}

func (l *Lease) get(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := l.hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (l *Lease) update(ctx context.Context, version int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, l.url, nil)
	if err != nil {
		return err
	}
	resp, err := l.hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusConflict {
		return errConflict
	}
	return nil
}

// release re-reads the record and tries again when a concurrent writer
// bumped its version: the server answered, there is nothing to back off
// from, and each round some writer wins.
func (l *Lease) release(ctx context.Context) bool {
	v, err := l.get(ctx)
	if err != nil {
		return false
	}
	if err := l.update(ctx, v); err != nil {
		if IsConflict(err) {
			return l.release(ctx)
		}
		return false
	}
	return true
}

// releaseHammer is the twin: any failure, a server down included, is
// retried at once.
func (l *Lease) releaseHammer(ctx context.Context) bool {
	v, err := l.get(ctx) // want `l.get is retried at once with no wait`
	if err != nil {
		return false
	}
	if err := l.update(ctx, v); err != nil {
		return l.releaseHammer(ctx) // want `retry by recursion has no bound`
	}
	return true
}
