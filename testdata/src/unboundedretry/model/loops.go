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
	for {
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
	for {
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
retry:
	resp, err := s.hc.Do(req)
	if err != nil && n < s.max {
		n++
		time.Sleep(time.Second)
		goto retry
	}
	return resp, err
}

func (s *loopsSender) loopsGotoForever(req *http.Request) (*http.Response, error) {
retry:
	resp, err := s.hc.Do(req)
	if err != nil {
		time.Sleep(time.Second)
		goto retry
	}
	return resp, err
}

func (s *loopsSender) loopsSwitch(ctx context.Context, req *http.Request) (*http.Response, error) {
	for {
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
	for {
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
	for {
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
		for {
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
		return s.loopsRecurse(ctx, req)
	}
	return resp, nil
}
