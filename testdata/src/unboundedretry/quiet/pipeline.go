package quiet

import (
	"context"
	"errors"
	"net"

	"google.golang.org/grpc"
)

// serverError is an error the server reported for one queued command.
type serverError struct{ msg string }

func (e *serverError) Error() string { return e.msg }

type pipeState struct{ awaiting int }

func (s *pipeState) expectedReady() int { return s.awaiting }

type results struct{ rows []string }

type pipeline struct {
	conn  net.Conn
	state pipeState
	queue []string
	err   error
}

// getResults reads the replies of the next queued command off the
// connection; it returns nil, nil when no command is queued any more.
func (p *pipeline) getResults() (*results, error) {
	if len(p.queue) == 0 {
		return nil, nil
	}
	p.queue = p.queue[1:]
	p.state.awaiting--
	buf := make([]byte, 256)
	n, err := p.conn.Read(buf)
	if err != nil {
		return nil, err
	}
	if buf[0] == 'E' {
		return nil, &serverError{msg: string(buf[1:n])}
	}
	return &results{rows: []string{string(buf[:n])}}, nil
}

// close drains the replies still owed for the commands already sent: each
// time round consumes the next command's replies, a server error belongs to
// that command, and nothing is sent again.
func (p *pipeline) close() error {
	for p.state.expectedReady() > 0 {
		res, err := p.getResults()
		if err != nil {
			p.err = err
			var se *serverError
			if !errors.As(err, &se) {
				p.conn.Close()
				break
			}
		} else if res == nil {
			p.conn.Close()
			if p.err == nil {
				p.err = errors.New("pipeline: no more results but some still expected")
			}
			break
		}
	}
	return p.err
}

type ping struct{ id int64 }

type pong struct{ ttl int64 }

// keepAliveStream is a bidirectional gRPC stream.
type keepAliveStream interface {
	Send(*ping) error
	Recv() (*pong, error)
	CloseSend() error
	SendMsg(m any) error
	RecvMsg(m any) error
}

type leaseClient interface {
	KeepAlive(ctx context.Context, opts ...grpc.CallOption) (keepAliveStream, error)
}

var errLeaseGone = errors.New("lease not found")

type lessor struct {
	remote   leaseClient
	callOpts []grpc.CallOption
}

func isHalt(ctx context.Context, err error) bool {
	if ctx != nil && ctx.Err() != nil {
		return true
	}
	return !errors.Is(err, errUnavailable)
}

var errUnavailable = errors.New("unavailable")

// keepAliveOnce opens a stream, sends one keep-alive and waits on the
// stream for the server's answer.
func (l *lessor) keepAliveOnce(ctx context.Context, id int64) (*pong, error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := l.remote.KeepAlive(cctx, l.callOpts...)
	if err != nil {
		return nil, err
	}
	defer stream.CloseSend()
	if err := stream.Send(&ping{id: id}); err != nil {
		return nil, err
	}
	return stream.Recv()
}

// keepAlive re-opens the stream until the server answers; each attempt
// blocks on the stream until the server replies or the stream ends, and
// ctx or a halting error ends the loop.
func (l *lessor) keepAlive(ctx context.Context, id int64) (*pong, error) {
	for {
		resp, err := l.keepAliveOnce(ctx, id)
		if err == nil {
			if resp.ttl <= 0 {
				err = errLeaseGone
			}
			return resp, err
		}
		if isHalt(ctx, err) {
			return nil, err
		}
	}
}
