package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/erp-mesh/erp/gen/go/erp/auth/v1"
	masterv1 "github.com/erp-mesh/erp/gen/go/erp/master/v1"
)

// replyByMethod answers Export RPCs with a CSV body naming the method and everything else
// with NOT_FOUND naming the method, so a test sees which RPC a route reached.
func replyByMethod(method string, stream grpc.ServerStream) error {
	if strings.Contains(method, "/Export") {
		return stream.SendMsg(&httpbody.HttpBody{ContentType: "text/csv; charset=utf-8", Data: []byte("id,name\n" + method + "\n")})
	}
	return status.Error(codes.NotFound, method)
}

func TestExportLiteralBeatsGetByID(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyByMethod
	tok := e.token(t)
	exports := mustRegistry(t).exports
	if len(exports) != 10 {
		t.Fatalf("%d export routes, want one per master entity (10)", len(exports))
	}
	for _, route := range exports {
		for _, path := range []string{route.path, route.path + "/", route.path + "?search=a&show_deleted=true"} {
			resp, body := e.do(t, http.MethodGet, path, nil, withToken(tok))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("%s: content-type %q", path, ct)
			}
			if want := "id,name\n" + route.method + "\n"; string(body) != want {
				t.Errorf("%s: body %q, want %q", path, body, want)
			}
		}
	}
	// The templated route still gets ids, with or without the trailing slash.
	for _, path := range []string{"/api/master/countries/IN-1/", "/api/master/countries/IN-1", "/api/master/equipment-types/export.json/"} {
		resp, body := e.do(t, http.MethodGet, path, nil, withToken(tok))
		eb := decodeError(t, resp, body, 404, "NOT_FOUND")
		if !strings.HasSuffix(eb.Message, "/Get"+map[bool]string{true: "EquipmentType", false: "Country"}[strings.Contains(path, "equipment")]) {
			t.Errorf("%s reached %s", path, eb.Message)
		}
	}
	// Query parameters reach the export request.
	e.do(t, http.MethodGet, "/api/master/countries/export.csv?search=ind&is_active=true", nil, withToken(tok))
	got := &masterv1.ExportCountriesRequest{}
	if err := proto.Unmarshal(e.up.lastCall(t).req, got); err != nil {
		t.Fatal(err)
	}
	if got.GetSearch() != "ind" || got.IsActive == nil || !got.GetIsActive() {
		t.Errorf("export request %v lacks the filter", got)
	}
	// An unknown query parameter is a 400, like on the generated routes.
	resp, body := e.do(t, http.MethodGet, "/api/master/countries/export.csv?no_such=1", nil, withToken(tok))
	decodeError(t, resp, body, 400, "INVALID_ARGUMENT")
}

// TestEveryShadowedLiteralRouteIsOverridden reads the http rules from the descriptors: any
// literal path that a templated path of the same verb also matches must be among the registry's export routes.
func TestEveryShadowedLiteralRouteIsOverridden(t *testing.T) {
	type rule struct{ verb, path string }
	var rules []rule
	add := func(r *annotations.HttpRule) {
		switch p := r.GetPattern().(type) {
		case *annotations.HttpRule_Get:
			rules = append(rules, rule{"GET", p.Get})
		case *annotations.HttpRule_Post:
			rules = append(rules, rule{"POST", p.Post})
		case *annotations.HttpRule_Put:
			rules = append(rules, rule{"PUT", p.Put})
		case *annotations.HttpRule_Patch:
			rules = append(rules, rule{"PATCH", p.Patch})
		case *annotations.HttpRule_Delete:
			rules = append(rules, rule{"DELETE", p.Delete})
		}
	}
	for _, fd := range []protoreflect.FileDescriptor{
		authv1.File_erp_auth_v1_auth_service_proto, authv1.File_erp_auth_v1_admin_service_proto,
		masterv1.File_erp_master_v1_master_service_proto,
	} {
		for i := 0; i < fd.Services().Len(); i++ {
			methods := fd.Services().Get(i).Methods()
			for j := 0; j < methods.Len(); j++ {
				r, _ := proto.GetExtension(methods.Get(j).Options(), annotations.E_Http).(*annotations.HttpRule)
				if r == nil {
					continue
				}
				add(r)
				for _, b := range r.GetAdditionalBindings() {
					add(b)
				}
			}
		}
	}
	overridden := map[string]bool{}
	exports := mustRegistry(t).exports
	for _, r := range exports {
		overridden[r.path] = true
	}
	shadowed := 0
	for _, lit := range rules {
		if strings.Contains(lit.path, "{") {
			continue
		}
		for _, tpl := range rules {
			if tpl.verb == lit.verb && strings.Contains(tpl.path, "{") && templateMatches(tpl.path, lit.path) {
				shadowed++
				if !overridden[lit.path] {
					t.Errorf("%s %s is shadowed by %s and not registered again", lit.verb, lit.path, tpl.path)
				}
			}
		}
	}
	if shadowed != len(exports) {
		t.Errorf("%d shadowed literal routes, %d overrides", shadowed, len(exports))
	}
}

