package hedge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

func TestTransportWinnerBodyOutlivesLoserCancel(t *testing.T) {
	leakcheck.Check(t)
	loserCancelled := make(chan struct{})
	release := make(chan struct{})
	var hits atomic.Int32
	var mu sync.Mutex
	var bodies, keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		keys = append(keys, r.Header.Get(keyHeader))
		mu.Unlock()
		if hits.Add(1) == 1 {
			<-r.Context().Done() // the slow replica: answers only by noticing the cancel
			close(loserCancelled)
			return
		}
		fmt.Fprint(w, "fast,")
		w.(http.Flusher).Flush()
		<-release
		fmt.Fprint(w, "tail")
	}))
	t.Cleanup(srv.Close)
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	var hedges atomic.Int32
	client := &http.Client{Transport: NewTransport(base, time.Millisecond, WithOnHedge(func() { hedges.Add(1) }))}

	for _, method := range []string{"GET", "POST"} {
		hits.Store(0)
		loserCancelled = make(chan struct{})
		release = make(chan struct{})
		bodies, keys = nil, nil
		var body io.Reader
		if method == "POST" {
			body = bytes.NewReader([]byte(`{"sku":42}`))
		}
		req, _ := http.NewRequest(method, srv.URL, body)
		if method == "POST" {
			req.Header.Set(keyHeader, "k-1") // a keyed write may be hedged
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		<-loserCancelled // hangs if the loser is not cancelled
		close(release)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(b) != "fast,tail" {
			t.Fatalf("%s: winner body %q, %v: cancelling the loser hurt the winner", method, b, err)
		}
		if method == "POST" && (fmt.Sprint(bodies) != `[{"sku":42} {"sku":42}]` || fmt.Sprint(keys) != "[k-1 k-1]") {
			t.Fatalf("POST attempts sent bodies %q keys %q", bodies, keys)
		}
	}
	if hedges.Load() != 2 {
		t.Fatalf("%d hedges, want 2", hedges.Load())
	}
}

// fakeRT is a base transport whose behaviour per call is scripted.
type fakeRT struct {
	calls atomic.Int32
	orig  *http.Request
	same  atomic.Bool
	do    func(n int32, r *http.Request) (*http.Response, error)
}

func (f *fakeRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r == f.orig {
		f.same.Store(true)
	}
	return f.do(f.calls.Add(1), r)
}

type closeSignal struct {
	io.Reader
	closed chan struct{}
	once   sync.Once
}

func (c *closeSignal) Close() error { c.once.Do(func() { close(c.closed) }); return nil }

func TestTransportClosesLateLoserBody(t *testing.T) {
	leakcheck.Check(t)
	release := make(chan struct{})
	loserBody := &closeSignal{Reader: strings.NewReader("late"), closed: make(chan struct{})}
	f := &fakeRT{do: func(n int32, r *http.Request) (*http.Response, error) {
		if n == 1 {
			<-release // ignores its context and answers after the race is over
			return &http.Response{StatusCode: 200, Body: loserBody}, nil
		}
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("winner"))}, nil
	}}
	req, _ := http.NewRequest("GET", "http://replica.invalid/price", nil)
	resp, err := NewTransport(f, 0).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "winner" {
		t.Fatalf("body %q", b)
	}
	close(release)
	select {
	case <-loserBody.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the late loser's response body was never closed")
	}
}

func TestTransportHedgesOnlySafeRequests(t *testing.T) {
	leakcheck.Check(t)
	ok := func(n int32, r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	}
	for _, tc := range []struct {
		name   string
		mk     func() *http.Request
		hedged bool
	}{
		{"GET", func() *http.Request { r, _ := http.NewRequest("GET", "http://x.invalid/", nil); return r }, true},
		{"HEAD", func() *http.Request { r, _ := http.NewRequest("HEAD", "http://x.invalid/", nil); return r }, true},
		{"POST-no-key", func() *http.Request {
			r, _ := http.NewRequest("POST", "http://x.invalid/", strings.NewReader("x"))
			return r
		}, false},
		{"DELETE-no-key", func() *http.Request { r, _ := http.NewRequest("DELETE", "http://x.invalid/", nil); return r }, false},
		{"POST-key", func() *http.Request {
			r, _ := http.NewRequest("POST", "http://x.invalid/", strings.NewReader("x"))
			r.Header.Set(keyHeader, "k")
			return r
		}, true},
		{"POST-key-unrereadable-body", func() *http.Request {
			r, _ := http.NewRequest("POST", "http://x.invalid/", io.NopCloser(strings.NewReader("x")))
			r.Header.Set(keyHeader, "k")
			return r
		}, false},
	} {
		f := &fakeRT{do: ok}
		f.orig = tc.mk()
		resp, err := NewTransport(f, time.Hour).RoundTrip(f.orig)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// A passed-through request reaches base as the caller's own pointer.
		if f.same.Load() == tc.hedged {
			t.Errorf("%s: hedged=%v, want %v", tc.name, !f.same.Load(), tc.hedged)
		}
	}
}

func TestTransportErrors(t *testing.T) {
	leakcheck.Check(t)
	backupFailed := make(chan struct{})
	f := &fakeRT{do: func(n int32, r *http.Request) (*http.Response, error) {
		if n == 1 {
			<-backupFailed // the backup's failure alone must not end the race
			return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
		}
		defer close(backupFailed)
		return nil, errors.New("backup: connection refused")
	}}
	req, _ := http.NewRequest("GET", "http://x.invalid/", nil)
	resp, err := NewTransport(f, 0).RoundTrip(req)
	if err != nil {
		t.Fatalf("a failed backup ended the race: %v", err)
	}
	resp.Body.Close()

	f = &fakeRT{do: func(n int32, r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("call %d refused", n)
	}}
	_, err = NewTransport(f, 0).RoundTrip(req)
	if err == nil || !strings.HasSuffix(err.Error(), "refused") {
		t.Fatalf("all failed: err %v", err)
	}
}
