package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilvet/resilvet/runtime/health"
	"github.com/resilvet/resilvet/runtime/idempotency"
)

// Config sets the shape of the replay. Durations are wall-clock.
type Config struct {
	Healthy, Degraded, Recovered time.Duration // phase lengths

	RPS           int           // product-page requests per second, the same for both runs
	FastLatency   time.Duration // recommendations when healthy (the article: 10 ms)
	SlowLatency   time.Duration // recommendations when degraded (the article: 2 s)
	ClientTimeout time.Duration // the load balancer answers 504 after this
	PoolSize      int           // the naive page's shared outbound pool
	Bucket        time.Duration // chart resolution
}

// DefaultConfig replays the outage in about a minute: two runs of 30 s.
func DefaultConfig() Config {
	return Config{
		Healthy:       8 * time.Second,
		Degraded:      14 * time.Second,
		Recovered:     8 * time.Second,
		RPS:           50,
		FastLatency:   10 * time.Millisecond,
		SlowLatency:   2 * time.Second,
		ClientTimeout: 3 * time.Second,
		PoolSize:      32,
		Bucket:        time.Second,
	}
}

func (c Config) total() time.Duration { return c.Healthy + c.Degraded + c.Recovered }

type phase struct {
	name     string
	from, to time.Duration
}

func (c Config) phases() []phase {
	return []phase{
		{"healthy", 0, c.Healthy},
		{"degraded", c.Healthy, c.Healthy + c.Degraded},
		{"recovered", c.Healthy + c.Degraded, c.total()},
	}
}

// clock is the run's timeline: both the backends (deciding how slow to be)
// and the recorder (bucketing results) read it. It starts once the page is
// warm (see warmUp); until then it reads zero, the healthy phase.
type clock struct{ start atomic.Pointer[time.Time] }

// begin starts the timeline now and returns its origin.
func (c *clock) begin() time.Time {
	now := time.Now()
	c.start.Store(&now)
	return now
}

func (c *clock) since() time.Duration {
	if t := c.start.Load(); t != nil {
		return time.Since(*t)
	}
	return 0
}

// backends are the three dependencies of the product page, on loopback.
// Inventory runs two replicas so that a hedge has somewhere else to go.
type backends struct {
	recommendations string
	inventory       [2]string
	pricing         string
	servers         []*http.Server
	wg              sync.WaitGroup
	quotes          quoteBook
}

// quoteBook counts how often pricing ran its quote handler per
// Idempotency-Key, to show retried POSTs never create a quote twice.
type quoteBook struct {
	mu       sync.Mutex
	runs     int            // handler executions
	perKey   map[string]int // executions per key
	replayed int            // responses the middleware replayed from its store
}

func (q *quoteBook) ran(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.runs++
	if key != "" {
		if q.perKey == nil {
			q.perKey = map[string]int{}
		}
		q.perKey[key]++
	}
}

// reset forgets the quotes made so far: the warm-up's are not the replay's.
func (q *quoteBook) reset() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.runs, q.perKey, q.replayed = 0, nil, 0
}

// summary reports executions, keyed requests, keys executed more than once
// and replays.
func (q *quoteBook) summary() (runs, keyed, duplicated, replayed int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, n := range q.perKey {
		if n > 1 {
			duplicated++
		}
	}
	return q.runs, len(q.perKey), duplicated, q.replayed
}

// Tail behaviour of the healthy dependencies, so hedging and retrying have
// something to do even before the incident.
const (
	inventoryTailRate    = 0.02                   // a replica hiccups on 2% of calls...
	inventoryTailLatency = 250 * time.Millisecond // ...for this long
	pricingErrorRate     = 0.01                   // pricing answers 503 on 1% of calls
	pricingSlowAckRate   = 0.02                   // pricing commits a quote, then its answer is late on 2%...
	pricingSlowAck       = 120 * time.Millisecond // ...by this much
)

