package main

import (
	"net/http"
	"strings"
	"testing"
)

func mustRegistry(t *testing.T) *registry {
	t.Helper()
	reg, err := loadRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// The public routes, the streaming route and the registrations come from the descriptors' options.
func TestRegistryFromTheContract(t *testing.T) {
	reg := mustRegistry(t)
	var public []string
	for r := range reg.public {
		public = append(public, r.verb+" "+r.path)
	}
	want := map[string]bool{
		"POST /api/auth/login": true, "GET /api/auth/login_page": true, "POST /api/auth/login_page": true,
		"POST /api/auth/login/mfa": true, "POST /api/auth/refresh": true, "GET /api/auth/refresh": true,
		"GET /api/auth/.well-known/jwks.json": true, "POST /api/auth/token": true,
		"GET /api/health": true, "GET /favicon.ico": true,
	}
	if len(public) != len(want) {
		t.Errorf("public routes %v", public)
	}
	for _, p := range public {
		if !want[p] {
			t.Errorf("%s is public", p)
		}
	}
	if len(reg.streaming) != 1 || !reg.isStreaming("/api/master/changes") {
		t.Errorf("streaming routes %v", reg.streaming)
	}
	if len(reg.services) != len(serviceHandlers) {
		t.Errorf("%d services registered, %d handlers", len(reg.services), len(serviceHandlers))
	}
	for _, svc := range reg.services {
		if want := strings.Split(string(svc.name), ".")[1]; svc.upstream != want {
			t.Errorf("%s served by %s", svc.name, svc.upstream)
		}
	}
	for _, rpc := range reg.rpcs {
		if rpc.access.GetInternal() && len(rpc.routes) > 0 {
			t.Errorf("internal %s has HTTP routes %v", rpc.fullMethod(), rpc.routes)
		}
	}
	if !reg.isPublic(http.MethodGet, "/api/docs/openapi.json") || reg.isPublic(http.MethodGet, "/api/auth/login") {
		t.Error("docs prefix or verb check")
	}
}

// The start-up check: a routed service without a handler, or a handler the contract does not know,
// stops the gateway.
func TestRegistryRefusesAHandlerTableThatDisagrees(t *testing.T) {
	const name = "erp.master.v1.ZoneService"
	saved := serviceHandlers[name]
	delete(serviceHandlers, name)
	_, err := loadRegistry()
	serviceHandlers[name] = saved
	if err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("missing handler: %v", err)
	}
	serviceHandlers["erp.master.v1.PlanetService"] = saved
	_, err = loadRegistry()
	delete(serviceHandlers, "erp.master.v1.PlanetService")
	if err == nil || !strings.Contains(err.Error(), "PlanetService") {
		t.Errorf("unknown handler: %v", err)
	}
}
