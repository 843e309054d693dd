package idempotency_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/runtime/idempotency"
	"github.com/resilvet/resilvet/runtime/idempotency/internal/storetest"
	"github.com/resilvet/resilvet/runtime/internal/leakcheck"
)

// Without WithScope, two clients sending one key (and one body) each get
// their own result: keys are scoped by the credentials the request carries.
func TestCredentialsScopeKeys(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       []idempotency.Option
		alice, bob []string // header pairs
	}{
		{"authorization", nil,
			[]string{"Authorization", "Bearer alice-token"}, []string{"Authorization", "Bearer bob-token"}},
		{"default session cookie", nil,
			[]string{"Cookie", "theme=dark; session=alice-session"}, []string{"Cookie", "theme=dark; session=bob-session"}},
		{"configured session cookie", []idempotency.Option{idempotency.WithSessionCookies("app_sess")},
			[]string{"Cookie", "app_sess=alice"}, []string{"Cookie", "app_sess=bob"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakcheck.Check(t)
			o := &storetest.Orders{}
			srv, c := storetest.Serve(t, o, idempotency.NewMemoryStore(), tc.opts...)
			alice := storetest.Post(t, c, srv.URL, "k", "same body", tc.alice...)
			bob := storetest.Post(t, c, srv.URL, "k", "same body", tc.bob...)
			require.Equal(t, http.StatusCreated, alice.Status)
			require.Equal(t, http.StatusCreated, bob.Status)
			assert.Equal(t, "order 1 for same body", alice.Body)
			assert.Equal(t, "order 2 for same body", bob.Body, "bob was replayed alice's order")
			assert.False(t, bob.Replayed())

			again := storetest.Post(t, c, srv.URL, "k", "same body", tc.alice...)
			assert.True(t, again.Replayed())
			assert.Equal(t, "order 1 for same body", again.Body)
			assert.Equal(t, int64(2), o.Runs.Load())
		})
	}
}

// Cookies that are not session cookies do not split the key space, and a
// request without credentials shares it with every other anonymous one.
func TestCredentialScopeIgnoresOtherCookies(t *testing.T) {
	leakcheck.Check(t)
	o := &storetest.Orders{}
	srv, c := storetest.Serve(t, o, idempotency.NewMemoryStore(), idempotency.WithSessionCookies("app_sess"))
	storetest.Post(t, c, srv.URL, "k", "a", "Cookie", "app_sess=alice; theme=dark")
	again := storetest.Post(t, c, srv.URL, "k", "a", "Cookie", "theme=light; app_sess=alice")
	assert.True(t, again.Replayed())
	anon := storetest.Post(t, c, srv.URL, "k2", "a", "Cookie", "session=not-configured")
	anon2 := storetest.Post(t, c, srv.URL, "k2", "a")
	assert.False(t, anon.Replayed())
	assert.True(t, anon2.Replayed())
	assert.Equal(t, int64(2), o.Runs.Load())
}

// Set-Cookie goes to the client whose request ran the handler, and is never
// stored nor replayed to anyone else.
func TestSetCookieNeverStoredOrReplayed(t *testing.T) {
	leakcheck.Check(t)
	store := newSettled(idempotency.NewMemoryStore())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "fresh-secret"})
		w.Header().Set("Location", "/orders/1")
		w.WriteHeader(http.StatusCreated)
	})
	srv, c := storetest.Serve(t, h, store)
	first := storetest.Post(t, c, srv.URL, "k", "a")
	require.Equal(t, "complete", <-store.done)
	assert.Contains(t, first.Header.Get("Set-Cookie"), "fresh-secret")
	stored := store.completed.Load()
	require.NotNil(t, stored)
	assert.Empty(t, stored.Header.Values("Set-Cookie"))
	assert.Equal(t, "/orders/1", stored.Header.Get("Location"))

	again := storetest.Post(t, c, srv.URL, "k", "a")
	assert.True(t, again.Replayed())
	assert.Empty(t, again.Header.Values("Set-Cookie"))
	assert.Equal(t, "/orders/1", again.Header.Get("Location"))
}

// A record stored with Set-Cookie (by an older version, or a custom store)
// is replayed without it.
func TestReplayDropsStoredSetCookie(t *testing.T) {
	leakcheck.Check(t)
	store := idempotency.NewMemoryStore()
	srv, c := storetest.Serve(t, &storetest.Orders{}, &setCookieKept{store})
	storetest.Post(t, c, srv.URL, "k", "a")
	again := storetest.Post(t, c, srv.URL, "k", "a")
	assert.True(t, again.Replayed())
	assert.Empty(t, again.Header.Values("Set-Cookie"))
}