func startBackends(cfg Config, clk *clock) (*backends, error) {
	b := &backends{}
	slowFrom, slowTo := cfg.Healthy, cfg.Healthy+cfg.Degraded
	recs := func(*http.Request) (time.Duration, int) {
		if at := clk.since(); at >= slowFrom && at < slowTo {
			return cfg.SlowLatency, http.StatusOK
		}
		return cfg.FastLatency, http.StatusOK
	}
	inventory := func(*http.Request) (time.Duration, int) {
		if rand.Float64() < inventoryTailRate {
			return inventoryTailLatency, http.StatusOK
		}
		return 3 * time.Millisecond, http.StatusOK
	}
	// Pricing creates a quote per POST /quote, deduplicated by
	// Idempotency-Key; see servePricing.
	pricing := func(*http.Request) (time.Duration, int) {
		if rand.Float64() < pricingErrorRate {
			return time.Millisecond, http.StatusServiceUnavailable
		}
		return 3 * time.Millisecond, http.StatusOK
	}
	var err error
	if b.recommendations, err = b.serve("recommendations", recs); err != nil {
		return nil, err
	}
	for i := range b.inventory {
		if b.inventory[i], err = b.serve("inventory", inventory); err != nil {
			b.close()
			return nil, err
		}
	}
	if b.pricing, err = b.servePricing(pricing); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// serve starts one dependency on 127.0.0.1 and returns its base URL.
func (b *backends) serve(name string, behave func(*http.Request) (time.Duration, int)) (string, error) {
	return b.listen(handler(name, behave, nil))
}

// handler answers after the latency behave picks, with its status; on
// success it calls commit first (the write the request stands for).
func handler(name string, behave func(*http.Request) (time.Duration, int), commit func(*http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, code := behave(r)
		if !sleep(r.Context(), d) {
			return // the caller hung up
		}
		if code == http.StatusOK && commit != nil {
			commit(r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"service": name, "path": r.URL.Path})
	})
}

// sleep waits d or until ctx is done, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// servePricing starts pricing: POST /quote creates a quote, behind the
// runtime's idempotency middleware. On a few calls the quote is committed
// but the answer comes back late (a slow network, a GC pause), so a client
// with a per-attempt timeout retries a request that already took effect:
// the middleware must replay the stored answer instead of quoting twice.
func (b *backends) servePricing(behave func(*http.Request) (time.Duration, int)) (string, error) {
	quote := handler("pricing", behave, func(r *http.Request) { b.quotes.ran(r.Header.Get(idempotency.Header)) })
	dedup := idempotency.Middleware(idempotency.NewMemoryStore())(quote)
	return b.listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := &bufferedResponse{header: http.Header{}}
		dedup.ServeHTTP(buf, r)
		if buf.header.Get(idempotency.ReplayedHeader) != "" {
			b.quotes.mu.Lock()
			b.quotes.replayed++
			b.quotes.mu.Unlock()
		}
		if rand.Float64() < pricingSlowAckRate && !sleep(r.Context(), pricingSlowAck) {
			return
		}
		buf.writeTo(w)
	}))
}

// bufferedResponse holds a handler's response so it can be sent late.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) writeTo(w http.ResponseWriter) {
	maps.Copy(w.Header(), b.header)
	w.WriteHeader(max(b.status, http.StatusOK))
	_, _ = w.Write(b.body.Bytes())
}

// listen serves h on a new 127.0.0.1 port and returns its base URL.
func (b *backends) listen(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: h}
	b.servers = append(b.servers, srv)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		_ = srv.Serve(ln) // returns once closed
	}()
	return "http://" + ln.Addr().String(), nil
}

func (b *backends) close() {
	for _, s := range b.servers {
		_ = s.Close()
	}
	b.wg.Wait()
}

// page is a product-page implementation: naive or with the runtime.
type page interface {
	http.Handler
	Close()
}

// fetch GETs url with client and reads the body. Any non-2xx is an error.
func fetch(ctx context.Context, client *http.Client, url string) error {
	return send(ctx, client, http.MethodGet, url, "")
}

// send makes a request (with body, if not empty) and reads the answer.
func send(ctx context.Context, client *http.Client, method, url, body string) error {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &statusError{resp.StatusCode}
	}
	return nil
}

type statusError struct{ code int }

func (e *statusError) Error() string { return fmt.Sprintf("status %d", e.code) }

