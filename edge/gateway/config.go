package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// config is read once from the environment (ERP_* variables); nothing else reads os.Getenv. The
// names and defaults the gateway shares with the Python components (erp_common/settings.py, the
// README's Configuration table) are held to theirs by tests/unit/test_settings.py.
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
	// Deprecated names the environment set, each with the name it is read as (logged once at start).
	Deprecated [][2]string
}

func loadConfig(getenv func(string) string) (config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	cfg := config{}
	// Listen and dial are separate settings: the gateway dials ERP_AUTH_UPSTREAMS / ERP_MASTER_UPSTREAMS.
	// ERP_AUTH_GRPC_ADDR / ERP_MASTER_GRPC_ADDR, which meant either, are read where those are unset.
	renamed := func(key, deprecated, def string) string {
		if old := strings.TrimSpace(getenv(deprecated)); old != "" {
			cfg.Deprecated = append(cfg.Deprecated, [2]string{deprecated, key})
			if strings.TrimSpace(getenv(key)) == "" {
				return old
			}
		}
		return get(key, def)
	}
	seconds := func(key, def string) (time.Duration, error) {
		value, err := strconv.ParseFloat(get(key, def), 64)
		if err != nil || value <= 0 {
			return 0, fmt.Errorf("%s must be a positive number of seconds, got %q", key, getenv(key))
		}
		return time.Duration(value * float64(time.Second)), nil
	}
	cfg.HTTPAddr = get("ERP_GATEWAY_HTTP_ADDR", "127.0.0.1:8080")
	cfg.AuthAddrs = splitAddrs(renamed("ERP_AUTH_UPSTREAMS", "ERP_AUTH_GRPC_ADDR", "127.0.0.1:50051"))
	cfg.MasterAddrs = splitAddrs(renamed("ERP_MASTER_UPSTREAMS", "ERP_MASTER_GRPC_ADDR", "127.0.0.1:50052"))
	cfg.JWTIssuer = get("ERP_JWT_ISSUER", "auth_service")
	cfg.JWTAudience = get("ERP_JWT_AUDIENCE", "erp")
	cfg.EdgeSecret = getenv("ERP_EDGE_SHARED_SECRET")
	cfg.DocsDir = get("ERP_DOCS_DIR", "var/docs")
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
	if cfg.RequestTimeout, err = seconds("ERP_EDGE_REQUEST_TIMEOUT", "30"); err != nil {
		return config{}, err
	}
	// The longest a call may take upstream (not the change feed), as at Envoy.
	if cfg.UpstreamTimeout, err = seconds("ERP_EDGE_UPSTREAM_TIMEOUT", "15"); err != nil {
		return config{}, err
	}
	if len(cfg.AuthAddrs) == 0 || len(cfg.MasterAddrs) == 0 {
		return config{}, fmt.Errorf("ERP_AUTH_UPSTREAMS and ERP_MASTER_UPSTREAMS need at least one address")
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
