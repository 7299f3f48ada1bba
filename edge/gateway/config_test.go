package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"google.golang.org/grpc/connectivity"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		HTTPAddr: "127.0.0.1:8080", AuthAddrs: []string{"127.0.0.1:50051"}, MasterAddrs: []string{"127.0.0.1:50052"},
		MaxBodyBytes: 1048576, JWTIssuer: "auth_service", JWTAudience: "erp",
		CORSOrigins:     []string{"http://localhost:3000", "http://127.0.0.1:3000"},
		UpstreamTimeout: 15 * time.Second, DocsDir: "var/docs", TrustedHops: 0, RequestTimeout: 30 * time.Second,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("got %+v\nwant %+v", cfg, want)
	}
}

func TestConfigFromEnv(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "edge-secret")
	if err := os.WriteFile(secretFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"ERP_CORS_ORIGINS":            " https://erp.example.com/ ,http://localhost:5173,, ",
		"ERP_MAX_BODY_BYTES":          "2048",
		"ERP_EDGE_SHARED_SECRET_FILE": secretFile,
		"ERP_MASTER_UPSTREAMS":        "m1:50052, m2:50052",
	}
	cfg, err := loadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EdgeSecret != "from-file" || !reflect.DeepEqual(cfg.MasterAddrs, []string{"m1:50052", "m2:50052"}) || cfg.MaxBodyBytes != 2048 ||
		!reflect.DeepEqual(cfg.CORSOrigins, []string{"https://erp.example.com", "http://localhost:5173"}) {
		t.Fatalf("%+v", cfg)
	}
	env["ERP_EDGE_SHARED_SECRET"] = "literal"
	if cfg, _ := loadConfig(envOf(env)); cfg.EdgeSecret != "literal" {
		t.Fatalf("literal secret should win over the file, got %q", cfg.EdgeSecret)
	}
	for _, bad := range []map[string]string{
		{"ERP_MAX_BODY_BYTES": "lots"},
		{"ERP_MAX_BODY_BYTES": "0"},
		{"ERP_AUTH_UPSTREAMS": " , "},
		{"ERP_EDGE_UPSTREAM_TIMEOUT": "0"},
		{"ERP_EDGE_SHARED_SECRET_FILE": filepath.Join(t.TempDir(), "missing")},
	} {
		if _, err := loadConfig(envOf(bad)); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

func TestDeprecatedAddressNamesAreReadWhereTheNewOnesAreUnset(t *testing.T) {
	cfg, err := loadConfig(envOf(map[string]string{
		"ERP_AUTH_GRPC_ADDR": "a1:50051,a2:50051", "ERP_MASTER_GRPC_ADDR": "old:50052", "ERP_MASTER_UPSTREAMS": "new:50052",
		"ERP_EDGE_UPSTREAM_TIMEOUT": "2.5",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.AuthAddrs, []string{"a1:50051", "a2:50051"}) || !reflect.DeepEqual(cfg.MasterAddrs, []string{"new:50052"}) {
		t.Fatalf("auth %v master %v", cfg.AuthAddrs, cfg.MasterAddrs)
	}
	want := [][2]string{{"ERP_AUTH_GRPC_ADDR", "ERP_AUTH_UPSTREAMS"}, {"ERP_MASTER_GRPC_ADDR", "ERP_MASTER_UPSTREAMS"}}
	if !reflect.DeepEqual(cfg.Deprecated, want) || cfg.UpstreamTimeout != 2500*time.Millisecond {
		t.Fatalf("deprecated %v, upstream timeout %v", cfg.Deprecated, cfg.UpstreamTimeout)
	}
}

func TestDialUpstreamSpreadsOverReplicas(t *testing.T) {
	a, b := startUpstream(t), startUpstream(t)
	conn, err := dialUpstream("master", []string{a.addr, b.addr})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// round_robin only uses READY subchannels, so on a loaded machine the first calls may all go to
	// the replica that connected first; both must get calls once both are connected.
	deadline := time.Now().Add(5 * time.Second)
	for (a.jwksFetch.Load() == 0 || b.jwksFetch.Load() == 0) && time.Now().Before(deadline) {
		if _, err := grpcJWKSFetcher(conn, "")(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if a.jwksFetch.Load() == 0 || b.jwksFetch.Load() == 0 {
		t.Fatalf("calls per replica: %d, %d", a.jwksFetch.Load(), b.jwksFetch.Load())
	}
	single, err := dialUpstream("auth", []string{a.addr})
	if err != nil {
		t.Fatal(err)
	}
	defer single.Close()
	if _, err := grpcJWKSFetcher(single, "")(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestDialUpstreamUsesSeveralConnectionsPerReplica(t *testing.T) {
	up := startUpstream(t)
	pool, err := dialUpstream("master", []string{up.addr})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for range 2 * upstreamConnections {
		if _, err := grpcJWKSFetcher(pool, "")(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	// Each client connected for its own calls: as many connections as upstreamConnections, which the
	// kernel spreads over the replica's worker processes.
	for i, conn := range pool.conns {
		if state := conn.GetState(); state != connectivity.Ready {
			t.Errorf("connection %d: %s", i, state)
		}
	}
}
