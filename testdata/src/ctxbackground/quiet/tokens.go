package quiet

import (
	"context"
	"net/http"
)

type Token struct{ Value string }

type TokenSource interface {
	Token() (*Token, error)
}

type Config struct {
	TokenURL string
}

// TokenSource refreshes tokens for as long as it lives, with the context it
// was built with; the caller's context would kill it after one request.
func (c *Config) TokenSource(ctx context.Context) TokenSource { return nil }

type ctxKey struct{}

type Logger interface {
	Printf(ctx context.Context, format string, args ...any)
}

type transport struct {
	cfg  *Config
	log  Logger
	base http.RoundTripper
	src  TokenSource
}

// newSource builds a long-lived token source while serving a request.
func (t *transport) newSource(req *http.Request) (*http.Client, TokenSource) {
	client := &http.Client{Transport: t.base}
	ctx := context.WithValue(context.Background(), ctxKey{}, client)
	return client, t.cfg.TokenSource(ctx)
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.src == nil {
		t.src = t.cfg.TokenSource(context.Background())
	}
	tok, err := t.src.Token()
	if err != nil {
		// Logging cannot act on cancellation.
		t.log.Printf(context.Background(), "token refresh failed: %v", err)
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+tok.Value)
	return t.base.RoundTrip(req)
}

type dialRequest struct {
	ctx    context.Context
	cancel context.CancelFunc
	result chan error
}

// queueDial hands the dial to a shared queue: whichever caller is still
// waiting takes the connection, so the dial must not die with this caller.
func queueDial(ctx context.Context, queue chan<- *dialRequest) error {
	dialCtx, cancel := context.WithCancel(context.Background())
	w := &dialRequest{ctx: dialCtx, cancel: cancel, result: make(chan error, 1)}
	queue <- w
	select {
	case err := <-w.result:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

type Propagator interface {
	Extract(ctx context.Context, carrier map[string]string) context.Context
}

type Message struct {
	Header map[string]string
	Body   []byte
}

type Consumer struct {
	prop    Propagator
	process func(ctx context.Context, body []byte)
}

// Consume starts a fresh trace per message from the message's own headers;
// the consumer reports nothing back, so cancellation is not in play.
func (c *Consumer) Consume(ctx context.Context, msgs <-chan Message) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-msgs:
			traceCtx := context.Background()
			if m.Header != nil {
				traceCtx = c.prop.Extract(traceCtx, m.Header)
			}
			c.process(traceCtx, m.Body)
		}
	}
}
