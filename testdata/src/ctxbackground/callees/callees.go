// Package callees hands fresh root contexts to helpers that return nothing
// but still do I/O with the context they get.
package callees

import (
	"context"
	"log"
	"net/http"
	"time"
)

type Cache struct {
	hc   *http.Client
	base string
}

// refresh reloads one entry; failures are only logged, so it returns
// nothing, but its request honours ctx.
func (c *Cache) refresh(ctx context.Context, key string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/"+key, nil)
	if err != nil {
		log.Printf("refresh %s: %v", key, err)
		return
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		log.Printf("refresh %s: %v", key, err)
		return
	}
	resp.Body.Close()
}

// Get refreshes a stale entry while the caller waits for it.
func (c *Cache) Get(ctx context.Context, key string) {
	c.refresh(context.Background(), key) // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
}

// Sweep refreshes every key in a goroutine with a timeout of its own,
// but from a new root: the caller's trace values are lost.
func (c *Cache) Sweep(ctx context.Context, keys []string) {
	go func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute) // want `context.Background\(\) in a goroutine drops the values of ctx in scope; pass context.WithoutCancel\(ctx\)`
		defer cancel()
		for _, k := range keys {
			c.refresh(sctx, k)
		}
	}()
}

// Pager walks the pages of a listing; the page function makes the requests.
type Pager struct {
	page func(ctx context.Context, token string) (string, error)
}

func NewPager(page func(ctx context.Context, token string) (string, error)) *Pager {
	return &Pager{page: page}
}

// List calls the page function with ctx until it returns no next token.
func (p *Pager) List(ctx context.Context) error {
	token := ""
	for {
		next, err := p.page(ctx, token)
		if err != nil || next == "" {
			return err
		}
		token = next
	}
}

// listAll's page function uses the context the pager gives it, so the
// Background root reaches every request: the caller's deadline is lost.
func (c *Cache) listAll(ctx context.Context) error {
	pager := NewPager(func(pctx context.Context, token string) (string, error) {
		req, err := http.NewRequestWithContext(pctx, http.MethodGet, c.base+"?page="+token, nil)
		if err != nil {
			return "", err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		return resp.Header.Get("Next-Page"), nil
	})
	return pager.List(context.Background()) // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
}
