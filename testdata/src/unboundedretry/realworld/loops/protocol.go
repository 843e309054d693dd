package loops

import (
	"context"
	"errors"
	"net"
)

var (
	errRebootstrap   = errors.New("rebootstrap required")
	errVersionsReset = errors.New("api versions reset")
)

// Member is a consumer-group member talking a broker protocol.
type Member struct {
	d net.Dialer
}

func (m *Member) send(ctx context.Context, op string) (string, error) {
	c, err := m.d.DialContext(ctx, "tcp", "broker:9092")
	if err != nil {
		return "", err
	}
	defer c.Close()
	return op, nil
}

func (m *Member) reseed() {}

func (m *Member) handshake(c net.Conn, tries int) error { return c.Close() }

// join starts again when the coordinator asks for a rebalance: the check of
// ctx at the label is the bound, not an attempt, and the restart follows an
// answer, not a failure.
func (m *Member) join(ctx context.Context) error {
start:
	if err := ctx.Err(); err != nil {
		return err
	}
	resp, err := m.send(ctx, "join")
	if err != nil {
		return err
	}
	if resp == "rebalance" {
		goto start
	}
	return nil
}

// fetch re-bootstraps once when the cluster asks for it: at most two
// attempts.
func (m *Member) fetch(ctx context.Context) error {
	var rebootstrapped bool
start:
	_, err := m.send(ctx, "metadata")
	if err != nil && !rebootstrapped && errors.Is(err, errRebootstrap) {
		m.reseed()
		rebootstrapped = true
		goto start
	}
	return err
}

// connect lowers the protocol version the handshake is told (tries) when
// the broker resets it, at most three times.
func (m *Member) connect(ctx context.Context) (net.Conn, error) {
	var tries int
again:
	tries++
	c, err := m.d.DialContext(ctx, "tcp", "broker:9092")
	if err != nil {
		return nil, err
	}
	if err := m.handshake(c, tries); err != nil {
		if errors.Is(err, errVersionsReset) && tries < 3 {
			goto again
		}
		return nil, err
	}
	return c, nil
}
