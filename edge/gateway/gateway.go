package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/erp-mesh/erp/gen/go/erp/auth/v1"
)

// upstreams are the two services behind the edge.
type upstreams struct {
	auth   grpc.ClientConnInterface
	master grpc.ClientConnInterface
}

// newMux builds the transcoding mux: snake_case JSON, raw HttpBody, the shared error shape and
// the identity metadata the services expect from the edge. Fields print like Envoy's
// always_print_primitive_fields: scalars and lists even when empty, an unset message (a timestamp
// never set) not at all; EmitUnpopulated would print it as null, which the contract does not allow.
func newMux(cfg config) *runtime.ServeMux {
	jsonPb := &compactJSONPb{JSONPb: runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true, EmitDefaultValues: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}}
	marshaler := &runtime.HTTPBodyMarshaler{Marshaler: jsonPb}
	return runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, marshaler),
		runtime.WithMarshalerOption(ndjsonMIME, ndjsonMarshaler{jsonPb}),
		runtime.WithMarshalerOption(formContentType, &formBodyMarshaler{marshaler}),
		runtime.WithErrorHandler(errorHandler),
		runtime.WithStreamErrorHandler(streamErrorHandler),
		runtime.WithRoutingErrorHandler(routingErrorHandler),
		runtime.WithIncomingHeaderMatcher(incomingHeaderMatcher),
		runtime.WithOutgoingHeaderMatcher(outgoingHeaderMatcher),
		runtime.WithMetadata(edgeMetadata(cfg.EdgeSecret)),
		runtime.SetQueryParameterParser(&strictQueryParser{}),
	)
}

// compactJSONPb is runtime.JSONPb with protojson's deliberately unstable whitespace removed, so
// bodies look like the Envoy edge's (`{"a":1,"b":2}`).
type compactJSONPb struct {
	runtime.JSONPb
}

func (m *compactJSONPb) Marshal(v any) ([]byte, error) {
	raw, err := m.JSONPb.Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw, nil
	}
	return buf.Bytes(), nil
}

// ndjsonMIME is the change feed's framing at both edges (README, Clients): one WatchChangesResponse
// per line, a change or a heartbeat, as Envoy's transcoder writes it (stream_newline_delimited); an
// error after the stream started is a last {"error": Status} line. withUpstreamTimeout selects it.
const ndjsonMIME = "application/x-ndjson"

// ndjsonMarshaler writes each streamed message as it is, not in the runtime's {"result": ...} wrapper.
type ndjsonMarshaler struct {
	*compactJSONPb
}

func (m ndjsonMarshaler) ContentType(any) string { return ndjsonMIME }

func (m ndjsonMarshaler) Marshal(v any) ([]byte, error) {
	if chunk, ok := v.(map[string]any); ok && len(chunk) == 1 {
		if result, ok := chunk["result"]; ok {
			return m.compactJSONPb.Marshal(result)
		}
	}
	return m.compactJSONPb.Marshal(v)
}

// outgoingHeaderMatcher passes a service's response metadata through under its own name (as
// Envoy does) but not gRPC's transport headers, which mean nothing to an HTTP client.
func outgoingHeaderMatcher(key string) (string, bool) {
	k := strings.ToLower(key)
	switch {
	case strings.HasPrefix(k, "grpc-"), strings.HasPrefix(k, ":"):
		return "", false
	}
	switch k {
	case "content-type", "content-length", "transfer-encoding", "trailer", "te", "connection",
		"keep-alive", "upgrade", "date", "server", "x-request-id":
		return "", false
	}
	return key, true
}

// incomingHeaderMatcher is the default matcher minus anything in the edge's own x-erp- namespace.
func incomingHeaderMatcher(key string) (string, bool) {
	if strings.HasPrefix(strings.ToLower(key), "x-erp-") {
		return "", false
	}
	return runtime.DefaultHeaderMatcher(key)
}

