package model

import (
	"context"
	"io"
	"log"
	"net/http"
	"time"
)

// bodiesSwitchOpen leaves the body open on the 503 case only.
func bodiesSwitchOpen(ctx context.Context, hc *http.Client, req *http.Request) ([]byte, error) {
	for i := 0; i < 3; i++ { // want `retry bound=attempts wait=constant blind=false unclosed=1`
		resp, err := hc.Do(req)
		if err != nil {
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return b, err
		case http.StatusServiceUnavailable:
			log.Print("unavailable")
		default:
			resp.Body.Close()
			return nil, errFail
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return nil, errFail
}

// bodiesSwitchClosed closes on every case.
func bodiesSwitchClosed(ctx context.Context, hc *http.Client, req *http.Request) ([]byte, error) {
	for i := 0; i < 3; i++ { // want `retry bound=attempts wait=constant blind=false$`
		resp, err := hc.Do(req)
		if err != nil {
			continue
		}
		switch resp.StatusCode {
		case http.StatusOK:
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return b, err
		case http.StatusServiceUnavailable:
			log.Print("unavailable")
			resp.Body.Close()
		default:
			resp.Body.Close()
			return nil, errFail
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return nil, errFail
}
