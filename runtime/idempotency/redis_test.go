package idempotency

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
	"github.com/resilvet/resilvet/runtime/internal/redistest"
)

func redisStore(t *testing.T) *RedisStore {
	t.Helper()
	addr := redistest.Start(t)
	t.Logf("redis-server on %s: %s", addr, redistest.Version())
	s := NewRedisStore(RedisConfig{Addr: addr, PoolSize: 64})
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRedisStoreConformance(t *testing.T) {
	leakcheck.Check(t)
	storeConformance(t, redisStore(t))
}

func TestRedisStoreTTLs(t *testing.T) {
	s := redisStore(t)
	ctx := context.Background()
	pttl := func(key string) int64 {
		t.Helper()
		v, err := s.do(ctx, "PTTL", s.cfg.Prefix+key)
		if err != nil {
			t.Fatal(err)
		}
		return v.n
	}
	if _, ok, err := s.Reserve(ctx, "ttl", "fp", "a", 90*time.Second); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ms := pttl("ttl"); ms <= 0 || ms > 90000 {
		t.Fatalf("reservation PTTL %dms, want (0, 90000]", ms)
	}
	if err := s.Complete(ctx, "ttl", "a", &Record{Fingerprint: "fp", Done: true, Status: 200}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if ms := pttl("ttl"); ms <= 90000 || ms > 3600000 {
		t.Fatalf("completed PTTL %dms, want (90000, 3600000]", ms)
	}
	if err := s.Release(ctx, "ttl", "a"); err != nil {
		t.Fatal(err)
	}
	if ms := pttl("ttl"); ms != -2 { // -2: no such key
		t.Fatalf("released key PTTL %d, want -2", ms)
	}
}

// Two replicas with their own connection pools share one Redis: a retry that
// lands on the other replica is replayed, not run again.
func TestRedisSharedBetweenReplicas(t *testing.T) {
	leakcheck.Check(t)
	addr := redistest.Start(t)
	a, b := NewRedisStore(RedisConfig{Addr: addr}), NewRedisStore(RedisConfig{Addr: addr})
	t.Cleanup(func() { a.Close(); b.Close() })
	o := &orders{}
	srvA, c := serve(t, o, a)
	srvB, _ := serve(t, o, b)
	first := post(t, c, srvA.URL+"/orders", "k", `{"sku":42}`)
	again := post(t, c, srvB.URL+"/orders", "k", `{"sku":42}`)
	if first.status != 201 || again.status != 201 || again.body != first.body ||
		again.header.Get(ReplayedHeader) != "true" || o.runs.Load() != 1 {
		t.Fatalf("first %+v again %+v runs %d", first, again, o.runs.Load())
	}
	if r := post(t, c, srvB.URL+"/orders", "k", `{"sku":43}`); r.status != 422 {
		t.Fatalf("different request on the other replica: %d", r.status)
	}
}

func TestConcurrentDuplicatesRunOnceRedis(t *testing.T) {
	leakcheck.Check(t)
	concurrentDuplicates(t, redisStore(t), 300)
}

func TestRedisErrors(t *testing.T) {
	leakcheck.Check(t)
	s := redisStore(t)
	ctx := context.Background()

	// An error reply is an error, and the connection stays usable.
	_, err := s.do(ctx, "NOSUCHCOMMAND", "x")
	var rerr RedisError
	if !errors.As(err, &rerr) || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("error reply: %v", err)
	}
	if _, err := s.do(ctx, "GET", "nothing"); err != nil {
		t.Fatalf("after an error reply: %v", err)
	}

	// A corrupt record is reported, and the middleware answers 503.
	if _, err := s.do(ctx, "SET", s.cfg.Prefix+"corrupt", "{not json"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Reserve(ctx, "corrupt", "fp", "a", time.Minute); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("corrupt record: %v", err)
	}
	o := &orders{}
	srv, c := serve(t, o, s)
	if r := post(t, c, srv.URL, "corrupt", "a"); r.status != 503 || o.runs.Load() != 0 {
		t.Fatalf("corrupt record via middleware: %d, runs %d", r.status, o.runs.Load())
	}

	// A done context stops the command.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := s.Reserve(cctx, "k", "fp", "a", time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: %v", err)
	}

	// Nothing listening: an error, and the middleware fails closed with 503.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	down := NewRedisStore(RedisConfig{Addr: dead, DialTimeout: time.Second})
	defer down.Close()
	if _, _, err := down.Reserve(ctx, "k", "fp", "a", time.Minute); err == nil {
		t.Fatal("no error from a store with no server")
	}
	srv, c = serve(t, o, down)
	if r := post(t, c, srv.URL, "k", "a"); r.status != http.StatusServiceUnavailable || o.runs.Load() != 0 {
		t.Fatalf("store down: %d, runs %d", r.status, o.runs.Load())
	}

	// A closed store refuses.
	closed := NewRedisStore(RedisConfig{Addr: dead})
	closed.Close()
	if _, _, err := closed.Reserve(ctx, "k", "fp", "a", time.Minute); !errors.Is(err, ErrRedisClosed) {
		t.Fatalf("closed store: %v", err)
	}
}

// A server speaking garbage is a protocol error, not a hang or a panic, and
// the broken connection is not reused.
func TestRedisProtocolErrors(t *testing.T) {
	leakcheck.Check(t)
	for _, reply := range []string{"?what\r\n", "$5\r\nab", "$99999999999\r\n", ":notanumber\r\n", "+OK\n", "*1\r\n$1\r\na\r\n"} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			bufio.NewReader(c).ReadString('\n') // the command's first line is enough
			c.Write([]byte(reply))
		}()
		s := NewRedisStore(RedisConfig{Addr: l.Addr().String(), IOTimeout: 5 * time.Second})
		_, err = s.do(context.Background(), "GET", "k")
		if err == nil {
			t.Errorf("reply %q: no error", reply)
		}
		if len(s.idle) != 0 {
			t.Errorf("reply %q: broken connection returned to the pool", reply)
		}
		s.Close()
		l.Close()
		wg.Wait()
	}
}

func TestRedisStoreOwnership(t *testing.T) {
	s := redisStore(t)
	storeOwnership(t, s, func(key string) {
		// PEXPIRE with 0 expires the key at once, as its TTL running out would.
		if v, err := s.do(context.Background(), "PEXPIRE", s.cfg.Prefix+key, "0"); err != nil || v.n != 1 {
			t.Fatalf("PEXPIRE: %+v %v", v, err)
		}
	})
}

// lateCancel is a context that reports itself cancelled from the second
// time its Err is asked: after the command's reply has been read.
type lateCancel struct {
	context.Context
	calls atomic.Int32
}

func (c *lateCancel) Err() error {
	if c.calls.Add(1) > 1 {
		return context.Canceled
	}
	return nil
}

// A request cancelled just as its SET NX succeeds must learn that it holds
// the key: reported as an error, the reservation would stay with nobody to
// complete or release it, and every retry would get 409 until it expires.
func TestRedisReplyReadBeforeCancelIsKept(t *testing.T) {
	leakcheck.Check(t)
	s := redisStore(t)
	ctx := &lateCancel{Context: context.Background()}
	if _, ok, err := s.Reserve(ctx, "late", "fp", "A", time.Minute); err != nil || !ok {
		t.Fatalf("reserve cancelled after the reply: reserved=%v err=%v, want reserved", ok, err)
	}
	if len(s.idle) != 0 {
		t.Fatal("a connection used under a cancelled context went back to the pool")
	}
	if err := s.Release(context.Background(), "late", "A"); err != nil {
		t.Fatal(err)
	}
}
