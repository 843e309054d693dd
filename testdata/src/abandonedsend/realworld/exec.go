package realworld

import (
	"os/exec"
	"time"
)

// Running a command with a deadline: wait for it in a goroutine, kill it
// when the deadline passes. The kill returns without receiving, so the
// goroutine that waited is left blocked on done (the shape fixed in a
// monitoring agent's plugin runner and a container advisor's runner).

func RunWithTimeout(cmd *exec.Cmd, timeout time.Duration) (error, bool) {
	if err := cmd.Start(); err != nil {
		return err, false
	}
	done := make(chan error)
	go func() {
		done <- cmd.Wait() // want `send on done blocks forever once the select at line 21 takes <-time.After\(timeout\) and returns: .*make\(chan error, 1\)`
	}()
	select {
	case <-time.After(timeout):
		err := cmd.Process.Kill()
		return err, true
	case err := <-done:
		return err, false
	}
}
