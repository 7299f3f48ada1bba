package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	masterv1 "github.com/erp-mesh/erp/gen/go/erp/master/v1"
)

func TestErrorHandlerMapsCodesToHTTP(t *testing.T) {
	cases := []struct {
		code     codes.Code
		httpCode int
		name     string
	}{
		{codes.InvalidArgument, 400, "INVALID_ARGUMENT"},
		{codes.FailedPrecondition, 400, "FAILED_PRECONDITION"},
		{codes.OutOfRange, 400, "OUT_OF_RANGE"},
		{codes.Unauthenticated, 401, "UNAUTHENTICATED"},
		{codes.PermissionDenied, 403, "PERMISSION_DENIED"},
		{codes.NotFound, 404, "NOT_FOUND"},
		{codes.AlreadyExists, 409, "ALREADY_EXISTS"},
		{codes.Aborted, 409, "ABORTED"},
		{codes.ResourceExhausted, 429, "RESOURCE_EXHAUSTED"},
		{codes.Canceled, 499, "CANCELLED"},
		{codes.Unimplemented, 501, "UNIMPLEMENTED"},
		{codes.Internal, 500, "INTERNAL"},
		{codes.Unavailable, 503, "UNAVAILABLE"},
		{codes.DeadlineExceeded, 504, "DEADLINE_EXCEEDED"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/api/master/countries/1", nil)
		errorHandler(req.Context(), nil, nil, rec, req, status.Error(c.code, "boom"))
		resp := rec.Result()
		eb := decodeError(t, resp, rec.Body.Bytes(), c.httpCode, c.name)
		if eb.Message != "boom" || len(eb.Details) != 0 {
			t.Errorf("%s: body %s", c.name, rec.Body.String())
		}
		if got := resp.Header.Get("WWW-Authenticate"); (c.httpCode == 401) != (got == "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", c.name, got)
		}
	}
}

func TestErrorDetailsAndRetryAfter(t *testing.T) {
	st, err := status.New(codes.ResourceExhausted, "too many attempts").WithDetails(
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)},
		&errdetails.ErrorInfo{Reason: "LOCKED_OUT", Domain: "erp.auth"},
	)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/auth/login", nil)
	errorHandler(req.Context(), nil, nil, rec, req, st.Err())
	resp := rec.Result()
	eb := decodeError(t, resp, rec.Body.Bytes(), 429, "RESOURCE_EXHAUSTED")
	if got := resp.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2 (1.5 s rounded up)", got)
	}
	if len(eb.Details) != 2 {
		t.Fatalf("details %s", rec.Body.String())
	}
	var retry map[string]any
	if err := json.Unmarshal(eb.Details[0], &retry); err != nil {
		t.Fatal(err)
	}
	if retry["@type"] != "type.googleapis.com/google.rpc.RetryInfo" || retry["retry_delay"] != "1.500s" {
		t.Errorf("retry detail %s", eb.Details[0])
	}
	if !strings.Contains(string(eb.Details[1]), `"reason":"LOCKED_OUT"`) {
		t.Errorf("error info detail %s", eb.Details[1])
	}
}

func TestUpstreamErrorThroughGateway(t *testing.T) {
	e := startEdge(t)
	st, _ := status.New(codes.InvalidArgument, "name is required").WithDetails(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "name", Description: "required"}},
	})
	e.up.reply = func(method string, stream grpc.ServerStream) error { return st.Err() }
	resp, body := e.do(t, http.MethodPost, "/api/master/countries/", strings.NewReader(`{"name":""}`), withToken(e.token(t)))
	eb := decodeError(t, resp, body, 400, "INVALID_ARGUMENT")
	if len(eb.Details) != 1 || !strings.Contains(string(eb.Details[0]), `"field_violations":[{`) ||
		!strings.Contains(string(eb.Details[0]), `"@type":"type.googleapis.com/google.rpc.BadRequest"`) {
		t.Errorf("details %s", body)
	}
	if got := e.up.lastCall(t).method; got != masterv1.CountryService_CreateCountry_FullMethodName {
		t.Errorf("method %s", got)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("error response lacks x-request-id")
	}

	locked, _ := status.New(codes.ResourceExhausted, "locked").WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(30 * time.Second)})
	e.up.reply = func(method string, stream grpc.ServerStream) error { return locked.Err() }
	resp, body = e.do(t, http.MethodGet, "/api/master/countries/", nil, withToken(e.token(t)))
	decodeError(t, resp, body, 429, "RESOURCE_EXHAUSTED")
	if got := resp.Header.Get("Retry-After"); got != "30" {
		t.Errorf("Retry-After %q", got)
	}
}

func TestRoutingAndRequestErrorsAreJSON(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyEmpty
	tok := e.token(t)
	resp, body := e.do(t, http.MethodGet, "/api/master/nothing-here/", nil, withToken(tok))
	decodeError(t, resp, body, 404, "NOT_FOUND")
	resp, body = e.do(t, http.MethodGet, "/", nil, withToken(tok))
	decodeError(t, resp, body, 404, "NOT_FOUND")
	resp, body = e.do(t, http.MethodDelete, "/api/master/continents/", nil, withToken(tok))
	decodeError(t, resp, body, 404, "NOT_FOUND")
	resp, body = e.do(t, http.MethodPost, "/api/master/continents/", strings.NewReader(`{"name": `), withToken(tok))
	decodeError(t, resp, body, 400, "INVALID_ARGUMENT")
	resp, body = e.do(t, http.MethodPost, "/api/master/continents/", strings.NewReader(`{"no_such_field": 1}`), withToken(tok))
	decodeError(t, resp, body, 400, "INVALID_ARGUMENT")
	if n := e.up.callCount(); n != 0 {
		t.Errorf("upstream called %d times", n)
	}
}

func TestBodyLimit(t *testing.T) {
	e := startEdge(t, func(c *config) { c.MaxBodyBytes = 64 })
	big := `{"username":"` + strings.Repeat("x", 100) + `","password":"p"}`
	want := `{"code":413,"status":"RESOURCE_EXHAUSTED","message":"request body too large","details":[]}`
	// Declared length over the limit.
	resp, body := e.do(t, http.MethodPost, "/api/auth/login/", strings.NewReader(big))
	if resp.StatusCode != 413 || string(body) != want {
		t.Fatalf("content-length: %d %s", resp.StatusCode, body)
	}
	// Chunked body (no length known up front) over the limit.
	resp, body = e.do(t, http.MethodPost, "/api/auth/login/", struct{ *strings.Reader }{strings.NewReader(big)})
	if resp.StatusCode != 413 || string(body) != want {
		t.Fatalf("chunked: %d %s", resp.StatusCode, body)
	}
	if n := e.up.callCount(); n != 0 {
		t.Errorf("upstream called %d times", n)
	}
	// Exactly at the limit is fine.
	exact := `{"username":"u","password":"` + strings.Repeat("p", 64-len(`{"username":"u","password":""}`)) + `"}`
	resp, body = e.do(t, http.MethodPost, "/api/auth/login/", struct{ *strings.Reader }{strings.NewReader(exact)})
	if resp.StatusCode != 200 {
		t.Fatalf("at limit: %d %s", resp.StatusCode, body)
	}
}
