package model

import (
	"context"
	"net/http"
	"time"
)

type loopsOutcome struct {
	resp *http.Response
	err  error
}

type loopsSender struct {
	hc  *http.Client
	max int
}

func (s *loopsSender) loopsRetryable(req *http.Request, res *http.Response) bool {
	return res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500
}

func (o loopsOutcome) loopsClassify(max, n int) (bool, time.Duration) {
	if n >= max {
		return false, 0
	}
	if o.err != nil || o.resp.StatusCode >= 500 {
		return true, time.Duration(n) * time.Second
	}
	return false, 0
}

func (s *loopsSender) loopsHelperExit(req *http.Request) (*http.Response, error) {
	for { // want `retry bound=none wait=constant blind=false`
		res, err := s.hc.Do(req)
		if err != nil {
			return nil, err
		}
		if !s.loopsRetryable(req, res) {
			return res, nil
		}
		res.Body.Close()
		time.Sleep(time.Second)
	}
}

func (s *loopsSender) loopsClassified(ctx context.Context, req *http.Request) {
	n := 0
	for { // want `retry bound=attempts wait=unknown blind=true`
		res, err := s.hc.Do(req)
		out := loopsOutcome{res, err}
		again, delay := out.loopsClassify(s.max, n)
		if !again {
			return
		}
		n++
		time.Sleep(delay)
	}
}

func (s *loopsSender) loopsGoto(req *http.Request) (*http.Response, error) {
	n := 0
retry: // want `retry bound=attempts wait=constant blind=false`
	resp, err := s.hc.Do(req)
	if err != nil && n < s.max {
		n++
		time.Sleep(time.Second)
		goto retry
	}
	return resp, err
}

func (s *loopsSender) loopsGotoForever(req *http.Request) (*http.Response, error) {
retry: // want `retry bound=none wait=constant blind=false`
	resp, err := s.hc.Do(req)
	if err != nil {
		time.Sleep(time.Second)
		goto retry
	}
	return resp, err
}

func (s *loopsSender) loopsSwitch(ctx context.Context, req *http.Request) (*http.Response, error) {
	for { // want `retry bound=none wait=constant blind=true`
		resp, err := s.hc.Do(req)
		if err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			resp.Body.Close()
			time.Sleep(time.Second)
			continue
		}
		return resp, nil
	}
}

func (s *loopsSender) loopsSwitchErr(ctx context.Context, req *http.Request) (*http.Response, error) {
	for { // want `retry bound=none wait=constant blind=true`
		resp, err := s.hc.Do(req)
		switch {
		case err != nil:
			time.Sleep(time.Second)
			continue
		case resp.StatusCode >= 500:
			resp.Body.Close()
			time.Sleep(time.Second)
			continue
		}
		return resp, nil
	}
}

func (s *loopsSender) loopsLabelled(ctx context.Context, reqs []*http.Request) {
outer:
	for { // want `retry bound=none wait=constant blind=true`
		for _, req := range reqs {
			resp, err := s.hc.Do(req)
			if err != nil {
				time.Sleep(time.Second)
				continue outer
			}
			resp.Body.Close()
		}
		return
	}
}

func (s *loopsSender) loopsGoroutine(ctx context.Context, req *http.Request) {
	go func() {
		for { // want `retry bound=none wait=constant blind=true`
			resp, err := s.hc.Do(req)
			if err == nil {
				resp.Body.Close()
				return
			}
			time.Sleep(time.Second)
		}
	}()
}

func (s *loopsSender) loopsRecurse(ctx context.Context, req *http.Request) (*http.Response, error) {
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		resp.Body.Close()
		time.Sleep(time.Second)
		return s.loopsRecurse(ctx, req) // want `retry bound=none wait=constant blind=true`
	}
	return resp, nil
}

func loopsIsRetryable(err error) bool { return err != nil }

// loopsList is a long poll: it answers when the watched keys change.
func (s *loopsSender) loopsList(index uint64) ([]string, uint64, error) { return nil, index, nil }

// loopsMonitor rides out brief failures (RETRY, bounded by retries) and
// otherwise long-polls for changes (WAIT, on success: not a retry).
func (s *loopsSender) loopsMonitor(done chan struct{}) {
	defer close(done)
	var index uint64
WAIT:
	retries := s.max
RETRY: // want `retry bound=attempts wait=constant blind=false`
	keys, meta, err := s.loopsList(index)
	if err != nil {
		if retries > 0 && loopsIsRetryable(err) {
			time.Sleep(time.Second)
			retries--
			goto RETRY
		}
		return
	}
	if len(keys) > 0 {
		index = meta
		goto WAIT
	}
}
