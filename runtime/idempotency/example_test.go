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

// Without WithScope, keys are scoped by the credentials a request carries
// (Authorization and session cookies): two clients sending the same key
// each get their own result.
func ExampleMiddleware_credentials() {
	orders := 0
	create := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orders++
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "order %d", orders)
	})
	srv := httptest.NewServer(idempotency.Middleware(idempotency.NewMemoryStore())(create))
	defer srv.Close()
	client := srv.Client()

	send := func(token, key string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(`{"sku":42}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set(idempotency.Header, key)
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Printf("%s: %d %s replayed=%v\n", token, resp.StatusCode, b, resp.Header.Get(idempotency.ReplayedHeader) == "true")
	}
	send("alice", "k1")
	send("bob", "k1") // the same key from another client runs its own request
	send("alice", "k1")
	// Output:
	// alice: 201 order 1 replayed=false
	// bob: 201 order 2 replayed=false
	// alice: 201 order 1 replayed=true
}
