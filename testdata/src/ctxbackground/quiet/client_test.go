package quiet

import (
	"context"
	"testing"
)

func lookupHelper(ctx context.Context, t *testing.T, c *Client) {
	if _, err := c.lookup(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
}

func TestClient(t *testing.T) {
	c := &Client{lookup: func(context.Context, string) (string, error) { return "", nil }}
	lookupHelper(context.Background(), t, c)
}
