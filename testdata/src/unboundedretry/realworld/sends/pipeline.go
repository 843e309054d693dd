package sends

import (
	"io"
	"net/http"
)

// Policy is one stage of a request pipeline, in the shape of the cloud
// SDKs' pipelines: each policy calls req.Next() to run the stages after it,
// the last of which sends the request.
type Policy interface {
	Do(req *Request) (*http.Response, error)
}

// Request carries an *http.Request through the pipeline.
type Request struct {
	raw      *http.Request
	policies []Policy
}

// rewind restores the body for another try.
func (r *Request) rewind() error {
	if r.raw.GetBody == nil {
		return nil
	}
	body, err := r.raw.GetBody()
	if err != nil {
		return err
	}
	r.raw.Body = body
	return nil
}

// Next runs the next policy of the pipeline.
func (r *Request) Next() (*http.Response, error) {
	p := r.policies[0]
	next := &Request{raw: r.raw, policies: r.policies[1:]}
	return p.Do(next)
}

// hammerPolicy retries the rest of the pipeline at once: a throttled or
// failing service gets the next attempt immediately. The body is rewound
// first, with the same err the send then sets.
type hammerPolicy struct{ tries int }

func (p hammerPolicy) Do(req *Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for try := 1; try <= p.tries; try++ {
		if err = req.rewind(); err != nil {
			return nil, err
		}
		resp, err = req.Next() // want `req.Next is retried at once with no wait`
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	return resp, err
}
