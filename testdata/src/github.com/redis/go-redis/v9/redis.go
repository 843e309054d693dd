// Package redis is a stub of github.com/redis/go-redis/v9 for analyzer fixtures.
package redis

import "context"

type StatusCmd struct{ err error }

func (c *StatusCmd) Err() error { return c.err }

type Client struct{}

func (c *Client) Ping(ctx context.Context) *StatusCmd { return &StatusCmd{} }
func (c *Client) PoolStats() int                      { return 0 }
