package antipatterns

import (
	"context"
	"time"
)

type recommendation struct {
	ids []string
	err error
}

// RecommendationsWithin gives the recommendation service a budget, but the
// goroutine that asked is left blocked on its unbuffered result channel
// when the budget wins: every slow call leaks one goroutine.
func (svc *Service) RecommendationsWithin(ctx context.Context, productID string, budget time.Duration) ([]string, error) {
	ch := make(chan recommendation)
	go func() {
		ids, err := svc.downstream.ForProduct(ctx, productID)
		ch <- recommendation{ids, err}
	}()
	select {
	case r := <-ch:
		return r.ids, r.err
	case <-time.After(budget):
		return nil, nil // render the page without recommendations
	}
}
