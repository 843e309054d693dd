package loops

import (
	"context"
	"errors"
	"net"
)

type serverError struct{ msg string }

func (e *serverError) Error() string { return e.msg }

type result struct{ row string }

type pipeline struct {
	conn     net.Conn
	awaiting int
}

func (p *pipeline) expectedReady() int { return p.awaiting }

// getResult reads a reply off the connection.
func (p *pipeline) getResult() (*result, error) {
	buf := make([]byte, 256)
	n, err := p.conn.Read(buf)
	if err != nil {
		return nil, err
	}
	if buf[0] == 'E' {
		return nil, &serverError{msg: string(buf[1:n])}
	}
	return &result{row: string(buf[:n])}, nil
}

// firstResult asks again at once after a server error and leaves with the
// first result: a retry, not a drain.
func (p *pipeline) firstResult() (*result, error) {
	for p.expectedReady() > 0 {
		res, err := p.getResult() // want `p.getResult is retried at once with no wait`
		if err != nil {
			var se *serverError
			if !errors.As(err, &se) {
				return nil, err
			}
		} else if res != nil {
			return res, nil
		}
	}
	return nil, errGaveUp
}

type leaseAnswer struct{ ttl int64 }

type leaseRPC interface {
	Renew(ctx context.Context, id int64) (*leaseAnswer, error)
}

type renewer struct{ rpc leaseRPC }

var errUnavailable = errors.New("unavailable")

// renewOnce makes one unary call: it fails at once when the server is down.
func (r *renewer) renewOnce(ctx context.Context, id int64) (*leaseAnswer, error) {
	return r.rpc.Renew(ctx, id)
}

// renew calls again at once while the server is unavailable.
func (r *renewer) renew(ctx context.Context, id int64) (*leaseAnswer, error) {
	for {
		resp, err := r.renewOnce(ctx, id) // want `r.renewOnce is retried at once with no wait`
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil || !errors.Is(err, errUnavailable) {
			return nil, err
		}
	}
}
