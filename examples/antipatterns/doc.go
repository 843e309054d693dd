// Package antipatterns is a small service written the way the article
// "Building Resilient Distributed Systems with Go" warns against: every file
// holds code that one resilvet check reports. It is its own module so that
// resilvet stays clean on its own repository; run the checks on it with
//
//	go run ./cmd/resilvet -C examples/antipatterns ./...
package antipatterns
