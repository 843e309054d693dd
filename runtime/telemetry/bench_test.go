package telemetry_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilvet/resilvet/runtime/breaker"
	"github.com/resilvet/resilvet/runtime/bulkhead"
	"github.com/resilvet/resilvet/runtime/retry"
	"github.com/resilvet/resilvet/runtime/telemetry"
)

// A wired breaker or bulkhead runs the same call path as an unwired one:
// their hooks fire on transitions and rejections only, and their gauges are
// read at scrape time. A wired retry policy pays one counter increment per
// attempt. Compare the plain and wired pairs.

func BenchmarkBreakerClosed(b *testing.B) {
	run := func(b *testing.B, br *breaker.Breaker) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			_ = br.Do(ctx, succeed)
		}
	}
	b.Run("plain", func(b *testing.B) { run(b, breaker.New("dep", breaker.Config{})) })
	b.Run("wired", func(b *testing.B) {
		run(b, telemetry.New(prometheus.NewRegistry(), "svc").NewBreaker("dep", breaker.Config{}))
	})
}

func BenchmarkBulkhead(b *testing.B) {
	run := func(b *testing.B, bh *bulkhead.Bulkhead) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			_ = bh.Do(ctx, succeed)
		}
	}
	b.Run("plain", func(b *testing.B) { run(b, bulkhead.New("dep", 10)) })
	b.Run("wired", func(b *testing.B) { run(b, telemetry.New(prometheus.NewRegistry(), "svc").NewBulkhead("dep", 10)) })
}

func BenchmarkRetrySuccess(b *testing.B) {
	run := func(b *testing.B, p retry.Policy) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			_ = retry.Do(ctx, p, succeed)
		}
	}
	b.Run("plain", func(b *testing.B) { run(b, retry.Policy{}) })
	b.Run("wired", func(b *testing.B) {
		run(b, telemetry.New(prometheus.NewRegistry(), "svc").Retry("dep", retry.Policy{}))
	})
}
