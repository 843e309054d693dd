package quiet

import (
	"context"
	"net/http"
)

// Pager walks the pages of a listing; the page function makes the requests.
type Pager struct {
	page func(ctx context.Context, token string) (next string, err error)
}

func NewPager(page func(ctx context.Context, token string) (string, error)) *Pager {
	return &Pager{page: page}
}

// List calls the page function until it returns no next token.
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

// listAll builds the pager over a page function that closes over the
// caller's ctx, so every request carries its deadline; the Background root
// only drives the pager's own loop, which ends when a request fails.
func listAll(ctx context.Context, c *http.Client, url string) error {
	pager := NewPager(func(_ context.Context, token string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"?page="+token, nil)
		if err != nil {
			return "", err
		}
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		return resp.Header.Get("Next-Page"), nil
	})
	return pager.List(context.Background())
}
