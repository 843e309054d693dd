// Package grpc is a stub of google.golang.org/grpc for analyzer fixtures.
package grpc

type CallOption interface{ option() }
