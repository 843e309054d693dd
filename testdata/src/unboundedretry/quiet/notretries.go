package quiet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

var errNoBroker = errors.New("no broker left")

type producer struct {
	brokers []string
	client  *http.Client
}

// produce fails over across brokers: a broker that fails is dropped and the
// next one tried, so the list bounds the loop and no broker is asked twice.
func (p *producer) produce(ctx context.Context, topic string, msg string) error {
	brokers := p.brokers
	for {
		if len(brokers) == 0 {
			return errNoBroker
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, brokers[0]+"/topics/"+topic, strings.NewReader(msg))
		if err != nil {
			return err
		}
		resp, err := p.client.Do(req)
		if err != nil {
			brokers = brokers[1:]
			continue
		}
		resp.Body.Close()
		return nil
	}
}

type replicaSet struct {
	replicas map[string]*http.Client
}

// read asks replicas until one answers, forgetting each one that fails.
func (rs *replicaSet) read(ctx context.Context, key string) (*http.Response, error) {
	candidates := make(map[string]*http.Client, len(rs.replicas))
	for addr, c := range rs.replicas {
		candidates[addr] = c
	}
	for {
		addr, c := pickReplica(candidates)
		if c == nil {
			return nil, errNoBroker
		}
		resp, err := c.Get(addr + "/keys/" + key)
		if err != nil {
			delete(candidates, addr)
			continue
		}
		return resp, nil
	}
}

func pickReplica(m map[string]*http.Client) (string, *http.Client) {
	for a, c := range m {
		return a, c
	}
	return "", nil
}

type reply struct {
	val string
	err error
}

type pipeConn struct {
	conn    net.Conn
	pending int
	replies chan reply
}

func (p *pipeConn) readReply() (string, error) {
	buf := make([]byte, 512)
	n, err := p.conn.Read(buf)
	return string(buf[:n]), err
}

// drain reads the replies still queued for the commands already sent: a
// failed reply belongs to its command and the next one is read, so nothing
// is sent again.
func (p *pipeConn) drain() ([]string, error) {
	var out []string
	var firstErr error
	for {
		v, err := p.readReply()
		p.pending--
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			if p.pending > 0 {
				continue
			}
			return out, firstErr
		}
		out = append(out, v)
		if p.pending == 0 {
			return out, firstErr
		}
	}
}

// next waits for a reply that the connection's reader goroutine delivers.
func (p *pipeConn) next(ctx context.Context) (string, error) {
	select {
	case r := <-p.replies:
		return r.val, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// await takes replies from the reader goroutine until one is not an error
// notice; each receive is a new reply, not the same operation again.
func (p *pipeConn) await(ctx context.Context) (string, error) {
	for {
		v, err := p.next(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return "", err
			}
			continue
		}
		return v, nil
	}
}

// collect receives results that worker goroutines send on ch.
func collect(ctx context.Context, ch <-chan reply, c *http.Client, hook string) (string, error) {
	for {
		r := <-ch
		if r.err != nil {
			continue
		}
		resp, err := c.Post(hook, "text/plain", strings.NewReader(r.val))
		if err != nil {
			continue
		}
		resp.Body.Close()
		return r.val, nil
	}
}

// localListener retries a loopback Listen, as test servers do when a port
// is taken: nothing remote is asked.
func localListener() net.Listener {
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			continue
		}
		return ln
	}
}

type streamClient struct {
	c *http.Client
}

// hold waits d or until ctx ends.
func hold(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// openAfter holds back for wait, then opens the stream.
func (s *streamClient) openAfter(ctx context.Context, url string, wait time.Duration) (*http.Response, error) {
	if err := hold(ctx, wait); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return s.c.Do(req)
}

// stream re-opens the stream; openAfter waits before each open itself.
func (s *streamClient) stream(ctx context.Context, url string) (*http.Response, error) {
	wait := time.Duration(0)
	for i := 0; i < 10; i++ {
		resp, err := s.openAfter(ctx, url, wait)
		if err != nil {
			wait = 2*wait + 100*time.Millisecond
			continue
		}
		return resp, nil
	}
	return nil, fmt.Errorf("stream %s: giving up", url)
}

// setRecvBuffer asks the kernel for a smaller buffer each time it refuses:
// a socket option is local, there is no dependency to wait for.
func setRecvBuffer(c *net.UDPConn, size int) error {
	var err error
	for size > 0 {
		if err = c.SetReadBuffer(size); err == nil {
			return nil
		}
		size /= 2
	}
	return err
}
