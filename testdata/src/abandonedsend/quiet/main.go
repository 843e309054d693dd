package quiet

// The package main case lives in quiet/cmd; this file keeps a select on a
// closed-over channel that is also received after the select.

import "time"

func ReceivesAfter(work func() int, d time.Duration) int {
	ch := make(chan int)
	go func() { ch <- work() }()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
	}
	return <-ch
}
