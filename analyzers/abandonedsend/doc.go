// Package abandonedsend defines an Analyzer that reports goroutines left
// blocked forever on a send after the function that should receive has
// stopped waiting.
//
// # Analyzer abandonedsend
//
// abandonedsend: report sends that block forever once the receiver stops waiting
//
// A function runs a call in a goroutine that sends its result on a channel
// the function made unbuffered, and waits for it in a select against a
// timeout or ctx.Done(). When the timeout wins, nobody ever receives: the
// goroutine blocks on its send forever, keeping its stack, its connection
// and everything it captured. Under a slow dependency every timed-out
// request leaks one, until the process runs out of memory:
//
//	ch := make(chan result)
//	go func() { ch <- fetch(ctx) }()
//	select {
//	case r := <-ch:
//		return r.v, r.err
//	case <-ctx.Done():
//		return nil, ctx.Err() // the sender blocks forever
//	}
//
// Give the channel one slot per sender, so that every send completes
// whether or not anyone still listens:
//
//	ch := make(chan result, 1)
//
// The check also reports a function that returns early between starting
// its senders and receiving from them, and a loop that receives from many
// senders (a hand-rolled fan-out) and returns at the first error, leaving
// the rest blocked; there the fix sizes the channel to the loop,
// make(chan error, len(xs)).
//
// It stays quiet when every path receives, when the channel has a slot for
// every sender, when the sender itself selects on ctx.Done() (or any other
// case) around its send, when the channel leaves the function (stored,
// returned, passed to a call that is not a go statement), in tests and in
// package main's main, whose return ends the process.
package abandonedsend
