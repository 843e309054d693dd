package quiet

import (
	"context"
	"net/http"
	"sync"
	"time"
)

type Tracer interface {
	Start(ctx context.Context, name string) (context.Context, func())
}

// noopTracer ignores its context on purpose: the parameter is named _.
type noopTracer struct{}

func (noopTracer) Start(_ context.Context, name string) (context.Context, func()) {
	return context.Background(), func() {}
}

type Client struct {
	http   *http.Client
	once   sync.Once
	token  string
	tracer Tracer
	lookup func(context.Context, string) (string, error)
}

// Get accepts a nil context, as older APIs did.
func (c *Client) Get(ctx context.Context, url string) (*http.Response, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.http.Do(req)
}

// Token is fetched once for all callers; one caller's cancellation must not
// fail everybody else's first call.
func (c *Client) Token(ctx context.Context) string {
	c.once.Do(func() {
		tctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		c.token, _ = c.lookup(tctx, "token")
	})
	return c.token
}

// Detached keeps the values and drops cancellation: the fixed form.
func (c *Client) Detached(ctx context.Context, url string) {
	go func() {
		dctx := context.WithoutCancel(ctx)
		if resp, err := c.Get(dctx, url); err == nil {
			resp.Body.Close()
		}
	}()
}

// Batch shadows ctx deliberately for a sub-task that must not be cut short.
func (c *Client) Batch(ctx context.Context, urls []string) error {
	for _, u := range urls {
		if u == "" {
			ctx := context.Background()
			if _, err := c.lookup(ctx, "default"); err != nil {
				return err
			}
			continue
		}
		if _, err := c.Get(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// Resolver returns a callback that may run long after Resolver's caller.
func (c *Client) Resolver(ctx context.Context) func(string) (string, error) {
	return func(name string) (string, error) {
		return c.lookup(context.Background(), name)
	}
}

// Each hands out callbacks whose own context parameter is unused on purpose.
func (c *Client) Each(ctx context.Context, visit func(func(context.Context) error) error) error {
	return visit(func(_ context.Context) error {
		_, err := c.lookup(context.Background(), "each")
		return err
	})
}

// Reset reassigns ctx, so the name no longer means the caller's context.
func (c *Client) Reset(ctx context.Context, url string, detach bool) error {
	if detach {
		ctx = rootCtx
	}
	_, err := c.lookup(context.Background(), url)
	return err
}

// Warm has no context in scope at all.
func (c *Client) Warm(names []string) {
	for _, n := range names {
		_, _ = c.lookup(context.Background(), n)
	}
}
