package lsp

import (
	"context"
	"encoding/json"
	"strconv"

	"go.lsp.dev/jsonrpc2"
)

// guardStream answers a frame that is not a JSON-RPC message with an error
// response and reads on, where the connection would otherwise end. A frame
// with a broken header cannot be skipped: the stream has lost its place, and
// reading stops as it does without the guard.
type guardStream struct {
	jsonrpc2.Stream
	frames interface {
		ReadFrame(ctx context.Context) ([]byte, int64, error)
		WriteFrame(ctx context.Context, data []byte) (int64, error)
	}
}

func newGuardStream(s jsonrpc2.Stream) *guardStream {
	g := &guardStream{Stream: s}
	g.frames, _ = s.(interface {
		ReadFrame(ctx context.Context) ([]byte, int64, error)
		WriteFrame(ctx context.Context, data []byte) (int64, error)
	})
	return g
}

// ReadFrame returns the next frame that decodes as a JSON-RPC message.
func (g *guardStream) ReadFrame(ctx context.Context) ([]byte, int64, error) {
	for {
		frame, n, err := g.frames.ReadFrame(ctx)
		if err != nil {
			return frame, n, err
		}
		code, msg := check(frame)
		if code == 0 {
			return frame, n, nil
		}
		if _, err := g.frames.WriteFrame(ctx, errorResponse(frame, code, msg)); err != nil {
			return nil, 0, err
		}
	}
}

func (g *guardStream) WriteFrame(ctx context.Context, data []byte) (int64, error) {
	return g.frames.WriteFrame(ctx, data)
}

// check returns the JSON-RPC error code and message for a frame that is not
// one JSON-RPC message, or 0.
func check(frame []byte) (jsonrpc2.Code, string) {
	if !json.Valid(frame) {
		return jsonrpc2.ParseError, "the message is not valid JSON"
	}
	var m struct {
		Method json.RawMessage `json:"method"`
	}
	if err := json.Unmarshal(frame, &m); err != nil {
		// An array (a batch, which LSP does not use) or a scalar.
		return jsonrpc2.InvalidRequest, "the message is not a JSON-RPC object (LSP has no batches)"
	}
	if _, err := jsonrpc2.DecodeMessage(frame); err != nil {
		return jsonrpc2.InvalidRequest, "the message is not a valid JSON-RPC 2.0 request or response: " + err.Error()
	}
	return 0, ""
}

// errorResponse builds the error response to a bad frame, with the frame's
// id when it has a usable one and null otherwise.
func errorResponse(frame []byte, code jsonrpc2.Code, msg string) []byte {
	id := []byte("null")
	var m struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(frame, &m) == nil && len(m.ID) > 0 {
		var n int64
		var s string
		if json.Unmarshal(m.ID, &n) == nil || json.Unmarshal(m.ID, &s) == nil {
			id = m.ID
		}
	}
	msgJSON, _ := json.Marshal(msg)
	out := []byte(`{"jsonrpc":"2.0","id":`)
	out = append(out, id...)
	out = append(out, `,"error":{"code":`...)
	out = strconv.AppendInt(out, int64(code), 10)
	out = append(out, `,"message":`...)
	out = append(out, msgJSON...)
	return append(out, "}}"...)
}
