// Package quiet holds code that legitimately starts new root contexts; the
// check must stay silent on all of it.
package quiet

import (
	"context"
	"errors"
	"log"
	"net/http"
	"sync"
	"time"
)

// rootCtx is a package-level root: there is no caller yet.
var rootCtx = context.Background()

type Queue interface {
	Pop(ctx context.Context) (string, error)
	Ack(ctx context.Context, id string) error
	Nack(ctx context.Context, id string) error
}

// Worker owns a lifetime of its own, independent of any request.
type Worker struct {
	q      Queue
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewWorker has no caller context in scope.
func NewWorker(q Queue) *Worker {
	ctx, cancel := context.WithCancel(context.Background())
	return &Worker{q: q, ctx: ctx, cancel: cancel}
}

// Start stores a root context in a field: the worker outlives Start's caller.
func (w *Worker) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.wg.Add(1)
	go w.loop()
	return nil
}

func (w *Worker) loop() {
	defer w.wg.Done()
	for {
		id, err := w.q.Pop(w.ctx)
		if err != nil {
			return
		}
		if err := w.q.Ack(w.ctx, id); err != nil {
			log.Printf("ack %s: %v", id, err)
		}
	}
}

// Handle nacks the message in deferred cleanup, which must run even when
// ctx has been cancelled.
func (w *Worker) Handle(ctx context.Context, id string, fn func(context.Context) error) (err error) {
	defer func() {
		if err != nil {
			cctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if nerr := w.q.Nack(cctx, id); nerr != nil {
				log.Printf("nack %s: %v", id, nerr)
			}
		}
	}()
	return fn(ctx)
}

// Run serves until ctx is done, then drains with a fresh deadline: ctx is
// already cancelled by then, so passing it would abort the drain.
func (w *Worker) Run(ctx context.Context, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	case err := <-errc:
		return err
	}
}

// Serve waits for cancellation and then shuts down.
func (w *Worker) Serve(ctx context.Context, srv *http.Server) error {
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Printf("shutdown: %v", err)
		}
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Poll loops until ctx is done, then flushes.
func (w *Worker) Poll(ctx context.Context, tick <-chan time.Time) error {
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick:
			if _, err := w.q.Pop(ctx); err != nil {
				log.Printf("poll: %v", err)
			}
		}
	}
	flushCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return w.q.Ack(flushCtx, "flush")
}

// Stop cleans up after cancellation is observed.
func (w *Worker) Stop(ctx context.Context) error {
	if ctx.Err() != nil {
		return w.q.Ack(context.Background(), "stop")
	}
	w.cancel()
	w.wg.Wait()
	return nil
}

// OnCancel registers cleanup that runs after ctx is done.
func (w *Worker) OnCancel(ctx context.Context, id string) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		if err := w.q.Nack(context.Background(), id); err != nil {
			log.Printf("nack %s: %v", id, err)
		}
	})
}
