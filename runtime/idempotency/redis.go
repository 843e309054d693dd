package idempotency

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RedisConfig configures NewRedisStore.
type RedisConfig struct {
	Addr        string        // host:port
	Password    string        // sent with AUTH when set
	DB          int           // selected with SELECT when not 0
	Prefix      string        // prepended to every key (default "idempotency:")
	PoolSize    int           // idle connections kept (default 8)
	DialTimeout time.Duration // default 5s
	IOTimeout   time.Duration // per command, when ctx has no earlier deadline (default 5s)
}

// RedisStore is a Store shared by every replica through a Redis server. It
// speaks RESP itself (SET NX PX, GET, DEL) over a small connection pool:
// Reserve is a single SET NX, atomic on the server, so concurrent duplicates
// on different replicas still run the handler once. It is safe for
// concurrent use; Close it when done.
type RedisStore struct {
	cfg    RedisConfig
	dialer net.Dialer
	mu     sync.Mutex
	idle   []*redisConn
	closed bool
}

// RedisError is an error reply from the server.
type RedisError string

func (e RedisError) Error() string { return "redis: " + string(e) }

// ErrRedisClosed is returned by a closed RedisStore.
var ErrRedisClosed = errors.New("redis: store closed")

// maxBulk bounds a reply's size so a corrupt stream cannot demand gigabytes.
const maxBulk = 64 << 20

// NewRedisStore returns a Store backed by the Redis server at cfg.Addr.
// Connections are made on first use.
func NewRedisStore(cfg RedisConfig) *RedisStore {
	if cfg.Prefix == "" {
		cfg.Prefix = "idempotency:"
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = 8
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.IOTimeout <= 0 {
		cfg.IOTimeout = 5 * time.Second
	}
	return &RedisStore{cfg: cfg, dialer: net.Dialer{Timeout: cfg.DialTimeout}}
}

// Close closes the idle connections; connections in use close when done.
func (s *RedisStore) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	for _, c := range idle {
		c.conn.Close()
	}
	return nil
}

// storedRecord is the wire form of a Record.
type storedRecord struct {
	F string              `json:"f"`
	D bool                `json:"d,omitempty"`
	S int                 `json:"s,omitempty"`
	H map[string][]string `json:"h,omitempty"`
	B []byte              `json:"b,omitempty"`
	L bool                `json:"l,omitempty"`
}

func encode(r *Record) string {
	b, _ := json.Marshal(storedRecord{F: r.Fingerprint, D: r.Done, S: r.Status, H: r.Header, B: r.Body, L: r.TooLarge})
	return string(b)
}

func decode(v string) (*Record, error) {
	var s storedRecord
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return nil, fmt.Errorf("idempotency: corrupt record: %w", err)
	}
	return &Record{Fingerprint: s.F, Done: s.D, Status: s.S, Header: http.Header(s.H), Body: s.B, TooLarge: s.L}, nil
}

func px(ttl time.Duration) string {
	return strconv.FormatInt(max(ttl.Milliseconds(), 1), 10)
}

// Reserve implements Store with SET key value NX PX ttl.
func (s *RedisStore) Reserve(ctx context.Context, key, fp string, ttl time.Duration) (*Record, bool, error) {
	k := s.cfg.Prefix + key
	for range 3 {
		r, err := s.do(ctx, "SET", k, encode(&Record{Fingerprint: fp}), "NX", "PX", px(ttl))
		if err != nil {
			return nil, false, err
		}
		if !r.null {
			return nil, true, nil // +OK
		}
		r, err = s.do(ctx, "GET", k)
		if err != nil {
			return nil, false, err
		}
		if r.null {
			continue // expired between SET and GET: try to take it again
		}
		rec, err := decode(r.str)
		return rec, false, err
	}
	return nil, false, errors.New("idempotency: key keeps expiring under contention")
}

// Complete implements Store with SET key value PX ttl.
func (s *RedisStore) Complete(ctx context.Context, key string, rec *Record, ttl time.Duration) error {
	_, err := s.do(ctx, "SET", s.cfg.Prefix+key, encode(rec), "PX", px(ttl))
	return err
}

