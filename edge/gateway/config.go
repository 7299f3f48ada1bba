package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// config is read once from the environment (ERP_* variables); nothing else reads os.Getenv.
type config struct {
	HTTPAddr        string
	AuthAddrs       []string
	MasterAddrs     []string
	MaxBodyBytes    int64
	JWTIssuer       string
	JWTAudience     string
	EdgeSecret      string
	CORSOrigins     []string
	UpstreamTimeout time.Duration
	DocsDir         string
	// TrustedHops is how many proxies in front of the edge append to X-Forwarded-For (ERP_EDGE_TRUSTED_HOPS,
	// Envoy's xff_num_trusted_hops): 0 takes the TCP peer as the client, N the Nth address from the right.
	TrustedHops int
	// RequestTimeout bounds receiving a request, headers and body (ERP_EDGE_REQUEST_TIMEOUT seconds).
	RequestTimeout time.Duration
}

func loadConfig(getenv func(string) string) (config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	cfg := config{
		HTTPAddr:        get("ERP_GATEWAY_HTTP_ADDR", "127.0.0.1:8080"),
		AuthAddrs:       splitAddrs(get("ERP_AUTH_GRPC_ADDR", "127.0.0.1:50051")),
		MasterAddrs:     splitAddrs(get("ERP_MASTER_GRPC_ADDR", "127.0.0.1:50052")),
		JWTIssuer:       get("ERP_JWT_ISSUER", "auth_service"),
		JWTAudience:     get("ERP_JWT_AUDIENCE", "erp"),
		EdgeSecret:      getenv("ERP_EDGE_SHARED_SECRET"),
		UpstreamTimeout: 30 * time.Second,
		DocsDir:         get("ERP_DOCS_DIR", "var/docs"),
	}
	maxBody, err := strconv.ParseInt(get("ERP_MAX_BODY_BYTES", "1048576"), 10, 64)
	if err != nil || maxBody <= 0 {
		return config{}, fmt.Errorf("ERP_MAX_BODY_BYTES must be a positive integer, got %q", getenv("ERP_MAX_BODY_BYTES"))
	}
	cfg.MaxBodyBytes = maxBody
	hops, err := strconv.Atoi(get("ERP_EDGE_TRUSTED_HOPS", "0"))
	if err != nil || hops < 0 {
		return config{}, fmt.Errorf("ERP_EDGE_TRUSTED_HOPS must be 0 or more, got %q", getenv("ERP_EDGE_TRUSTED_HOPS"))
	}
	cfg.TrustedHops = hops
	timeout, err := strconv.ParseFloat(get("ERP_EDGE_REQUEST_TIMEOUT", "30"), 64)
	if err != nil || timeout <= 0 {
		return config{}, fmt.Errorf("ERP_EDGE_REQUEST_TIMEOUT must be a positive number of seconds, got %q",
			getenv("ERP_EDGE_REQUEST_TIMEOUT"))
	}
	cfg.RequestTimeout = time.Duration(timeout * float64(time.Second))
	if len(cfg.AuthAddrs) == 0 || len(cfg.MasterAddrs) == 0 {
		return config{}, fmt.Errorf("ERP_AUTH_GRPC_ADDR and ERP_MASTER_GRPC_ADDR need at least one address")
	}
	if path := strings.TrimSpace(getenv("ERP_EDGE_SHARED_SECRET_FILE")); cfg.EdgeSecret == "" && path != "" {
		// Like the services' value_or_file: the literal wins, else the file's stripped content.
		raw, err := os.ReadFile(path)
		if err != nil {
			return config{}, fmt.Errorf("ERP_EDGE_SHARED_SECRET_FILE: %w", err)
		}
		cfg.EdgeSecret = strings.TrimSpace(string(raw))
	}
	for _, origin := range strings.Split(get("ERP_CORS_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000"), ",") {
		if origin = strings.TrimRight(strings.TrimSpace(origin), "/"); origin != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, origin)
		}
	}
	return cfg, nil
}
