package quiet

import (
	"fmt"
	"net/http"
	"time"
)

// waitReady polls a server the package's tests start until it answers: a
// file of test helpers, named as such, holds no production retry.
func waitReady(url string, attempts int) error {
	client := &http.Client{Timeout: 100 * time.Millisecond}
	for i := 0; i < attempts; i++ {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(time.Duration(10<<uint(i)) * time.Millisecond)
	}
	return fmt.Errorf("%s not ready", url)
}
