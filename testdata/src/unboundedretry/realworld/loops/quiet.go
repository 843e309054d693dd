package loops

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// KV is a store read with long polls: a read answers when the key changes.
type KV struct {
	hc        *http.Client
	retryTime time.Duration
}

func (kv *KV) get(key string, index uint64) (string, uint64, error) { return "", index, nil }

func (kv *KV) acquire(key string) (bool, error) { return false, nil }

func temporary(err error) bool { return !errors.Is(err, context.Canceled) }

// Watch rides out a few failures (RETRY, counted) and otherwise waits for
// the next change with a long poll (WAIT): neither is an unbounded retry.
func (kv *KV) Watch(key string, maxRetries int, changed chan<- string) {
	var index uint64
WAIT:
	retries := maxRetries
RETRY:
	v, next, err := kv.get(key, index)
	if err != nil {
		if retries > 0 && temporary(err) {
			time.Sleep(kv.retryTime)
			retries--
			goto RETRY
		}
		return
	}
	if next != index {
		index = next
		changed <- v
		goto WAIT
	}
}

// Lock waits for a lock another holder has: contention, not a failure; a
// stop channel ends the wait.
func (kv *KV) Lock(key string, stop <-chan struct{}) error {
	var index uint64
WAIT:
	select {
	case <-stop:
		return nil
	default:
	}
	holder, next, err := kv.get(key, index)
	if err != nil {
		return err
	}
	if holder != "" {
		index = next
		goto WAIT
	}
	locked, err := kv.acquire(key)
	if err != nil {
		return err
	}
	if !locked {
		select {
		case <-time.After(15 * time.Second):
			goto WAIT
		case <-stop:
			return nil
		}
	}
	return nil
}

// Estimate is polled until it leaves the queue: a wait for a state, not a
// retry of a failure.
type Estimate struct{ Status string }

func (kv *KV) readEstimate(ctx context.Context, id string) (*Estimate, error) {
	return &Estimate{}, nil
}

// EstimateLogs polls a queued estimate, then reads its logs.
func (kv *KV) EstimateLogs(ctx context.Context, id string) (*Estimate, error) {
	for {
		e, err := kv.readEstimate(ctx, id)
		if err != nil {
			return nil, err
		}
		switch e.Status {
		case "queued":
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Second):
				continue
			}
		}
		return e, nil
	}
}

// Request is sent by Raw, which follows one redirect.
type Request struct {
	URL *url.URL
}

func (r *Request) toHTTP() (*http.Request, error) {
	return http.NewRequest(http.MethodGet, r.URL.String(), nil)
}

// Raw follows a single redirect by jumping back: a different URL, and a
// success status, not a failure retried.
func (kv *KV) Raw(r *Request) (*http.Response, error) {
	redirects := 0
START:
	req, err := r.toHTTP()
	if err != nil {
		return nil, err
	}
	resp, err := kv.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if (resp.StatusCode == http.StatusMovedPermanently || resp.StatusCode == http.StatusTemporaryRedirect) && redirects == 0 {
		loc, err := resp.Location()
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		r.URL = loc
		redirects++
		goto START
	}
	return resp, nil
}

// Provider lets its user decide on retries with a hook.
type Provider struct {
	hc        *http.Client
	url       string
	RetryFunc func(ctx context.Context, err error, retries uint) error
}

// Request calls itself again when the user's hook allows it: the hook
// bounds and paces the retries.
func (p *Provider) Request(ctx context.Context, retries uint) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		if p.RetryFunc != nil {
			if e := p.RetryFunc(ctx, err, retries+1); e != nil {
				return nil, e
			}
			return p.Request(ctx, retries+1)
		}
		return nil, err
	}
	return resp, nil
}

// apiError is an error the API answered with.
type apiError struct{ code string }

func (e apiError) Error() string { return e.code }

func errorFrom(resp *http.Response) error {
	if resp.StatusCode == http.StatusTooManyRequests {
		return apiError{"rate_limit_exceeded"}
	}
	return nil
}

func retryableErr(err error) bool {
	var e apiError
	return errors.As(err, &e) && e.code == "rate_limit_exceeded"
}

// Call retries the error statuses the API marks retryable (rate limits),
// judged inside the status branch: 4xx as such are not retried.
func (p *Provider) Call(ctx context.Context, retries int) (*http.Response, error) {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := p.hc.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 400 && resp.StatusCode <= 599 {
			resp.Body.Close()
			err = errorFrom(resp)
			if err == nil {
				err = errors.New(resp.Status)
			} else if retryableErr(err) && retries > 0 {
				retries--
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(jitter()):
				}
				continue
			}
			return nil, err
		}
		return resp, nil
	}
}