// edgeMetadata adds the request id, the peer IP, the user agent and the verified identity.
// Annotator values replace any header-derived metadata under the same key.
func edgeMetadata(secret string) func(context.Context, *http.Request) metadata.MD {
	return func(ctx context.Context, r *http.Request) metadata.MD {
		md := metadata.MD{}
		st := stateFrom(ctx)
		if st != nil {
			if st.requestID != "" {
				md.Set("x-request-id", st.requestID)
			}
			if st.clientIP != "" {
				md.Set("x-erp-client-ip", st.clientIP)
			}
			if st.user.UserID != "" {
				md.Set("x-erp-user-id", st.user.UserID)
				md.Set("x-erp-username", st.user.Username)
			}
		}
		if ua := r.UserAgent(); ua != "" && isPrintableASCII(ua) {
			md.Set("x-erp-user-agent", ua)
		}
		if secret != "" {
			md.Set("x-erp-edge-auth", secret)
		}
		return md
	}
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// exportRoute is a literal GET route that a templated route of the same service would shadow
// (registry.go, shadowedLiteralRoutes).
type exportRoute struct {
	path     string
	method   string
	upstream string
	newReq   func() proto.Message
}

// exportHandler does what the generated handler for an Export RPC does (query parameters into
// the request, HttpBody out as-is).
func exportHandler(mux *runtime.ServeMux, conn grpc.ClientConnInterface, route exportRoute) runtime.HandlerFunc {
	noPathParams := utilities.NewDoubleArray(nil)
	return func(w http.ResponseWriter, req *http.Request, _ map[string]string) {
		ctx, cancel := context.WithCancel(req.Context())
		defer cancel()
		_, outbound := runtime.MarshalerForRequest(mux, req)
		annotated, err := runtime.AnnotateContext(ctx, mux, req, route.method, runtime.WithHTTPPathPattern(route.path))
		if err != nil {
			runtime.HTTPError(ctx, mux, outbound, w, req, err)
			return
		}
		protoReq := route.newReq()
		if err := req.ParseForm(); err != nil {
			runtime.HTTPError(annotated, mux, outbound, w, req, status.Errorf(codes.InvalidArgument, "%v", err))
			return
		}
		if err := runtime.PopulateQueryParameters(protoReq, req.Form, noPathParams); err != nil {
			runtime.HTTPError(annotated, mux, outbound, w, req, status.Errorf(codes.InvalidArgument, "%v", err))
			return
		}
		if req.Body != nil {
			_, _ = io.Copy(io.Discard, req.Body)
		}
		var md runtime.ServerMetadata
		resp := &httpbody.HttpBody{}
		err = conn.Invoke(annotated, route.method, protoReq, resp, grpc.Header(&md.HeaderMD), grpc.Trailer(&md.TrailerMD))
		annotated = runtime.NewServerMetadataContext(annotated, md)
		if err != nil {
			runtime.HTTPError(annotated, mux, outbound, w, req, err)
			return
		}
		runtime.ForwardResponseMessage(annotated, mux, outbound, w, req, resp, mux.GetForwardResponseOptions()...)
	}
}

// healthHandler answers GET /api/health: SERVING only when both upstreams say so.
func healthHandler(up upstreams, secret string) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if secret != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "x-erp-edge-auth", secret)
		}
		type result struct {
			name string
			err  error
		}
		results := make(chan result, 2)
		check := func(name string, conn grpc.ClientConnInterface) {
			resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
			if err == nil && resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
				err = fmt.Errorf("status %s", resp.GetStatus())
			}
			results <- result{name, err}
		}
		go check("auth", up.auth)
		go check("master", up.master)
		var failed []string
		for range 2 {
			if res := <-results; res.err != nil {
				failed = append(failed, res.name)
			}
		}
		if len(failed) > 0 {
			writeError(w, codes.Unavailable, "upstream not serving: "+strings.Join(failed, ", "))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"status":"SERVING"}`)
	}
}

// newHandler assembles the edge: the transcoding mux wrapped in the middlewares (the last
// wrapped runs first). Streaming responses end when ctx does.
func newHandler(ctx context.Context, cfg config, up upstreams, verifier *tokenVerifier, accessLogOut io.Writer) (http.Handler, error) {
	reg, err := loadRegistry()
	if err != nil {
		return nil, err
	}
	mux := newMux(cfg)
	if err := reg.registerServices(ctx, mux, up); err != nil {
		return nil, err
	}
	if err := mux.HandlePath(http.MethodGet, "/api/health", healthHandler(up, cfg.EdgeSecret)); err != nil {
		return nil, err
	}
	var h http.Handler = mux
	h = withUpstreamTimeout(cfg.UpstreamTimeout, ctx, reg, h)
	h = limitBody(cfg.MaxBodyBytes, h)
	h = authenticate(verifier, reg, h)
	h = docsHandler(cfg.DocsDir, h)
	h = stripIdentityHeaders(h)
	h = stripTrailingSlash(h)
	h = cors(cfg.CORSOrigins, h)
	h = requestID(h)
	h = accessLog(accessLogOut, cfg.TrustedHops, h)
	return h, nil
}

// grpcJWKSFetcher calls AuthService.GetJwks on the auth service.
func grpcJWKSFetcher(conn grpc.ClientConnInterface, secret string) jwksFetcher {
	client := authv1.NewAuthServiceClient(conn)
	return func(ctx context.Context) ([]*authv1.Jwk, error) {
		if secret != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "x-erp-edge-auth", secret)
		}
		resp, err := client.GetJwks(ctx, &authv1.GetJwksRequest{})
		if err != nil {
			return nil, err
		}
		return resp.GetKeys(), nil
	}
}
