// Package service calls downstream dependencies the way "Building Resilient Distributed Systems with Go"
// warns against: each call starts a new root context.
package service

import (
	"context"
	"errors"
	"log"
	"time"
)

type Downstream interface {
	Call(ctx context.Context) error
	Fetch(ctx context.Context, id string) ([]byte, error)
}

type Cache interface {
	Set(ctx context.Context, key string, val []byte) error
}

type Service struct {
	downstream Downstream
	cache      Cache
	audit      chan string
}

// CallDownstream is the article's WRONG example.
func (svc *Service) CallDownstream(ctx context.Context) error {
	newCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
	defer cancel()
	return svc.downstream.Call(newCtx)
}

// GetProduct passes a root context straight through.
func (svc *Service) GetProduct(ctx context.Context, id string) ([]byte, error) {
	if id == "" {
		return nil, errors.New("empty product id")
	}
	return svc.downstream.Fetch(context.TODO(), id) // want `context.TODO\(\) drops the deadline of ctx in scope; pass ctx`
}

// Warm stores a root context and uses it later.
func (svc *Service) Warm(ctx context.Context, ids []string) error {
	bg := context.Background() // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
	for _, id := range ids {
		b, err := svc.downstream.Fetch(bg, id)
		if err != nil {
			return err
		}
		if err := svc.cache.Set(bg, id, b); err != nil {
			return err
		}
	}
	return nil
}

// Refresh builds a value context on a fresh root inside a closure.
func (svc *Service) Refresh(ctx context.Context, ids []string) error {
	fetch := func(id string) error {
		valCtx := context.WithValue(context.Background(), traceKey{}, id) // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
		_, err := svc.downstream.Fetch(valCtx, id)
		return err
	}
	for _, id := range ids {
		if err := fetch(id); err != nil {
			return err
		}
	}
	return nil
}

// Publish hands audit work to a goroutine that outlives the call.
func (svc *Service) Publish(ctx context.Context, id string) {
	go func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second) // want `context.Background\(\) in a goroutine drops the values of ctx in scope; pass context.WithoutCancel\(ctx\)`
		defer cancel()
		if err := svc.downstream.Call(c); err != nil {
			log.Printf("audit %s: %v", id, err)
		}
	}()
}

// Prefetch starts a goroutine with a root context as its argument.
func (svc *Service) Prefetch(parent context.Context, id string) {
	go svc.prefetch(context.Background(), id) // want `context.Background\(\) in a goroutine drops the values of parent in scope; pass context.WithoutCancel\(parent\)`
}

func (svc *Service) prefetch(ctx context.Context, id string) {
	if _, err := svc.downstream.Fetch(ctx, id); err != nil {
		log.Printf("prefetch %s: %v", id, err)
	}
}

// CallWithDeadline is the article's RIGHT example: quiet.
func (svc *Service) CallWithDeadline(ctx context.Context) error {
	callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return svc.downstream.Call(callCtx)
}

// Detach is the fixed goroutine shape: quiet.
func (svc *Service) Detach(ctx context.Context, id string) {
	go svc.prefetch(context.WithoutCancel(ctx), id)
}

// Sync reuses the parameter's name for a context derived from a new root.
func (svc *Service) Sync(ctx context.Context, ids []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
	defer cancel()
	for _, id := range ids {
		ctx, cancel := context.WithTimeout(context.TODO(), time.Second) // want `context.TODO\(\) drops the deadline of ctx in scope; pass ctx`
		_, err := svc.downstream.Fetch(ctx, id)
		cancel()
		if err != nil {
			return err
		}
	}
	return svc.downstream.Call(ctx)
}

// Lookup runs the query in a goroutine and waits for it or for ctx: the
// goroutine does not outlive the call on purpose, so it gets ctx itself.
func (svc *Service) Lookup(ctx context.Context, id string) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := svc.downstream.Fetch(context.Background(), id) // want `context.Background\(\) drops the deadline of ctx in scope; pass ctx`
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type traceKey struct{}
