package loops

import (
	"context"
	"errors"
	"log"
	"time"
)

var errSame = errors.New("config unchanged")

// Source loads a configuration from somewhere remote.
type Source interface {
	Load(ctx context.Context) ([]byte, error)
}

// AppContext is a framework's context: it embeds the context.Context.
type AppContext struct {
	context.Context
	name string
}

// watchAppConfig is watchConfig with the framework's context: its Done is
// the embedded context's.
func watchAppConfig(ctx AppContext, src Source, delay time.Duration, apply func([]byte) error) {
	go func() {
		for {
			timer := time.NewTimer(delay)
			select {
			case <-timer.C:
				cfg, err := src.Load(ctx)
				if err != nil {
					log.Printf("%s: loading config: %v; will retry", ctx.name, err)
					continue
				}
				if err := apply(cfg); errors.Is(err, errSame) {
					continue
				}
			case <-ctx.Done():
				if !timer.Stop() {
					<-timer.C
				}
			}
			break
		}
	}()
}

// watchConfig loads the configuration again after each delay until one
// loads and applies; a cancelled ctx leaves the select into the break.
func watchConfig(ctx context.Context, src Source, delay time.Duration, apply func([]byte) error) {
	go func() {
		for {
			timer := time.NewTimer(delay)
			select {
			case <-timer.C:
				cfg, err := src.Load(ctx)
				if err != nil {
					log.Printf("loading config: %v; will retry", err)
					continue
				}
				if err := apply(cfg); errors.Is(err, errSame) {
					continue
				}
			case <-ctx.Done():
				if !timer.Stop() {
					<-timer.C
				}
				log.Print("stopping config loading")
			}
			break
		}
	}()
}
