package deadline

import (
	"context"
	"errors"
	"testing"
	"time"
)

// at fixes the package clock so that ctx (deadline an hour away in real
// time, so it never fires during the test) has exactly left remaining.
func at(t *testing.T, left time.Duration) context.Context {
	t.Helper()
	dl := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), dl)
	t.Cleanup(cancel)
	now = func() time.Time { return dl.Add(-left) }
	t.Cleanup(func() { now = time.Now })
	return ctx
}

func TestRemaining(t *testing.T) {
	if _, ok := Remaining(context.Background()); ok {
		t.Fatal("Background has a deadline?")
	}
	ctx := at(t, 300*time.Millisecond)
	if d, ok := Remaining(ctx); !ok || d != 300*time.Millisecond {
		t.Fatalf("Remaining = %v, %v", d, ok)
	}
}

func TestTimeout(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		left time.Duration
		want time.Duration
		opts []Option
		got  time.Duration
		err  bool
	}{
		{"want fits", 500 * ms, 200 * ms, nil, 200 * ms, false},
		{"capped by budget", 150 * ms, 200 * ms, nil, 150 * ms, false},
		{"margin kept back", 150 * ms, 200 * ms, []Option{WithMargin(20 * ms)}, 130 * ms, false},
		{"whatever is left", 300 * ms, 0, []Option{WithMargin(50 * ms)}, 250 * ms, false},
		{"fraction", 500 * ms, 0, []Option{WithFraction(0.4)}, 200 * ms, false},
		{"fraction and want", 500 * ms, 100 * ms, []Option{WithFraction(0.4)}, 100 * ms, false},
		{"below minimum", 40 * ms, 200 * ms, []Option{WithMinimum(50 * ms)}, 0, true},
		{"margin eats all", 20 * ms, 200 * ms, []Option{WithMargin(20 * ms)}, 0, true},
		{"past", -5 * ms, 200 * ms, nil, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := at(t, tc.left)
			got, err := Timeout(ctx, tc.want, tc.opts...)
			if got != tc.got || (err != nil) != tc.err {
				t.Fatalf("Timeout = %v, %v; want %v, error %v", got, err, tc.got, tc.err)
			}
			if tc.err && !errors.Is(err, ErrBudgetExhausted) {
				t.Fatalf("error %v does not wrap ErrBudgetExhausted", err)
			}
		})
	}
}

func TestNoDeadline(t *testing.T) {
	if d, err := Timeout(context.Background(), 2*time.Second); d != 2*time.Second || err != nil {
		t.Fatalf("Timeout = %v, %v", d, err)
	}
	ctx, cancel, err := WithTimeout(context.Background(), 0)
	defer cancel()
	if _, ok := ctx.Deadline(); ok || err != nil {
		t.Fatalf("deadline invented from nothing (err %v)", err)
	}
	cancel()
	if ctx.Err() != context.Canceled {
		t.Fatal("cancel does not cancel the derived context")
	}
}

func TestWithTimeoutDerivesFromParent(t *testing.T) {
	parent, pcancel := context.WithCancel(context.Background())
	ctx, cancel, err := WithTimeout(parent, time.Hour)
	defer cancel()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ctx.Deadline(); !ok {
		t.Fatal("no deadline set")
	}
	pcancel()
	<-ctx.Done() // the parent's cancellation reaches the call
}

func TestWithTimeoutRefuses(t *testing.T) {
	ctx := at(t, 10*time.Millisecond)
	c, cancel, err := WithTimeout(ctx, time.Second, WithMinimum(50*time.Millisecond))
	defer cancel()
	if !errors.Is(err, ErrBudgetExhausted) || c != ctx {
		t.Fatalf("err %v, ctx changed %v", err, c != ctx)
	}
	done, dcancel := context.WithCancel(context.Background())
	dcancel()
	if _, err := Timeout(done, time.Second); err != context.Canceled {
		t.Fatalf("done ctx: %v", err)
	}
}

func TestStartNeverExtends(t *testing.T) {
	ctx := at(t, time.Second)
	outer, _ := ctx.Deadline()
	c, cancel := Start(ctx, 24*time.Hour)
	defer cancel()
	if d, _ := c.Deadline(); !d.Equal(outer) {
		t.Fatalf("Start moved the deadline from %v to %v", outer, d)
	}
}
