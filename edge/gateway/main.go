// Command erp-gateway is the grpc-gateway edge of the ERP mesh: the seed's REST face
// (same as the Envoy edge) transcoded to the auth and master gRPC services, with JWT
// verification, CORS, request ids and one JSON error shape.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(); err != nil {
		slog.Error("gateway stopped", "error", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	for _, d := range cfg.Deprecated {
		slog.Warn(d[0]+" is deprecated and read as "+d[1]+": set "+d[1]+" instead "+
			"(listen and dial addresses are separate settings)", "name", d[0], "read_as", d[1])
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	authConn, err := dialUpstream("auth", cfg.AuthAddrs)
	if err != nil {
		return err
	}
	defer authConn.Close()
	masterConn, err := dialUpstream("master", cfg.MasterAddrs)
	if err != nil {
		return err
	}
	defer masterConn.Close()

	keys := newJWKSCache(grpcJWKSFetcher(authConn, cfg.EdgeSecret))
	if err := keys.refresh(ctx); err != nil {
		// Not fatal: the first token with an unknown kid fetches the keys again.
		slog.Warn("initial jwks fetch failed", "error", err)
	}
	go keys.run(ctx, jwksRefreshInterval)

	handler, err := newHandler(ctx, cfg, upstreams{auth: authConn, master: masterConn},
		newTokenVerifier(keys, cfg.JWTIssuer, cfg.JWTAudience), os.Stdout)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:    cfg.HTTPAddr,
		Handler: handler,
		// A client has RequestTimeout to send its request, headers and body (a slow body gets 408,
		// see readTimedOut); the streaming route lifts the read deadline once it starts.
		ReadTimeout:       cfg.RequestTimeout,
		ReadHeaderTimeout: min(10*time.Second, cfg.RequestTimeout),
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() {
		slog.Info("gateway listening", "addr", cfg.HTTPAddr, "auth", cfg.AuthAddrs, "master", cfg.MasterAddrs)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
