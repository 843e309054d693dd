package routers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
)

type InventoryClient interface {
	Count(ctx context.Context, in *CountRequest, opts ...grpc.CallOption) (*CountReply, error)
}

type CountRequest struct{}
type CountReply struct{}

type App struct {
	rdb       *redis.Client
	inventory InventoryClient
}

func (a *App) Chi() http.Handler {
	r := chi.NewRouter()
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) { // want `liveness endpoint /healthz calls Redis \(a.rdb.Ping at line 30\)`
		if err := a.rdb.Ping(r.Context()).Err(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	return r
}

func (a *App) Gorilla() http.Handler {
	r := mux.NewRouter()
	r.Path("/livez").Methods(http.MethodGet).HandlerFunc(a.inventoryAlive) // want `liveness endpoint /livez calls a gRPC service \(a.inventory.Count at line 45\)`
	r.HandleFunc("/healthz", a.inventoryAlive).Methods(http.MethodGet)     // want `liveness endpoint /healthz calls a gRPC service`
	return r
}

func (a *App) inventoryAlive(w http.ResponseWriter, r *http.Request) {
	if _, err := a.inventory.Count(r.Context(), &CountRequest{}); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func (a *App) Echo() *echo.Echo {
	e := echo.New()
	e.GET("/healthz", func(c echo.Context) error { // want `liveness endpoint /healthz calls Redis \(a.rdb.Ping at line 53\)`
		if err := a.rdb.Ping(c.Request().Context()).Err(); err != nil {
			return c.NoContent(http.StatusServiceUnavailable)
		}
		return c.String(http.StatusOK, "ok")
	})
	return e
}

func (a *App) Gin() *gin.Engine {
	g := gin.Default()
	g.GET("/livez", a.ginLive) // want `liveness endpoint /livez calls Redis \(a.rdb.Ping at line 68\)`
	return g
}

func (a *App) ginLive(c *gin.Context) {
	if a.rdb.Ping(c.Request.Context()).Err() != nil {
		c.AbortWithStatus(http.StatusServiceUnavailable)
		return
	}
	c.Status(http.StatusOK)
}
