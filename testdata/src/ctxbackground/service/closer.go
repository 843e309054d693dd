package service

import "context"

// transport is a connection pool that can be drained.
type transport interface {
	Close(ctx context.Context) error
	Flush(ctx context.Context) (int, error)
}

// Pool sends requests through a transport.
type Pool struct {
	tr transport
}

// Close drains the transport and waits for the drain however long it
// takes: the caller's deadline bounds nothing here.
func (p *Pool) Close(ctx context.Context) error {
	drained := make(chan error, 1)
	go func() {
		drained <- p.tr.Close(context.Background()) // want `context.Background\(\) in a goroutine drops the values of ctx in scope; pass context.WithoutCancel\(ctx\)`
	}()
	return <-drained
}

// Flush waits for the flush or for ctx, but the goroutine computes a count
// the function returns: once the wait ends its work is wasted.
func (p *Pool) Flush(ctx context.Context) (int, error) {
	var n int
	flushed := make(chan error, 1)
	go func() {
		var err error
		n, err = p.tr.Flush(context.Background()) // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
		flushed <- err
	}()
	select {
	case err := <-flushed:
		return n, err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
