package main

import (
	"context"
	"net/http"
)

// naivePage is the product page as the article's "before" picture: every
// dependency shares one outbound pool, nothing has a timeout, and the calls
// run on context.Background(), so work continues for callers who gave up.
type naivePage struct {
	be     *backends
	clk    *clock
	rec    *recorder
	pool   chan struct{} // shared by all three dependencies
	client *http.Client  // no Timeout
	tr     *http.Transport
}

func newNaivePage(cfg Config) func(*backends, *clock, *recorder) page {
	return func(be *backends, clk *clock, rec *recorder) page {
		tr := &http.Transport{MaxIdleConnsPerHost: cfg.PoolSize}
		//resilvet:ignore missingtimeout the naive page reproduces the article's anti-pattern on purpose
		client := &http.Client{Transport: tr}
		return &naivePage{
			be: be, clk: clk, rec: rec,
			pool:   make(chan struct{}, cfg.PoolSize),
			client: client,
			tr:     tr,
		}
	}
}

func (p *naivePage) Close() { p.tr.CloseIdleConnections() }

// call takes a slot from the shared pool, waiting as long as it takes.
func (p *naivePage) call(method, url, body string) error {
	select {
	case p.pool <- struct{}{}:
	default:
		p.rec.poolFull(p.clk.since())
		p.pool <- struct{}{}
	}
	defer func() { <-p.pool }()
	return send(context.Background(), p.client, method, url, body)
}

func (p *naivePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := p.call(http.MethodGet, p.be.inventory[0]+"/stock/42", ""); err != nil {
		http.Error(w, "inventory: "+err.Error(), http.StatusBadGateway)
		return
	}
	if err := p.call(http.MethodPost, p.be.pricing+"/quote", quoteBody); err != nil {
		http.Error(w, "pricing: "+err.Error(), http.StatusBadGateway)
		return
	}
	if err := p.call(http.MethodGet, p.be.recommendations+"/for/42", ""); err != nil {
		http.Error(w, "recommendations: "+err.Error(), http.StatusBadGateway)
		return
	}
	w.Write([]byte("<html>product 42</html>\n"))
}

// quoteBody is the price quote both pages ask pricing to create.
const quoteBody = `{"product":42,"currency":"EUR"}`
