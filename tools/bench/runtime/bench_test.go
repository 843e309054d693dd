// Package runtimebench compares resilvet's runtime hot paths with the
// libraries people reach for instead, side by side in one run. Names are
// Benchmark<Policy>/<mode>/<implementation>, so cmd/ratios can group them.
package runtimebench

import (
	"context"
	"testing"

	"github.com/failsafe-go/failsafe-go"
	fsbh "github.com/failsafe-go/failsafe-go/bulkhead"
	fscb "github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/semaphore"

	"github.com/resilvet/resilvet/runtime/adaptive"
	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/bulkhead"
)

const slots = 64 // never full with GOMAXPROCS callers: this measures the uncontended path

// run runs op serially or under b.RunParallel.
func run(b *testing.B, parallel bool, op func()) {
	b.ReportAllocs()
	if !parallel {
		for b.Loop() {
			op()
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			op()
		}
	})
}

var modes = []struct {
	name     string
	parallel bool
}{{"serial", false}, {"parallel", true}}

func nop(context.Context) error { return nil }

// BenchmarkBreaker measures a successful call through a closed breaker.
func BenchmarkBreaker(b *testing.B) {
	ctx := context.Background()
	for _, m := range modes {
		b.Run(m.name+"/resilvet", func(b *testing.B) {
			cb := breaker.New("dep", breaker.Config{})
			run(b, m.parallel, func() { _ = cb.Do(ctx, nop) })
		})
		b.Run(m.name+"/resilvet-call", func(b *testing.B) {
			cb := breaker.New("dep", breaker.Config{})
			run(b, m.parallel, func() {
				_, _ = breaker.Call(ctx, cb, func(context.Context) (int, error) { return 1, nil })
			})
		})
		b.Run(m.name+"/gobreaker", func(b *testing.B) {
			cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: "dep"})
			run(b, m.parallel, func() { _, _ = cb.Execute(func() (int, error) { return 1, nil }) })
		})
		b.Run(m.name+"/failsafe", func(b *testing.B) {
			cb := fscb.NewWithDefaults[any]()
			ex := failsafe.With[any](cb)
			run(b, m.parallel, func() { _ = ex.Run(func() error { return nil }) })
		})
		b.Run(m.name+"/failsafe-permit", func(b *testing.B) {
			cb := fscb.NewWithDefaults[any]()
			run(b, m.parallel, func() {
				if cb.TryAcquirePermit() {
					cb.RecordSuccess()
				}
			})
		})
	}
}

// BenchmarkBulkhead measures taking and giving back a free slot around a
// call.
func BenchmarkBulkhead(b *testing.B) {
	ctx := context.Background()
	for _, m := range modes {
		b.Run(m.name+"/resilvet", func(b *testing.B) {
			bh := bulkhead.New("dep", slots)
			run(b, m.parallel, func() { _ = bh.Do(ctx, nop) })
		})
		b.Run(m.name+"/semaphore", func(b *testing.B) {
			sem := semaphore.NewWeighted(slots)
			run(b, m.parallel, func() {
				if sem.Acquire(ctx, 1) == nil {
					_ = nop(ctx)
					sem.Release(1)
				}
			})
		})
		b.Run(m.name+"/failsafe", func(b *testing.B) {
			ex := failsafe.With[any](fsbh.New[any](slots))
			run(b, m.parallel, func() { _ = ex.Run(func() error { return nil }) })
		})
		b.Run(m.name+"/failsafe-permit", func(b *testing.B) {
			bh := fsbh.New[any](slots)
			run(b, m.parallel, func() {
				if bh.TryAcquirePermit() {
					bh.ReleasePermit()
				}
			})
		})
	}
}

// BenchmarkAdaptive measures acquire and release of an adaptive limit
// (including the RTT clock reads and the algorithm update), against a
// plain semaphore as the floor.
func BenchmarkAdaptive(b *testing.B) {
	ctx := context.Background()
	for _, m := range modes {
		b.Run(m.name+"/resilvet-vegas", func(b *testing.B) {
			l := adaptive.New(adaptive.NewVegas(adaptive.VegasConfig{}), adaptive.WithLimits(slots, 1, 1000))
			run(b, m.parallel, func() {
				if tok, ok := l.TryAcquire(); ok {
					tok.Success()
				}
			})
		})
		b.Run(m.name+"/resilvet-bulkhead-vegas", func(b *testing.B) {
			l := adaptive.New(adaptive.NewVegas(adaptive.VegasConfig{}), adaptive.WithLimits(slots, 1, 1000))
			bh := bulkhead.New("dep", 0, bulkhead.WithLimiter(l))
			run(b, m.parallel, func() { _ = bh.Do(ctx, nop) })
		})
		b.Run(m.name+"/semaphore", func(b *testing.B) {
			sem := semaphore.NewWeighted(slots)
			run(b, m.parallel, func() {
				if sem.TryAcquire(1) {
					sem.Release(1)
				}
			})
		})
	}
}
