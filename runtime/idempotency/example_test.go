package idempotency_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/resilvet/resilvet/runtime/idempotency"
)

func ExampleMiddleware() {
	orders := 0
	create := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orders++
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "order %d", orders)
	})
	// Keys are per user: two users choosing the same key never collide.
	byUser := idempotency.WithScope(func(r *http.Request) string { return r.Header.Get("X-User") })
	srv := httptest.NewServer(idempotency.Middleware(idempotency.NewMemoryStore(), byUser)(create))
	defer srv.Close()
	client := srv.Client()

	send := func(user, key, body string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(body))
		req.Header.Set("X-User", user)
		req.Header.Set(idempotency.Header, key)
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Printf("%s: %d %s\n", user, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	send("alice", "k1", `{"sku":42}`) // runs the handler
	send("alice", "k1", `{"sku":42}`) // replayed
	send("alice", "k1", `{"sku":7}`)  // same key, different order: refused
	send("bob", "k1", `{"sku":7}`)    // another user's key space
	// Output:
	// alice: 201 order 1
	// alice: 201 order 1
	// alice: 422 idempotency: key reused with a different request
	// bob: 201 order 2
}
