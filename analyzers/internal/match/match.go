// Package match holds the small type-based matchers the resilvet analyzers
// share, so that every check recognises calls and types the same way.
package match

import (
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// Imports reports whether pkg directly imports any of paths. Analyzers call it
// first and return at once for packages that cannot contain their pattern.
func Imports(pkg *types.Package, paths ...string) bool {
	for _, imp := range pkg.Imports() {
		for _, p := range paths {
			if imp.Path() == p {
				return true
			}
		}
	}
	return false
}

// Callee returns the function or method a call statically invokes, or nil.
func Callee(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn
}

// IsFunc reports whether fn is the package-level function pkgPath.name for
// one of names.
func IsFunc(fn *types.Func, pkgPath string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkgPath {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); !ok || sig.Recv() != nil {
		return false
	}
	return in(fn.Name(), names)
}

// IsMethod reports whether fn is a method of pkgPath.typeName (value or
// pointer receiver) named one of names; no names matches any method.
func IsMethod(fn *types.Func, pkgPath, typeName string, names ...string) bool {
	if fn == nil {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	if !IsNamed(sig.Recv().Type(), pkgPath, typeName) {
		return false
	}
	return len(names) == 0 || in(fn.Name(), names)
}

// IsNamed reports whether t, or the type t points to, is pkgPath.name.
func IsNamed(t types.Type, pkgPath, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == pkgPath
}

// IsContext reports whether t is context.Context.
func IsContext(t types.Type) bool { return IsNamed(t, "context", "Context") }

// IsHTTPRequestPtr reports whether t is *net/http.Request.
func IsHTTPRequestPtr(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && IsNamed(p.Elem(), "net/http", "Request")
}

// IsTestFile reports whether f is a _test.go file or a file of test
// helpers (see IsTestPos).
func IsTestFile(pass *analysis.Pass, f *ast.File) bool {
	return IsTestPos(pass, f.Pos())
}

// IsTestPos reports whether pos lies in a _test.go file, or in a file of
// helpers for the package's tests named as such (test_helpers.go,
// testutil.go, testing.go, server_testing.go).
func IsTestPos(pass *analysis.Pass, pos token.Pos) bool {
	tf := pass.Fset.File(pos)
	if tf == nil {
		return false
	}
	name := strings.TrimSuffix(filepath.Base(tf.Name()), ".go")
	if strings.HasSuffix(name, "_test") {
		return true
	}
	for _, p := range []string{"test_", "testutil", "testhelper", "testing"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	for _, sfx := range []string{"_testing", "_testutil", "_testhelper", "_testhelpers"} {
		if strings.HasSuffix(name, sfx) {
			return true
		}
	}
	return false
}

func in(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}
