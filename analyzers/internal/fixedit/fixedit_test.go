package fixedit_test

import (
	"go/ast"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

const src = `package p

import "net/http"

type S struct{ A int }

func none()                                            {}
func onlyErr() error                                   { return nil }
func resp() (*http.Response, error)                    { return nil, nil }
func mixed() (n int, s string, ok bool, m map[int]int, err error) { return }
func strct() (S, error)                                { return S{}, nil }
func noErr() (int, string)                             { return 0, "" }
`

func TestZeroReturn(t *testing.T) {
	f, info := testkit.TypeCheck(t, src)

	want := map[string]string{
		"none":    "return",
		"onlyErr": "return err",
		"resp":    "return nil, err",
		"mixed":   `return 0, "", false, nil, err`,
		"strct":   "", // a struct has no literal zero value
		"noErr":   "", // no error to return
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		got, ok := fixedit.ZeroReturn(info, fd.Type, "err")
		assert.Equal(t, want[fd.Name.Name] != "", ok, fd.Name.Name)
		assert.Equal(t, want[fd.Name.Name], got, fd.Name.Name)
	}
}

func TestRuntimePaths(t *testing.T) {
	assert.Equal(t, "github.com/resilvet/resilvet/runtime/retry", fixedit.RuntimeRetry)
	assert.Equal(t, "github.com/resilvet/resilvet/runtime/breaker", fixedit.RuntimeBreaker)
}
