package livenessdeps

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// remoteCall is a call that waits on something outside the process.
type remoteCall struct {
	call *ast.CallExpr
	dep  string // what it calls, for the message: "the database"
}

// findRemote returns the first remote call that body makes, directly or
// through the functions of this package it calls. Calls inside go
// statements do not hold the probe and are skipped.
func (c *checker) findRemote(body *ast.BlockStmt, seen map[*ast.BlockStmt]bool, depth int) (remoteCall, bool) {
	if seen[body] || depth > 4 {
		return remoteCall{}, false
	}
	seen[body] = true
	var found remoteCall
	ok := false
	ast.Inspect(body, func(n ast.Node) bool {
		if ok {
			return false
		}
		switch n := n.(type) {
		case *ast.GoStmt:
			return false
		case *ast.CallExpr:
			fn := match.Callee(c.pass.TypesInfo, n)
			if dep := remoteDep(fn); dep != "" {
				found, ok = remoteCall{call: n, dep: dep}, true
				return false
			}
			if fd := c.decl(fn); fd != nil {
				found, ok = c.findRemote(fd.Body, seen, depth+1)
			}
		}
		return true
	})
	return found, ok
}

// clients maps client library import paths (prefixes) to what they reach.
var clients = []struct{ prefix, dep string }{
	{"github.com/redis/go-redis/", "Redis"},
	{"github.com/go-redis/redis", "Redis"},
	{"github.com/gomodule/redigo/", "Redis"},
	{"github.com/segmentio/kafka-go", "Kafka"},
	{"github.com/IBM/sarama", "Kafka"},
	{"github.com/Shopify/sarama", "Kafka"},
	{"github.com/confluentinc/confluent-kafka-go", "Kafka"},
	{"github.com/nats-io/nats.go", "NATS"},
	{"go.mongodb.org/mongo-driver", "MongoDB"},
	{"github.com/jackc/pgx", "PostgreSQL"},
	{"github.com/jmoiron/sqlx", "the database"},
	{"go.etcd.io/etcd/client", "etcd"},
}

var sqlTypes = []string{"DB", "Conn", "Tx", "Stmt"}

// remoteDep says what fn reaches outside the process, or "" when it is
// not a remote call the check knows.
func remoteDep(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	sig := fn.Type().(*types.Signature)
	path := fn.Pkg().Path()
	switch {
	case path == "database/sql" && sig.Recv() != nil:
		for _, t := range sqlTypes {
			if match.IsMethod(fn, "database/sql", t) && fn.Name() != "Close" && !strings.HasPrefix(fn.Name(), "Set") && fn.Name() != "Stats" {
				return "the database"
			}
		}
	case match.IsFunc(fn, "net/http", "Get", "Head", "Post", "PostForm"),
		match.IsMethod(fn, "net/http", "Client", "Do", "Get", "Head", "Post", "PostForm"):
		return "an HTTP service"
	case match.IsFunc(fn, "net", "Dial", "DialTimeout"),
		match.IsMethod(fn, "net", "Dialer", "Dial", "DialContext"):
		return "a network peer"
	case grpcCall(sig):
		return "a gRPC service"
	}
	if sig.Recv() == nil {
		return ""
	}
	for _, cl := range clients {
		if strings.HasPrefix(path, cl.prefix) && (takesContext(sig) || isPing(fn.Name())) {
			return cl.dep
		}
	}
	// An interface method Ping(ctx) or PingContext(ctx): a dependency's
	// health check, whatever implements it.
	if types.IsInterface(sig.Recv().Type()) && isPing(fn.Name()) && takesContext(sig) {
		return "a dependency"
	}
	return ""
}

func isPing(name string) bool { return name == "Ping" || name == "PingContext" }

func takesContext(sig *types.Signature) bool {
	return sig.Params().Len() > 0 && match.IsContext(sig.Params().At(0).Type())
}

// grpcCall reports a method of a generated gRPC client: its last parameter
// is ...grpc.CallOption.
func grpcCall(sig *types.Signature) bool {
	if !sig.Variadic() || sig.Recv() == nil {
		return false
	}
	last := sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
	return match.IsNamed(last, "google.golang.org/grpc", "CallOption")
}
