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
	"strings"
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
// speaks RESP itself over a small connection pool: Reserve is a single SET
// NX PX, atomic on the server, so concurrent duplicates on different
// replicas still run the handler once; Complete and Release are small Lua
// scripts (EVAL) that compare the stored owner token and write or delete in
// one atomic step. It is safe for concurrent use; Close it when done.
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

// A stored value is the owner token, length-prefixed so that no token's
// prefix is a prefix of another's value, followed by the JSON record:
// "<len>:<token>{...}". The scripts compare the prefix without parsing JSON.
func ownerPrefix(token string) string {
	return strconv.Itoa(len(token)) + ":" + token
}

func encode(token string, r *Record) string {
	b, _ := json.Marshal(storedRecord{F: r.Fingerprint, D: r.Done, S: r.Status, H: r.Header, B: r.Body, L: r.TooLarge})
	return ownerPrefix(token) + string(b)
}

func decode(v string) (*Record, error) {
	var s storedRecord
	colon := strings.IndexByte(v, ':')
	n, err := strconv.Atoi(v[:max(colon, 0)])
	if colon < 0 || err != nil || n < 0 || n > len(v)-colon-1 {
		return nil, errors.New("idempotency: corrupt record: no owner prefix")
	}
	if err := json.Unmarshal([]byte(v[colon+1+n:]), &s); err != nil {
		return nil, fmt.Errorf("idempotency: corrupt record: %w", err)
	}
	return &Record{Fingerprint: s.F, Done: s.D, Status: s.S, Header: http.Header(s.H), Body: s.B, TooLarge: s.L}, nil
}

// completeScript sets KEYS[1] to ARGV[2] for ARGV[3] ms unless another
// owner (value not starting with ARGV[1]) holds it. Returns 1 or 0.
const completeScript = `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`

// releaseScript deletes KEYS[1] unless another owner holds it. Returns 1 or 0.
const releaseScript = `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`

func px(ttl time.Duration) string {
	return strconv.FormatInt(max(ttl.Milliseconds(), 1), 10)
}

// Reserve implements Store with SET key value NX PX ttl.
func (s *RedisStore) Reserve(ctx context.Context, key, fp, token string, ttl time.Duration) (*Record, bool, error) {
	k := s.cfg.Prefix + key
	for range 3 {
		r, err := s.do(ctx, "SET", k, encode(token, &Record{Fingerprint: fp}), "NX", "PX", px(ttl))
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

// Complete implements Store with a script: SET key value PX ttl if the key
// is absent or still holds token's reservation.
func (s *RedisStore) Complete(ctx context.Context, key, token string, rec *Record, ttl time.Duration) error {
	r, err := s.do(ctx, "EVAL", completeScript, "1", s.cfg.Prefix+key, ownerPrefix(token), encode(token, rec), px(ttl))
	if err != nil {
		return err
	}
	if r.n != 1 {
		return ErrNotOwner
	}
	return nil
}

// Release implements Store with a script: DEL key if it holds token's
// reservation.
func (s *RedisStore) Release(ctx context.Context, key, token string) error {
	r, err := s.do(ctx, "EVAL", releaseScript, "1", s.cfg.Prefix+key, ownerPrefix(token))
	if err != nil {
		return err
	}
	if r.n != 1 {
		return ErrNotOwner
	}
	return nil
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
	if err != nil && !errors.As(err, &rerr) {
		c.conn.Close()
		return value{}, err
	}
	if ctx.Err() != nil {
		// ctx ended after the reply was read: the command ran, so its reply
		// is returned (a SET NX reported as failed would leave the key
		// reserved with nobody to complete it). ctx's AfterFunc may still be
		// poisoning the deadline, so the connection is not reused.
		c.conn.Close()
		return v, err
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
