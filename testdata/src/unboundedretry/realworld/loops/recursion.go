package loops

import (
	"encoding/json"
	"net/http"
	"time"
)

// Do sends the request again by calling itself while the server says 429:
// a server that keeps rate-limiting is asked forever.
func (s *Sender) Do() (*http.Response, error) {
	res, err := s.hc.Get(s.url)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusTooManyRequests {
		res.Body.Close()
		time.Sleep(jitter())
		return s.Do() // want `retry by recursion has no bound: after a failing s.hc.Get, s.Do calls itself again with nothing to stop it`
	}
	return res, nil
}

// DoCounted is the twin: the attempt travels in a parameter.
func (s *Sender) DoCounted(attempt int) (*http.Response, error) {
	res, err := s.hc.Get(s.url)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusTooManyRequests && attempt < s.retries {
		res.Body.Close()
		time.Sleep(jitter())
		return s.DoCounted(attempt + 1)
	}
	return res, nil
}

// reauth renews the token.
func (s *Sender) reauth() error { return nil }

// DoAuthed re-authenticates once on a 401 and tries again, at most once:
// the flag parameter bounds it.
func (s *Sender) DoAuthed(reauthed bool) (*http.Response, error) {
	res, err := s.hc.Get(s.url)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusUnauthorized && !reauthed {
		res.Body.Close()
		if err := s.reauth(); err != nil {
			return nil, err
		}
		return s.DoAuthed(true)
	}
	return res, nil
}

// state is carried across the attempts of one request.
type state struct {
	reauthed bool
	retries  int
}

// DoState is bounded by the state it carries: one re-authentication, and
// a limited number of 429 retries.
func (s *Sender) DoState(st *state) (*http.Response, error) {
	res, err := s.hc.Get(s.url)
	if err != nil {
		return nil, err
	}
	switch res.StatusCode {
	case http.StatusUnauthorized:
		if !st.reauthed {
			res.Body.Close()
			st.reauthed = true
			return s.DoState(st)
		}
	case http.StatusTooManyRequests:
		if st.retries < s.retries {
			res.Body.Close()
			st.retries++
			time.Sleep(jitter())
			return s.DoState(st)
		}
	}
	return res, nil
}

type page struct {
	Items []string
	Next  string
}

// List follows the next-page links by recursion: each call asks for a
// different page, not the same one again.
func (s *Sender) List(url string, out []string) ([]string, error) {
	res, err := s.hc.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var p page
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		return nil, err
	}
	out = append(out, p.Items...)
	if p.Next != "" {
		return s.List(p.Next, out)
	}
	return out, nil
}
