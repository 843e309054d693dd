package realworld

import "context"

// A hand-rolled fan-out without errgroup: one goroutine per item, and the
// collecting loop returns at the first error. Every sender not yet received
// stays blocked (the shape the Go blog's pipelines article warns about).

type Item struct{ ID string }

func store(ctx context.Context, it Item) error { return ctx.Err() }

func StoreAll(ctx context.Context, items []Item) error {
	errs := make(chan error)
	for _, it := range items {
		go func(it Item) {
			errs <- store(ctx, it) // want `send on errs blocks forever once the return at line 22 leaves the receiving loop before every sender was received: .*make\(chan error, len\(items\)\)`
		}(it)
	}
	for i := 0; i < len(items); i++ {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}
