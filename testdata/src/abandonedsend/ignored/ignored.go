package ignored

import "time"

// Probe leaks at most one goroutine per process: the probe runs once at
// startup.
func Probe(check func() error, d time.Duration) error {
	errc := make(chan error)
	go func() {
		//resilvet:ignore abandonedsend runs once at startup; one stuck goroutine is acceptable
		errc <- check()
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		return nil
	}
}