// run replays the incident against one product page and returns what the
// load generator saw. Load is open-loop: a request every 1/RPS, whatever the
// page's state, as real users keep arriving during an outage.
func run(ctx context.Context, name string, cfg Config, newPage func(*backends, *clock, *recorder) page) (result, error) {
	clk := &clock{}
	be, err := startBackends(cfg, clk)
	if err != nil {
		return result{}, err
	}
	defer be.close()
	rec := &recorder{}
	pg := newPage(be, clk, rec)
	defer pg.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	front := &http.Server{Handler: pg, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = front.Serve(ln) }()
	defer front.Close()
	url := "http://" + ln.Addr().String() + "/product/42"

	// The load balancer in front of the page: it gives up after ClientTimeout.
	lb := &http.Client{
		Timeout:   cfg.ClientTimeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 10 * time.Second},
	}
	defer lb.CloseIdleConnections()

	if err := warmUp(ctx, lb, url, cfg.ClientTimeout); err != nil {
		return result{}, fmt.Errorf("%s page: %w", name, err)
	}
	be.quotes.reset()
	start := clk.begin()

	// Probe readiness once per chart bucket, as a load balancer would.
	probeDone := make(chan struct{})
	var probes sync.WaitGroup
	if _, ok := pg.(interface{ Readiness() http.Handler }); ok {
		probes.Add(1)
		go func() {
			defer probes.Done()
			probeReadiness(lb, "http://"+ln.Addr().String()+"/readyz", cfg.Bucket, clk, rec, probeDone)
		}()
	}

	interval := time.Second / time.Duration(max(cfg.RPS, 1))
	n := int(cfg.total() / interval)
	var wg sync.WaitGroup
	t := time.NewTimer(0)
	defer t.Stop()
	for i := range n {
		at := time.Duration(i) * interval
		t.Reset(time.Until(start.Add(at)))
		select {
		case <-t.C:
		case <-ctx.Done():
			close(probeDone)
			probes.Wait()
			wg.Wait()
			return result{}, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec.add(hit(lb, url, at)) // scheduled time: both runs get the same phases
		}()
	}
	close(probeDone)
	probes.Wait()
	wg.Wait()

	res := result{name: name, points: rec.timeline(cfg.total(), cfg.Bucket), probes: rec.probes()}
	if s, ok := pg.(interface{ metricsLine() string }); ok {
		res.note = s.metricsLine()
	}
	res.quotes, res.keyed, res.duplicated, res.replayed = be.quotes.summary()
	for _, ph := range cfg.phases() {
		res.phases = append(res.phases, rec.window(ph.from, ph.to))
	}
	return res, nil
}

// Warming up: before the replay's clock starts, the page gets rounds of
// warmConcurrency requests at once until warmRounds rounds in a row are all
// answered 2xx. Without it the first requests of a run pay for new
// connections and code never run before (slow under -race on a loaded
// machine); they can miss the runtime page's per-call budgets, trip a
// critical breaker and turn the replay into a different outage.
const (
	warmConcurrency = 4
	warmRounds      = 5
	warmPause       = 50 * time.Millisecond // after a failed round
)

// warmUp sends untimed, unrecorded requests to url until the page serves
// them, as a load balancer admits a new instance only once it answers. It
// gives up after warmLimit periods of timeout (the load balancer's).
func warmUp(ctx context.Context, lb *http.Client, url string, timeout time.Duration) error {
	const warmLimit = 10
	giveUp := time.Now().Add(warmLimit * timeout)
	var failed atomic.Int32
	for clean := 0; clean < warmRounds; {
		if time.Now().After(giveUp) {
			return fmt.Errorf("warm-up: no %d rounds of %d requests in a row answered within %v", warmRounds, warmConcurrency, warmLimit*timeout)
		}
		failed.Store(0)
		var wg sync.WaitGroup
		for range warmConcurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if fetch(ctx, lb, url) != nil {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		if failed.Load() == 0 {
			clean++
			continue
		}
		clean = 0
		if !sleep(ctx, warmPause) {
			return ctx.Err()
		}
	}
	return nil
}

// probeReadiness GETs /readyz every interval until done and records the
// status the report gives ("ok", "degraded", "fail") with the checks it
// names as failed.
func probeReadiness(lb *http.Client, url string, interval time.Duration, clk *clock, rec *recorder, done <-chan struct{}) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		at := clk.since()
		p := probe{at: at, status: "unreachable"}
		if resp, err := lb.Get(url); err == nil {
			var rep health.Report
			if json.NewDecoder(resp.Body).Decode(&rep) == nil {
				p.status, p.failed = rep.Status, rep.Failed
			}
			resp.Body.Close()
		}
		rec.ready(p)
	}
}

func hit(lb *http.Client, url string, start time.Duration) sample {
	t0 := time.Now()
	s := sample{start: start}
	resp, err := lb.Get(url)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	s.latency = time.Since(t0)
	switch {
	case err != nil:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			s.status = http.StatusGatewayTimeout
		} else {
			s.status = http.StatusBadGateway
		}
	default:
		s.status = resp.StatusCode
		s.degraded = resp.Header.Get("X-Degraded") != ""
	}
	return s
}
