package antipatterns

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// inventoryClient is shared by every request and has no timeout: when the
// inventory service slows down, every caller waits with it.
var inventoryClient = &http.Client{}

// StockLevel asks the inventory service through the shared client.
func StockLevel(baseURL, sku string) (int, error) {
	resp, err := inventoryClient.Get(baseURL + "/stock/" + sku)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct{ Level int }
	return out.Level, json.NewDecoder(resp.Body).Decode(&out)
}

// Price uses http.Get, whose default client never gives up.
func Price(baseURL, sku string) (float64, error) {
	resp, err := http.Get(baseURL + "/price/" + sku)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("price %s: %s", sku, resp.Status)
	}
	var out struct{ Price float64 }
	return out.Price, json.NewDecoder(resp.Body).Decode(&out)
}

// Serve starts the product page with no read timeouts: slow clients can
// hold every connection open.
func Serve(svc *Service) error {
	mux := http.NewServeMux()
	mux.Handle("/recommendations", svc)
	srv := &http.Server{Addr: ":8080", Handler: mux}
	return srv.ListenAndServe()
}