func TestStripTrailingSlash(t *testing.T) {
	var seen string
	h := stripTrailingSlash(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.URL.Path + "?" + r.URL.RawQuery
	}))
	for in, want := range map[string]string{
		"/api/master/continents/":         "/api/master/continents?",
		"/api/master/continents":          "/api/master/continents?",
		"/api/master/countries/IN/?x=1":   "/api/master/countries/IN?x=1",
		"/":                               "/?",
		"/api/master/continents//":        "/api/master/continents/?",
		"/api/docs/":                      "/api/docs/?",
		"/api/master/countries/a%2Fb/?q=": "/api/master/countries/a/b?q=",
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, in, nil))
		if seen != want {
			t.Errorf("%s -> %s, want %s", in, seen, want)
		}
	}
}

func TestCORS(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyEmpty
	preflight := func(origin string) (*http.Response, []byte) {
		return e.do(t, http.MethodOptions, "/api/master/continents/", nil,
			withHeader("Origin", origin), withHeader("Access-Control-Request-Method", "POST"),
			withHeader("Access-Control-Request-Headers", "authorization,content-type"))
	}
	resp, body := preflight("http://localhost:3000")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preflight: %d %s", resp.StatusCode, body)
	}
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin":      "http://localhost:3000",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "GET,POST,PUT,PATCH,DELETE,OPTIONS",
		"Access-Control-Allow-Headers":     "authorization,content-type,x-request-id",
		"Access-Control-Max-Age":           "86400",
		"Vary":                             "Origin",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	resp, body = preflight("http://evil.example")
	decodeError(t, resp, body, 404, "NOT_FOUND")
	if resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("disallowed origin got CORS headers: %v", resp.Header)
	}
	// Actual requests: allowed origin decorated (errors too), others not.
	resp, body = e.do(t, http.MethodGet, "/api/master/continents/", nil, withHeader("Origin", "http://127.0.0.1:3000"))
	decodeError(t, resp, body, 401, "UNAUTHENTICATED")
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:3000" ||
		resp.Header.Get("Access-Control-Expose-Headers") != "x-request-id, Retry-After" {
		t.Errorf("allowed origin headers: %v", resp.Header)
	}
	resp, _ = e.do(t, http.MethodGet, "/api/master/continents/", nil, withToken(e.token(t)), withHeader("Origin", "http://evil.example"))
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("disallowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	if n := e.up.callCount(); n != 1 {
		t.Errorf("upstream calls %d, want 1", n)
	}
}

func TestRequestID(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyEmpty
	resp, _ := e.do(t, http.MethodGet, "/api/master/continents/", nil, withToken(e.token(t)))
	id, err := uuid.Parse(resp.Header.Get("X-Request-Id"))
	if err != nil || id.Version() != 4 {
		t.Fatalf("generated request id %q: %v", resp.Header.Get("X-Request-Id"), err)
	}
	if got := e.up.lastCall(t).md.Get("x-request-id"); len(got) != 1 || got[0] != id.String() {
		t.Errorf("forwarded request id %v, want %s", got, id)
	}
	resp, _ = e.do(t, http.MethodGet, "/api/nowhere", nil, withHeader("X-Request-Id", "abc-1"))
	if resp.Header.Get("X-Request-Id") != "abc-1" {
		t.Errorf("client request id not echoed on error: %v", resp.Header)
	}
	resp, _ = e.do(t, http.MethodGet, "/api/nowhere", nil, withHeader("X-Request-Id", strings.Repeat("a", 300)))
	if _, err := uuid.Parse(resp.Header.Get("X-Request-Id")); err != nil {
		t.Errorf("oversized request id kept: %q", resp.Header.Get("X-Request-Id"))
	}
}

