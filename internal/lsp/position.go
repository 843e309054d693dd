package lsp

import (
	"errors"
	"net/url"
	"path/filepath"
	"unicode/utf16"
	"unicode/utf8"
)

// LSP positions count lines from 0 and characters in UTF-16 code units;
// Go positions are byte offsets. These functions convert between the two
// over a document's content.

// lineStart returns the byte offset where line (0-based) begins, or false
// when the content has fewer lines.
func lineStart(content []byte, line int) (int, bool) {
	off := 0
	for l := 0; l < line; l++ {
		i := indexByte(content[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	return off, true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// offsetOf converts an LSP position to a byte offset in content. A
// character past the end of its line means the end of the line, as the
// protocol says; a line past the end of the content is an error, except the
// line just after a final newline (the end of the document).
func offsetOf(content []byte, p position) (int, error) {
	if p.Line < 0 || p.Character < 0 {
		return 0, errors.New("negative position")
	}
	off, ok := lineStart(content, p.Line)
	if !ok {
		return 0, errors.New("position past the end of the document")
	}
	units := 0
	for off < len(content) && content[off] != '\n' && units < p.Character {
		r, size := utf8.DecodeRune(content[off:])
		if content[off] == '\r' && off+1 < len(content) && content[off+1] == '\n' {
			break
		}
		n := 1
		if r >= 0x10000 {
			n = 2 // a surrogate pair
		}
		if units+n > p.Character {
			break // inside a surrogate pair: stay before it
		}
		units += n
		off += size
	}
	return off, nil
}

// positionOf converts a byte offset in content to an LSP position.
func positionOf(content []byte, off int) position {
	off = min(max(off, 0), len(content))
	line, start := 0, 0
	for i := 0; i < off; i++ {
		if content[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return position{Line: line, Character: utf16Len(content[start:off])}
}

// utf16Len returns the length of b in UTF-16 code units.
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		n += max(utf16.RuneLen(r), 1) // invalid UTF-8 counts as one unit
		b = b[size:]
	}
	return n
}

// rangeOf converts the byte range [start, end) of content to an LSP range.
func rangeOf(content []byte, start, end int) lspRange {
	return lspRange{Start: positionOf(content, start), End: positionOf(content, end)}
}

// before reports whether position a comes before b.
func before(a, b position) bool {
	return a.Line < b.Line || (a.Line == b.Line && a.Character < b.Character)
}

// intersects reports whether two ranges share a position; an empty range
// (a cursor) touching the other range counts.
func intersects(a, b lspRange) bool {
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

// pathOf returns the file name of a file URI.
func pathOf(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", err
	}
	if u.Scheme != "file" {
		return "", errors.New("not a file URI: " + uri)
	}
	if u.Path == "" {
		return "", errors.New("file URI without a path: " + uri)
	}
	return filepath.Clean(filepath.FromSlash(u.Path)), nil
}

// uriOf returns the file URI of a file name.
func uriOf(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
