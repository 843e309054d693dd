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
