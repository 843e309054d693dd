package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilvet/resilvet/runtime/idempotency"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "idempotency:"

// Store is an idempotency.Store kept in Redis through a go-redis client. It
// is safe for concurrent use; it does not own the client (close the client
// yourself).
type Store struct {
	c      redis.UniversalClient
	prefix string
}

// Option configures New.
type Option func(*Store)

// WithPrefix sets the prefix of every key (default DefaultPrefix), e.g. to
// keep two services apart on one Redis.
func WithPrefix(p string) Option { return func(s *Store) { s.prefix = p } }

// New returns a Store on c, a client the caller configured: *redis.Client,
// a Sentinel-backed failover client, or *redis.ClusterClient, with its own
// TLS, ACL user, pool and timeouts. Set ContextTimeoutEnabled on it so that
// the request's deadline bounds each store call; without it a stalled
// server holds a call for the client's ReadTimeout.
func New(c redis.UniversalClient, opts ...Option) *Store {
	s := &Store{c: c, prefix: DefaultPrefix}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Key returns the Redis key holding the record of the middleware's key k:
// the prefix, then a SHA-256 digest of k in braces. The braces make it a
// Cluster hash tag, so everything stored for one key lives in one slot; the
// digest keeps client-chosen keys and scopes (user ids, credential digests)
// out of Redis and bounds the key's length.
func (s *Store) Key(k string) string {
	sum := sha256.Sum256([]byte(k))
	return s.prefix + "{" + hex.EncodeToString(sum[:16]) + "}"
}

// The stored value is the owner token, length-prefixed so that no token's
// prefix is a prefix of another's value, followed by the JSON record:
// "<len>:<token>{...}". The scripts compare the prefix without parsing JSON.
func owner(token string) string { return strconv.Itoa(len(token)) + ":" + token }

// wire is the JSON form of an idempotency.Record.
type wire struct {
	F string              `json:"f"`
	D bool                `json:"d,omitempty"`
	S int                 `json:"s,omitempty"`
	H map[string][]string `json:"h,omitempty"`
	B []byte              `json:"b,omitempty"`
	L bool                `json:"l,omitempty"`
}

func encode(token string, r *idempotency.Record) (string, error) {
	b, err := json.Marshal(wire{F: r.Fingerprint, D: r.Done, S: r.Status, H: r.Header, B: r.Body, L: r.TooLarge})
	if err != nil {
		return "", err
	}
	return owner(token) + string(b), nil
}

// ErrCorrupt is returned for a stored value this package did not write.
var ErrCorrupt = errors.New("redisstore: corrupt record")

func decode(v string) (*idempotency.Record, error) {
	colon := strings.IndexByte(v, ':')
	if colon < 0 {
		return nil, fmt.Errorf("%w: no owner prefix", ErrCorrupt)
	}
	n, err := strconv.Atoi(v[:colon])
	if err != nil || n < 0 || n > len(v)-colon-1 {
		return nil, fmt.Errorf("%w: no owner prefix", ErrCorrupt)
	}
	var w wire
	if err := json.Unmarshal([]byte(v[colon+1+n:]), &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return &idempotency.Record{Fingerprint: w.F, Done: w.D, Status: w.S, Header: http.Header(w.H), Body: w.B, TooLarge: w.L}, nil
}

// reserveScript takes KEYS[1] for owner ARGV[1] with value ARGV[2] for
// ARGV[3] ms if it is absent. A key already holding ARGV[1]'s reservation
// counts as taken by this call: go-redis resends a command whose reply was
// lost on a broken connection, and the first send may have landed.
// Returns {1} when reserved, {0, value} otherwise.
var reserveScript = redis.NewScript(`local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return {1}
end
if string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then return {1} end
return {0, v}`)

// completeScript sets KEYS[1] to ARGV[2] for ARGV[3] ms unless another
// owner (a value not starting with ARGV[1]) holds it. Returns 1 or 0.
var completeScript = redis.NewScript(`local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

// releaseScript deletes KEYS[1] unless another owner holds it. Returns 1 or 0.
var releaseScript = redis.NewScript(`local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`)

func px(ttl time.Duration) int64 { return max(ttl.Milliseconds(), 1) }

// Reserve implements idempotency.Store in one script run: take the key if
// it is absent, else return the record it holds.
func (s *Store) Reserve(ctx context.Context, key, fp, token string, ttl time.Duration) (*idempotency.Record, bool, error) {
	v, err := encode(token, &idempotency.Record{Fingerprint: fp})
	if err != nil {
		return nil, false, err
	}
	res, err := reserveScript.Run(ctx, s.c, []string{s.Key(key)}, owner(token), v, px(ttl)).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: reserve: %w", err)
	}
	if len(res) == 0 {
		return nil, false, fmt.Errorf("%w: empty reply to reserve", ErrCorrupt)
	}
	if n, _ := res[0].(int64); n == 1 {
		return nil, true, nil
	}
	held, ok := res[len(res)-1].(string)
	if len(res) != 2 || !ok {
		return nil, false, fmt.Errorf("%w: unexpected reply to reserve: %v", ErrCorrupt, res)
	}
	rec, err := decode(held)
	return rec, false, err
}

// Complete implements idempotency.Store: set the key to the finished record
// if it is absent or still holds token's reservation.
func (s *Store) Complete(ctx context.Context, key, token string, rec *idempotency.Record, ttl time.Duration) error {
	v, err := encode(token, rec)
	if err != nil {
		return err
	}
	n, err := completeScript.Run(ctx, s.c, []string{s.Key(key)}, owner(token), v, px(ttl)).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: complete: %w", err)
	}
	if n != 1 {
		return idempotency.ErrNotOwner
	}
	return nil
}

// Release implements idempotency.Store: delete the key if it holds token's
// reservation (or record).
func (s *Store) Release(ctx context.Context, key, token string) error {
	n, err := releaseScript.Run(ctx, s.c, []string{s.Key(key)}, owner(token)).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: release: %w", err)
	}
	if n != 1 {
		return idempotency.ErrNotOwner
	}
	return nil
}
