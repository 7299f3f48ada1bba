package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// requestState carries what the middlewares learn about one request to the metadata annotator,
// the error handler and the access log.
type requestState struct {
	requestID    string
	clientIP     string
	user         identity
	bodyTooLarge atomic.Bool
	bodyTimedOut atomic.Bool
	streamErr    atomic.Pointer[status.Status]
}

type stateKey struct{}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

// statusRecorder remembers the status and size of a response for the access log. It keeps
// Flush working (through Unwrap) so that the streaming route sends each message at once.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type accessLogEntry struct {
	Time       string  `json:"time"`
	Method     string  `json:"method"`
	Path       string  `json:"path"`
	Status     int     `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	Bytes      int64   `json:"bytes"`
	RequestID  string  `json:"request_id"`
	User       string  `json:"user"`
	RemoteIP   string  `json:"remote_ip"`
}

// accessLog creates the request state and writes one JSON line per request to out.
func accessLog(out io.Writer, trustedHops int, next http.Handler) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &requestState{clientIP: clientIP(r, trustedHops)}
		rec := &statusRecorder{ResponseWriter: w}
		path := r.URL.Path
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		line, err := json.Marshal(accessLogEntry{
			Time:       start.UTC().Format(time.RFC3339Nano),
			Method:     r.Method,
			Path:       path,
			Status:     rec.status,
			DurationMS: float64(time.Since(start).Microseconds()) / 1000,
			Bytes:      rec.bytes,
			RequestID:  st.requestID,
			User:       st.user.Username,
			RemoteIP:   st.clientIP,
		})
		if err != nil {
			return
		}
		mu.Lock()
		_, _ = out.Write(append(line, '\n'))
		mu.Unlock()
	})
}

// clientIP is the client's address as Envoy's use_remote_address with xff_num_trusted_hops finds it:
// with no trusted proxy in front, the TCP peer (a client-sent X-Forwarded-For is ignored); behind
// `hops` proxies that each append the address they saw, the hops-th X-Forwarded-For address from the
// right, the one the outermost trusted proxy appended. Addresses further left were sent by the client.
func clientIP(r *http.Request, hops int) string {
	peer := peerIP(r.RemoteAddr)
	if hops <= 0 {
		return peer
	}
	var chain []string
	for _, value := range r.Header.Values("X-Forwarded-For") {
		for _, addr := range strings.Split(value, ",") {
			chain = append(chain, strings.TrimSpace(addr))
		}
	}
	if len(chain) < hops {
		return peer
	}
	if ip := net.ParseIP(chain[len(chain)-hops]); ip != nil {
		return ip.String()
	}
	return peer
}

// peerIP is the TCP peer's address.
func peerIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// validRequestID accepts what a client may reasonably send: 1-128 visible ASCII characters.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// requestID keeps the client's x-request-id (or makes a UUID v4) and echoes it on the response.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		r.Header.Set("X-Request-Id", id)
		if st := stateFrom(r.Context()); st != nil {
			st.requestID = id
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r)
	})
}

const (
	corsAllowMethods  = "GET,POST,PUT,PATCH,DELETE,OPTIONS"
	corsAllowHeaders  = "authorization,content-type,x-request-id"
	corsExposeHeaders = "x-request-id, Retry-After"
	corsMaxAge        = "86400"
)

// cors answers preflights itself and decorates responses for allowlisted origins only.
func cors(origins []string, next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		ok := origin != "" && allowed[origin]
		if ok {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			// As at the Envoy edge: an allowed preflight is 200, a refused one gets no CORS headers
			// and the JSON 404 of a route that does not exist (OPTIONS has none).
			if !ok {
				writeError(w, codes.NotFound, "no such route")
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// stripTrailingSlash maps the seed's `/api/master/continents/` onto the proto route
// `/api/master/continents`. Docs pages keep their slash (relative links), as on the Envoy edge.
func stripTrailingSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") && !strings.HasPrefix(p, "/api/docs/") {
			u := *r.URL
			u.Path = strings.TrimSuffix(p, "/")
			if u.RawPath != "" {
				u.RawPath = strings.TrimSuffix(u.RawPath, "/")
			}
			r2 := r.Clone(r.Context())
			r2.URL = &u
			r2.RequestURI = u.RequestURI()
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

// stripIdentityHeaders drops every client-supplied x-erp-* header: only the edge sets those.
func stripIdentityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for key := range r.Header {
			if strings.HasPrefix(strings.ToLower(key), "x-erp-") {
				r.Header.Del(key)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken extracts the token of an `Authorization: Bearer <token>` header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// authenticate rejects every non-public request without a valid access token before any service is called.
func authenticate(v *tokenVerifier, reg *registry, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if reg.isPublic(r.Method, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		raw, ok := bearerToken(r)
		if !ok {
			writeTokenFailure(w, "TOKEN_MISSING")
			return
		}
		id, err := v.verify(r.Context(), raw)
		switch {
		case errors.Is(err, jwt.ErrTokenExpired):
			writeTokenFailure(w, "TOKEN_EXPIRED")
			return
		case errors.Is(err, errWrongTokenType):
			writeTokenFailure(w, "TOKEN_WRONG_TYPE")
			return
		case err != nil:
			writeTokenFailure(w, "TOKEN_INVALID")
			return
		}
		if st := stateFrom(r.Context()); st != nil {
			st.user = id
		}
		next.ServeHTTP(w, r)
	})
}

// limitedBody is http.MaxBytesReader that also flags the request, so the error handler can
// answer 413 instead of the 400 the generated decoder would turn the read error into.
type limitedBody struct {
	io.ReadCloser
	remaining int64
	state     *requestState
}

var errBodyTooLarge = errors.New("request body too large")

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.remaining <= 0 {
		// Probe for one more byte: a body of exactly the limit is fine.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			b.state.bodyTooLarge.Store(true)
			return 0, errBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.ReadCloser.Read(p)
	b.remaining -= int64(n)
	if readTimedOut(err) {
		b.state.bodyTimedOut.Store(true)
	}
	return n, err
}

// readTimedOut: the server's ReadTimeout passed before the client sent its whole body.
func readTimedOut(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// limitBody refuses bodies over max bytes with 413, by Content-Length up front or while reading.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			// Read (and drop) a bounded amount first: a client that writes its whole body before
			// reading the answer would otherwise see a reset connection instead of the 413.
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 8*max))
			writeBodyTooLarge(w)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			if st := stateFrom(r.Context()); st != nil {
				r.Body = &limitedBody{ReadCloser: r.Body, remaining: max, state: st}
			} else {
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// withUpstreamTimeout bounds every call except the streaming change feed, which instead ends
// when shutdown is done (so that a graceful shutdown is not held up by open feeds).
func withUpstreamTimeout(timeout time.Duration, shutdown context.Context, reg *registry, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if reg.isStreaming(r.URL.Path) {
			// The request is complete (a GET); a read deadline left on the connection would end the
			// feed at the server's ReadTimeout.
			_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			stop := context.AfterFunc(shutdown, cancel)
			defer stop()
			if st := stateFrom(r.Context()); st != nil {
				w = &streamErrorWriter{ResponseWriter: w, state: st}
			}
			r.Header.Set("Accept", ndjsonMIME) // the feed's one framing, whatever the client asked for
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
