// Package memo holds server metadata that a client fetches on first use and
// keeps: set-once memos, where concurrent first callers only fetch twice,
// and twins whose memo is reset elsewhere or owns a resource.
package memo

import (
	"context"
	"sync"
)

// Capabilities is plain data describing what the server supports.
type Capabilities struct {
	Signals    bool
	MaxPayload int64
}

// NamespaceInfo and Limits are plain data too.
type NamespaceInfo struct {
	Name     string
	Archived bool
}

type Limits struct {
	MaxRequests int
}

// Session is a server-side session: it must be closed.
type Session struct {
	ID string
}

func (s *Session) Close() error { return nil }

type Service interface {
	SystemInfo(ctx context.Context) (*Capabilities, error)
	Describe(ctx context.Context, ns string) (*NamespaceInfo, *Limits, error)
	Open(ctx context.Context) (*Session, error)
}

type Client struct {
	svc Service
	ns  string

	capsMu sync.RWMutex
	caps   *Capabilities

	nsMu   sync.RWMutex
	nsData *namespaceData

	limitsMu sync.RWMutex
	limits   *Limits

	sessMu  sync.RWMutex
	session *Session
}

// namespaceData keeps what the workers need from the namespace.
type namespaceData struct {
	info   *NamespaceInfo
	limits *Limits
}

func NewClient(svc Service, ns string) *Client {
	return &Client{svc: svc, ns: ns}
}

// NewWithCapabilities starts a client with capabilities already known.
func NewWithCapabilities(svc Service, ns string, caps *Capabilities) *Client {
	return &Client{svc: svc, ns: ns, caps: caps}
}

// NewFrom shares the server of an existing client and copies its
// capabilities.
func NewFrom(ctx context.Context, existing *Client, ns string) (*Client, error) {
	c := NewClient(existing.svc, ns)
	var err error
	if c.caps, err = existing.capabilities(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// capabilities fetches the server's capabilities once. It does not hold the
// lock across the call: concurrent first callers may each fetch, and the
// last to finish is kept.
func (c *Client) capabilities(ctx context.Context) (*Capabilities, error) {
	c.capsMu.RLock()
	caps := c.caps
	c.capsMu.RUnlock()
	if caps != nil {
		return caps, nil
	}
	caps, err := c.svc.SystemInfo(ctx)
	if err != nil {
		return nil, err
	}
	if caps == nil {
		caps = &Capabilities{}
	}
	c.capsMu.Lock()
	c.caps = caps
	c.capsMu.Unlock()
	return caps, nil
}

// namespace fetches the namespace description once and keeps a copy.
func (c *Client) namespace(ctx context.Context) (namespaceData, error) {
	c.nsMu.RLock()
	cached := c.nsData
	c.nsMu.RUnlock()
	if cached != nil {
		return *cached, nil
	}
	info, limits, err := c.svc.Describe(ctx, c.ns)
	if err != nil {
		return namespaceData{}, err
	}
	data := namespaceData{info: info, limits: limits}
	if data.limits == nil {
		data.limits = &Limits{}
	}
	c.nsMu.Lock()
	c.nsData = &data
	c.nsMu.Unlock()
	return data, nil
}

// Limits is the twin whose memo is also reset: a fetch that began before
// Reconfigure stores the old limits after the reset.
func (c *Client) Limits(ctx context.Context) (*Limits, error) {
	c.limitsMu.RLock()
	l := c.limits
	c.limitsMu.RUnlock()
	if l != nil {
		return l, nil
	}
	_, l, err := c.svc.Describe(ctx, c.ns)
	if err != nil {
		return nil, err
	}
	c.limitsMu.Lock() // want `c.limits was read under RLock at line 132 and written after Lock without re-checking, so concurrent callers that all saw it missing each create and store their own`
	c.limits = l
	c.limitsMu.Unlock()
	return l, nil
}

func (c *Client) Reconfigure() {
	c.limitsMu.Lock()
	c.limits = nil
	c.limitsMu.Unlock()
}

// Session is the twin whose value owns a resource: each concurrent first
// caller opens a session, and all but the one kept are never closed.
func (c *Client) Session(ctx context.Context) (*Session, error) {
	c.sessMu.RLock()
	s := c.session
	c.sessMu.RUnlock()
	if s != nil {
		return s, nil
	}
	s, err := c.svc.Open(ctx)
	if err != nil {
		return nil, err
	}
	c.sessMu.Lock() // want `c.session was read under RLock at line 157 and written after Lock without re-checking, so concurrent callers that all saw it missing each create and store their own`
	c.session = s
	c.sessMu.Unlock()
	return s, nil
}
