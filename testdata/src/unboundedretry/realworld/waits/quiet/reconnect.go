package quiet

import (
	"context"
	"net"
	"time"
)

// backoffState hands out growing, jittered delays.
type backoffState struct{ n int }

func (b *backoffState) Duration() time.Duration {
	b.n++
	return time.Duration(b.n) * 100 * time.Millisecond
}

// reconnect waits at least what the server asked for and at least the
// backoff: the delay is computed from itself (max(0, delay, ...)), which the
// model must classify without going round the assignment forever.
func reconnect(ctx context.Context, addr string, asked func(error) time.Duration) (net.Conn, error) {
	var b backoffState
	var delay time.Duration
	for attempt := 0; attempt < 10; attempt++ {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn, nil
		}
		delay = asked(err)
		delay = max(0, delay, b.Duration())
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, errGiveUp
}
