package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
)

// errorBody is the one error shape both edges render:
// {"code": <http status>, "status": "<GRPC_CODE>", "message": "...", "details": [...]}.
type errorBody struct {
	Code    int               `json:"code"`
	Status  string            `json:"status"`
	Message string            `json:"message"`
	Details []json.RawMessage `json:"details"`
}

// detailJSON renders google.rpc details like response bodies (and like Envoy's transcoder with
// preserve_proto_field_names): `field_violations`, `retry_delay`, no null for an unset message.
var detailJSON = protojson.MarshalOptions{UseProtoNames: true, EmitDefaultValues: true}

// codeName gives the google.rpc.Code enum name (INVALID_ARGUMENT), not grpc-go's CamelCase String().
func codeName(c codes.Code) string {
	if name, ok := code.Code_name[int32(c)]; ok {
		return name
	}
	return code.Code_UNKNOWN.String()
}

// writeStatus renders st as the JSON error body with the given HTTP status.
func writeStatus(w http.ResponseWriter, st *status.Status, httpStatus int) {
	body := errorBody{
		Code:    httpStatus,
		Status:  codeName(st.Code()),
		Message: st.Message(),
		Details: []json.RawMessage{},
	}
	for _, detail := range st.Proto().GetDetails() {
		raw, err := detailJSON.Marshal(detail)
		if err != nil {
			// A detail type this binary does not know: keep it rather than fail the whole body.
			raw, _ = json.Marshal(map[string]string{
				"@type": detail.GetTypeUrl(),
				"value": base64.StdEncoding.EncodeToString(detail.GetValue()),
			})
		}
		body.Details = append(body.Details, raw)
	}
	for _, detail := range st.Details() {
		if info, ok := detail.(*errdetails.RetryInfo); ok && info.GetRetryDelay() != nil {
			seconds := math.Ceil(info.GetRetryDelay().AsDuration().Seconds())
			w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Max(seconds, 0)), 10))
		}
	}
	if httpStatus == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	buf, err := json.Marshal(body)
	if err != nil {
		buf = []byte(`{"code":500,"status":"INTERNAL","message":"failed to render error","details":[]}`)
		httpStatus = http.StatusInternalServerError
	}
	h := w.Header()
	h.Del("Trailer")
	h.Del("Transfer-Encoding")
	h.Del("Content-Length")
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(httpStatus)
	_, _ = w.Write(buf)
}

// writeError renders a gateway-made error with the standard gRPC->HTTP status for c.
// errorDomain is the google.rpc.ErrorInfo domain of the services' errors (erp_common/errors.py).
const errorDomain = "erp.local"

// tokenFailures gives each token failure the message the services send with that ErrorInfo reason
// (erp_common/errors.py TOKEN_FAILURES; tests/unit/test_token_failure_copies.py keeps this copy equal),
// so a client reads the same answer whether the gateway, Envoy or a service refused the token.
var tokenFailures = map[string]string{
	"TOKEN_MISSING":    "authentication credentials were not provided",
	"TOKEN_INVALID":    "invalid token",
	"TOKEN_EXPIRED":    "token expired",
	"TOKEN_WRONG_TYPE": "token has the wrong type",
	"SESSION_REVOKED":  "session revoked",
}

// writeTokenFailure answers 401 UNAUTHENTICATED with the message and ErrorInfo of `reason`.
func writeTokenFailure(w http.ResponseWriter, reason string) {
	st := status.New(codes.Unauthenticated, tokenFailures[reason])
	if detailed, err := st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: errorDomain}); err == nil {
		st = detailed
	}
	writeStatus(w, st, http.StatusUnauthorized)
}

func writeError(w http.ResponseWriter, c codes.Code, msg string) {
	writeStatus(w, status.New(c, msg), runtime.HTTPStatusFromCode(c))
}

func writeBodyTooLarge(w http.ResponseWriter) {
	writeStatus(w, status.New(codes.ResourceExhausted, "request body too large"), http.StatusRequestEntityTooLarge)
}

// errorHandler is the runtime.ErrorHandlerFunc for every failed call (upstream status or gateway error).
func errorHandler(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if st := stateFrom(r.Context()); st != nil && st.bodyTooLarge.Load() {
		writeBodyTooLarge(w)
		return
	}
	if st := stateFrom(r.Context()); st != nil && st.bodyTimedOut.Load() {
		writeStatus(w, status.New(codes.DeadlineExceeded, "request timeout"), http.StatusRequestTimeout)
		return
	}
	var httpErr *runtime.HTTPStatusError
	if errors.As(err, &httpErr) {
		s := status.Convert(httpErr.Err)
		writeStatus(w, s, httpErr.HTTPStatus)
		return
	}
	s := status.Convert(err)
	if s.Code() == codes.Unavailable && isTransportFailure(s.Message()) {
		// grpc-go's own dial error names internal addresses; the client only needs to retry.
		s = status.New(codes.Unavailable, "upstream service unavailable")
	}
	writeStatus(w, s, runtime.HTTPStatusFromCode(s.Code()))
}

func isTransportFailure(msg string) bool {
	return strings.Contains(msg, "connection error") || strings.Contains(msg, "transport:") ||
		strings.Contains(msg, "name resolver")
}

// routingErrorHandler answers unknown routes in JSON. A known path with another method is a 404 too:
// Envoy's transcoder cannot tell the two apart, and both edges must answer alike (DESIGN.md: unknown
// id or route -> NOT_FOUND).
func routingErrorHandler(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, _ *http.Request, httpStatus int) {
	switch httpStatus {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		writeStatus(w, status.New(codes.NotFound, "Not Found"), http.StatusNotFound)
	case http.StatusBadRequest:
		writeStatus(w, status.New(codes.InvalidArgument, "Bad Request"), http.StatusBadRequest)
	default:
		writeStatus(w, status.New(codes.Internal, "Unexpected routing error"), http.StatusInternalServerError)
	}
}

// streamErrorHandler remembers a stream's failure so that, when it comes before the first
// message, streamErrorWriter can answer with the shared error body instead of {"error": ...}.
func streamErrorHandler(ctx context.Context, err error) *status.Status {
	s := status.Convert(err)
	if st := stateFrom(ctx); st != nil {
		st.streamErr.Store(s)
	}
	return s
}

// streamErrorWriter turns an error status written before any body into the shared error body.
// Errors after the first message stay in-stream ({"error": {...}} lines), the runtime's default.
type streamErrorWriter struct {
	http.ResponseWriter
	state    *requestState
	started  bool
	replaced bool
}

func (w *streamErrorWriter) WriteHeader(code int) {
	if !w.started && code >= 400 {
		if s := w.state.streamErr.Load(); s != nil {
			w.started, w.replaced = true, true
			writeStatus(w.ResponseWriter, s, code)
			return
		}
	}
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *streamErrorWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil
	}
	w.started = true
	return w.ResponseWriter.Write(b)
}

func (w *streamErrorWriter) Flush() {
	if w.replaced {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *streamErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