func TestWatchChangesStreamsFlushedNDJSON(t *testing.T) {
	e := startEdge(t)
	release := make(chan struct{})
	e.up.reply = func(method string, stream grpc.ServerStream) error {
		if method != masterv1.ChangeFeedService_WatchChanges_FullMethodName {
			return status.Error(codes.Unimplemented, method)
		}
		for i := int64(1); i <= 3; i++ {
			if err := stream.SendMsg(&masterv1.WatchChangesResponse{Change: &masterv1.Change{Cursor: i, Entity: "country", Id: "c"}}); err != nil {
				return err
			}
			if i == 1 {
				select {
				case <-release: // the client has read the first line: it was flushed
				case <-time.After(5 * time.Second):
					return status.Error(codes.DeadlineExceeded, "first message was not flushed")
				}
			}
		}
		return nil
	}
	req, _ := http.NewRequest(http.MethodGet, e.url+"/api/master/changes/?cursor=0&max_changes=3", nil)
	req.Header.Set("Authorization", "Bearer "+e.token(t))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	var cursors []string
	for sc.Scan() {
		if len(cursors) == 0 {
			close(release)
		}
		var line struct { // one WatchChangesResponse per line, no {"result": ...} wrapper
			Change struct {
				Cursor string `json:"cursor"` // int64 is a JSON string in proto3 JSON
			} `json:"change"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		cursors = append(cursors, line.Change.Cursor)
	}
	if strings.Join(cursors, ",") != "1,2,3" {
		t.Fatalf("cursors %q", cursors)
	}
	got := &masterv1.WatchChangesRequest{}
	if err := proto.Unmarshal(e.up.lastCall(t).req, got); err != nil || got.GetCursor() != 0 || got.GetMaxChanges() != 3 {
		t.Errorf("request %v %v", got, err)
	}
}

func TestHealth(t *testing.T) {
	e := startEdge(t)
	resp, body := e.do(t, http.MethodGet, "/api/health/", nil)
	if resp.StatusCode != 200 || string(body) != `{"status":"SERVING"}` {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	e.up.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	resp, body = e.do(t, http.MethodGet, "/api/health", nil)
	decodeError(t, resp, body, 503, "UNAVAILABLE")
}

func TestUnknownQueryParametersAreRejected(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyEmpty
	tok := e.token(t)
	for _, path := range []string{"/api/master/continents/?pagesize=5", "/api/master/continents?page_size=x", "/api/master/continents?search.x=1"} {
		resp, body := e.do(t, http.MethodGet, path, nil, withToken(tok))
		decodeError(t, resp, body, 400, "INVALID_ARGUMENT")
	}
	if n := e.up.callCount(); n != 0 {
		t.Fatalf("upstream called %d times", n)
	}
	resp, body := e.do(t, http.MethodGet, "/api/master/continents/?page_size=5&pageToken=abc&show_deleted=true", nil, withToken(tok))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	got := &masterv1.ListContinentsRequest{}
	if err := proto.Unmarshal(e.up.lastCall(t).req, got); err != nil {
		t.Fatal(err)
	}
	if got.GetPageSize() != 5 || got.GetPageToken() != "abc" || !got.GetShowDeleted() {
		t.Errorf("request %v", got)
	}
}

func TestStreamErrors(t *testing.T) {
	e := startEdge(t)
	tok := e.token(t)
	// Before the first message: the shared error body and status.
	e.up.reply = func(method string, stream grpc.ServerStream) error {
		return status.Error(codes.InvalidArgument, "unknown entity 'planet'")
	}
	resp, body := e.do(t, http.MethodGet, "/api/master/changes?entities=planet", nil, withToken(tok))
	eb := decodeError(t, resp, body, 400, "INVALID_ARGUMENT")
	if eb.Message != "unknown entity 'planet'" {
		t.Errorf("message %q", eb.Message)
	}
	// After a message: the runtime's in-stream error line.
	e.up.reply = func(method string, stream grpc.ServerStream) error {
		if err := stream.SendMsg(&masterv1.WatchChangesResponse{Change: &masterv1.Change{Cursor: 1}}); err != nil {
			return err
		}
		return status.Error(codes.Unavailable, "database unavailable")
	}
	resp, body = e.do(t, http.MethodGet, "/api/master/changes", nil, withToken(tok))
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if resp.StatusCode != 200 || len(lines) != 2 || !strings.HasPrefix(lines[0], `{"change":`) || !strings.HasPrefix(lines[1], `{"error":`) {
		t.Fatalf("%d %q", resp.StatusCode, lines)
	}
}

func TestResponseHeadersAndCompactJSON(t *testing.T) {
	e := startEdge(t)
	e.up.reply = func(method string, stream grpc.ServerStream) error {
		if err := stream.SetHeader(metadata.Pairs("x-total-count", "7")); err != nil {
			return err
		}
		return stream.SendMsg(&masterv1.ListContinentsResponse{Continents: []*masterv1.Continent{{Id: "a", Name: "Asia"}}})
	}
	resp, body := e.do(t, http.MethodGet, "/api/master/continents", nil, withToken(e.token(t)))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), ", ") || strings.Contains(string(body), ": ") {
		t.Errorf("body is not compact: %s", body)
	}
	if resp.Header.Get("X-Total-Count") != "7" {
		t.Errorf("service header not forwarded: %v", resp.Header)
	}
	for k := range resp.Header {
		if strings.HasPrefix(strings.ToLower(k), "grpc-") {
			t.Errorf("gRPC transport header leaked: %s", k)
		}
	}
}

func TestUnreachableUpstreamIs503WithoutInternals(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/master/continents", nil)
	errorHandler(req.Context(), nil, nil, rec, req, status.Error(codes.Unavailable,
		`connection error: desc = "transport: Error while dialing: dial tcp 10.1.2.3:50052: connect: connection refused"`))
	eb := decodeError(t, rec.Result(), rec.Body.Bytes(), 503, "UNAVAILABLE")
	if strings.Contains(eb.Message, "10.1.2.3") {
		t.Errorf("message leaks the address: %q", eb.Message)
	}
}
