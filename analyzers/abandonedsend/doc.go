// Package abandonedsend defines an Analyzer that reports goroutines left
// blocked forever on a send after the function that should receive has
// stopped waiting.
//
// # Analyzer abandonedsend
//
// abandonedsend: report sends that block forever once the receiver stops waiting
//
// # What it flags
//
// A send that blocks forever because the function that should receive it has
// stopped waiting. The function makes a channel with fewer slots than it has
// senders (usually unbuffered), starts goroutines that send on it — closures
// that capture it, function literals or functions of the same package it is
// passed to — and then, on some path, stops receiving:
//
//   - a select with a receive from the channel and another case (a timer,
//     ctx.Done(), another channel) that returns, or that moves on and never
//     receives again;
//   - a return after the senders start and before the receive;
//   - a loop receiving from many senders (a hand-rolled fan-out, a hedge) that
//     returns at the first error or the first success.
//
// The finding is on the first such send; the message names the path that
// abandons it:
//
//	send on ch blocks forever once the select at line 24 takes <-ctx.Done() and returns: the goroutine leaks with all it holds; give ch one slot per sender: make(chan result, 1)
//	send on errc blocks forever once the return at line 105 leaves the receiving loop before every sender was received: the goroutine leaks with all it holds; give errc one slot per sender: make(chan error, len(keys))
//
// # Why
//
// The article's thesis is that slow is worse than crashed, because slow holds
// resources. When the timeout wins the select, nobody ever receives: the
// goroutine stays blocked on its send, keeping its stack, its connection and
// everything it captured. Under a slow dependency every timed-out request
// leaks one more, until the process runs out of memory. The article's own
// hedging code avoids it with a channel of two slots, one per sender.
//
// # Bad
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
// # Good
//
//	ch := make(chan result, 1) // the send completes whether or not anyone listens
//
// # The fix
//
// The suggested fix gives the channel one slot per sender: the number of go
// statements (make(chan T, 1) for one), or, for one go statement in a loop,
// the loop's length (len(xs) for range xs, n for range n or i < n) when that
// name already means the same at the make. A goroutine that sends in a loop (a
// stream) gets no fix: have it select on ctx.Done() around its send.
//
// # What stays quiet
//
// Every path receives (a timeout case that still receives later, a deferred
// drain); the channel has a slot for every sender, or a capacity computed at
// run time; the sender selects around its send (on ctx.Done(), a done channel
// the caller closes, or a default); the other case receives from a channel the
// same goroutine sends on (it sends one or the other); a loop for {} that
// counts its results before returning; the channel leaves the function
// (stored, returned, passed to a call that is not a go statement, used in
// another closure); tests, generated files and package main's main, whose
// return ends the process.
package abandonedsend
