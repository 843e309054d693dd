package antipatterns

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"time"
)

// Recommendations is the slow dependency of the article's opening story.
type Recommendations interface {
	Call(ctx context.Context) error
	ForProduct(ctx context.Context, productID string) ([]string, error)
}

// Service is the product page's backend.
type Service struct {
	downstream Recommendations
}

// CallDownstream is the article's WRONG example: it creates a new context
// and loses the parent's deadline, so a caller that gave up after 500ms
// still holds a connection for two more seconds.
func (svc *Service) CallDownstream(ctx context.Context) error {
	newCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return svc.downstream.Call(newCtx)
}

// ServeHTTP renders recommendations without the request's context: when
// the client disconnects, the lookup keeps running.
func (svc *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	recs, err := svc.downstream.ForProduct(context.TODO(), r.URL.Query().Get("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := json.NewEncoder(w).Encode(recs); err != nil {
		log.Printf("encode: %v", err)
	}
}

// Warm refreshes a cache in the background and drops the request's trace
// IDs along with its cancellation.
func (svc *Service) Warm(ctx context.Context, productID string) {
	go func() {
		if _, err := svc.downstream.ForProduct(context.Background(), productID); err != nil {
			log.Printf("warm %s: %v", productID, err)
		}
	}()
}
