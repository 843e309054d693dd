package ctxbackground

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// observes reports whether a call that returns nothing only observes:
// logging, metrics or tracing, recognised by the callee's package, its
// receiver's type or its name. Such a call cannot act on cancellation, so
// handing it a fresh context loses nothing.
func observes(info *types.Info, call *ast.CallExpr) bool {
	var name string
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		name = fun.Name
	case *ast.SelectorExpr:
		name = fun.Sel.Name
		if t := info.TypeOf(fun.X); t != nil && observerType(t) {
			return true
		}
	case *ast.IndexExpr:
		return false
	}
	if fn := match.Callee(info, call); fn != nil && fn.Pkg() != nil && observerPkg(fn.Pkg().Path()) {
		return true
	}
	for _, p := range observerNames {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// observerNames are the name prefixes of logging, metrics and tracing
// calls.
var observerNames = []string{
	"Print", "Log", "Debug", "Info", "Warn", "Error", "Trace", "Fatal",
	"Record", "Observe", "Emit", "Inc", "Count", "Gauge", "Histogram", "Timing", "Audit",
}

// observerPkg reports whether a package path names a logging, metrics or
// tracing package ("log/slog", ".../zap", ".../otel/...", ".../prometheus").
func observerPkg(path string) bool {
	for _, elem := range strings.Split(path, "/") {
		e := strings.ToLower(elem)
		switch {
		case e == "log" || e == "slog" || e == "glog" || e == "klog" || e == "zap" || e == "zapcore" ||
			e == "logrus" || e == "zerolog" || e == "logr" || e == "hclog" || e == "statsd" ||
			e == "prometheus" || e == "opentracing-go" || e == "trace" || e == "otel" ||
			e == "metric" || e == "metrics" || e == "telemetry" || e == "tracing":
			return true
		case strings.HasPrefix(e, "go.opentelemetry.io"):
			return true
		}
	}
	return false
}

// observerType reports whether a receiver's type is a logger, tracer,
// span or metric by its name.
func observerType(t types.Type) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	if n.Obj().Pkg() != nil && observerPkg(n.Obj().Pkg().Path()) {
		return true
	}
	name := strings.ToLower(n.Obj().Name())
	for _, s := range []string{"logger", "log", "tracer", "span", "meter", "metrics", "recorder", "counter", "histogram", "gauge", "observer", "telemetry"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// ignoresContext reports whether the callee is a function of this package
// whose body uses its context parameters for nothing but observing calls
// and goroutines it starts (or not at all): no wait of the caller's loses
// its deadline.
func (c *checker) ignoresContext(call *ast.CallExpr) bool {
	fn := match.Callee(c.pass.TypesInfo, call)
	if fn == nil || fn.Pkg() != c.pass.Pkg {
		return false
	}
	decl := c.decls()[fn]
	if decl == nil || decl.Body == nil {
		return false
	}
	info := c.pass.TypesInfo
	ctxs := map[types.Object]bool{}
	for _, field := range decl.Type.Params.List {
		if match.IsContext(info.TypeOf(field.Type)) {
			for _, id := range field.Names {
				if v := info.Defs[id]; v != nil {
					ctxs[v] = true
				}
			}
		}
	}
	// Uses handed straight to a logging, metrics or tracing call.
	observed := map[*ast.Ident]bool{}
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && observes(info, call) {
			for _, a := range call.Args {
				if id, ok := ast.Unparen(a).(*ast.Ident); ok {
					observed[id] = true
				}
			}
		}
		return true
	})
	used := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if _, ok := n.(*ast.GoStmt); ok {
			return false // work the callee starts outlives it: not the caller's to bound
		}
		if x, ok := n.(*ast.Ident); ok && ctxs[info.Uses[x]] && !observed[x] {
			used = true
		}
		return !used
	})
	return !used
}

// lifecycle reports whether a call that returns nothing is named as one
// that starts work running on after it returns (Start, Go, Launch, Spawn)
// or tears the process or a server down (Exit, Shutdown, Stop, Quit): that
// work must not die with the caller's context, which a shutdown cancels.
func lifecycle(call *ast.CallExpr) bool {
	name := match.CalledName(call)
	for _, p := range []string{"Start", "start", "Go", "Launch", "launch", "Spawn", "spawn",
		"Exit", "exit", "Shutdown", "shutdown", "Stop", "stop", "Quit", "quit"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// decls maps the package's functions and methods to their declarations.
func (c *checker) decls() map[*types.Func]*ast.FuncDecl {
	if c.funcDecls == nil {
		c.funcDecls = map[*types.Func]*ast.FuncDecl{}
		for _, f := range c.pass.Files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					if fn, ok := c.pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
						c.funcDecls[fn] = fd
					}
				}
			}
		}
	}
	return c.funcDecls
}

// extracts reports whether a call is a propagator's Extract, which
// continues a trace carried by a message rather than the caller's.
func extracts(call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Extract"
}