// Release implements Store with DEL key.
func (s *RedisStore) Release(ctx context.Context, key string) error {
	_, err := s.do(ctx, "DEL", s.cfg.Prefix+key)
	return err
}

// value is one RESP reply: a simple string, integer or bulk string.
type value struct {
	str  string
	n    int64
	null bool
}

type redisConn struct {
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

func (s *RedisStore) get(ctx context.Context) (*redisConn, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrRedisClosed
	}
	if n := len(s.idle); n > 0 {
		c := s.idle[n-1]
		s.idle = s.idle[:n-1]
		s.mu.Unlock()
		return c, nil
	}
	s.mu.Unlock()
	nc, err := s.dialer.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	c := &redisConn{conn: nc, r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}
	if s.cfg.Password != "" {
		if _, err := s.roundTrip(ctx, c, "AUTH", s.cfg.Password); err != nil {
			nc.Close()
			return nil, err
		}
	}
	if s.cfg.DB != 0 {
		if _, err := s.roundTrip(ctx, c, "SELECT", strconv.Itoa(s.cfg.DB)); err != nil {
			nc.Close()
			return nil, err
		}
	}
	return c, nil
}

func (s *RedisStore) put(c *redisConn) {
	s.mu.Lock()
	if !s.closed && len(s.idle) < s.cfg.PoolSize {
		s.idle = append(s.idle, c)
		c = nil
	}
	s.mu.Unlock()
	if c != nil {
		c.conn.Close()
	}
}

// do runs one command. A connection that saw an I/O or protocol error is
// closed, never reused: its stream position is unknown.
func (s *RedisStore) do(ctx context.Context, args ...string) (value, error) {
	if err := ctx.Err(); err != nil {
		return value{}, err
	}
	c, err := s.get(ctx)
	if err != nil {
		return value{}, err
	}
	v, err := s.roundTrip(ctx, c, args...)
	var rerr RedisError
	if (err != nil && !errors.As(err, &rerr)) || ctx.Err() != nil {
		// Also when ctx ended: its AfterFunc may still be poisoning the deadline.
		c.conn.Close()
		if err == nil {
			err = ctx.Err()
		}
		return value{}, err
	}
	s.put(c)
	return v, err
}

func (s *RedisStore) roundTrip(ctx context.Context, c *redisConn, args ...string) (value, error) {
	deadline := time.Now().Add(s.cfg.IOTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.conn.SetDeadline(deadline); err != nil {
		return value{}, fmt.Errorf("redis: %w", err)
	}
	// Cancelling ctx interrupts blocked I/O at once.
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := c.w.Flush(); err != nil {
		return value{}, ioErr(ctx, err)
	}
	v, err := readReply(c.r)
	if err != nil {
		var rerr RedisError
		if errors.As(err, &rerr) {
			return value{}, err
		}
		return value{}, ioErr(ctx, err)
	}
	return v, nil
}

func ioErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("redis: %w (%v)", cerr, err)
	}
	return fmt.Errorf("redis: %w", err)
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return "", err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return "", fmt.Errorf("malformed reply line %q", line)
	}
	return line[:len(line)-2], nil
}

// readReply reads one RESP2 reply; arrays are not used by this client.
func readReply(r *bufio.Reader) (value, error) {
	line, err := readLine(r)
	if err != nil {
		return value{}, err
	}
	switch line[0] {
	case '+':
		return value{str: line[1:]}, nil
	case '-':
		return value{}, RedisError(line[1:])
	case ':':
		n, err := strconv.ParseInt(line[1:], 10, 64)
		if err != nil {
			return value{}, fmt.Errorf("malformed integer reply %q", line)
		}
		return value{n: n}, nil
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < -1 || n > maxBulk {
			return value{}, fmt.Errorf("malformed bulk length %q", line)
		}
		if n == -1 {
			return value{null: true}, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return value{}, err
		}
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return value{}, errors.New("malformed bulk terminator")
		}
		return value{str: string(buf[:n])}, nil
	}
	return value{}, fmt.Errorf("unexpected reply type %q", line[0])
}
