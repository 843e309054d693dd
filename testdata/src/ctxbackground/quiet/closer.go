package quiet

import "context"

// drainer is a connection pool that can be drained.
type drainer interface {
	Close(ctx context.Context) error
}

// Conns sends requests through a pool of connections.
type Conns struct {
	pool drainer
}

// Close drains the pool. ctx bounds only how long Close waits for the
// drain; the drain itself runs to completion, so requests in flight finish.
func (c *Conns) Close(ctx context.Context) error {
	drained := make(chan error, 1)
	go func() {
		drained <- c.pool.Close(context.Background())
	}()
	select {
	case err := <-drained:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
