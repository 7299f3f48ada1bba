package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"

	authv1 "github.com/erp-mesh/erp/gen/go/erp/auth/v1"
)

const (
	testIssuer   = "auth_service"
	testAudience = "erp"
	testSecret   = "edge-secret-for-tests"
)

// testKey is one RSA signing key, shared by all tests (2048-bit generation is the slow part).
var (
	testKeyOnce sync.Once
	testKeys    [2]*rsa.PrivateKey
)

func keys(t *testing.T) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	testKeyOnce.Do(func() {
		for i := range testKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testKeys[i] = k
		}
	})
	return testKeys[0], testKeys[1]
}

func jwkOf(kid string, key *rsa.PublicKey) *authv1.Jwk {
	return &authv1.Jwk{
		Kty: "RSA", Kid: kid, Use: "sig", Alg: "RS256",
		N: base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}
}

// call is one RPC the fake upstream saw.
type call struct {
	method string
	md     metadata.MD
	req    []byte
}

// fakeUpstream is an in-process gRPC server standing in for both auth_svc and master_svc:
// a real AuthService for GetJwks/Login, a health service, and an unknown-service handler that
// answers every other method through reply.
type fakeUpstream struct {
	authv1.UnimplementedAuthServiceServer

	addr       string
	health     *health.Server
	jwksFetch  atomic.Int32
	mu         sync.Mutex
	jwks       []*authv1.Jwk
	calls      []call
	reply      func(method string, stream grpc.ServerStream) error
	loginReply *authv1.LoginResponse
}

func (f *fakeUpstream) record(ctx context.Context, method string, req proto.Message) {
	md, _ := metadata.FromIncomingContext(ctx)
	raw, _ := proto.Marshal(req)
	f.mu.Lock()
	f.calls = append(f.calls, call{method: method, md: md.Copy(), req: raw})
	f.mu.Unlock()
}

func (f *fakeUpstream) lastCall(t *testing.T) call {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		t.Fatal("upstream was not called")
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeUpstream) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeUpstream) setJWKS(keys ...*authv1.Jwk) {
	f.mu.Lock()
	f.jwks = keys
	f.mu.Unlock()
}

func (f *fakeUpstream) GetJwks(ctx context.Context, _ *authv1.GetJwksRequest) (*authv1.GetJwksResponse, error) {
	f.jwksFetch.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	return &authv1.GetJwksResponse{Keys: f.jwks}, nil
}

func (f *fakeUpstream) Login(ctx context.Context, req *authv1.LoginRequest) (*authv1.LoginResponse, error) {
	f.record(ctx, authv1.AuthService_Login_FullMethodName, req)
	if f.loginReply != nil {
		return f.loginReply, nil
	}
	return &authv1.LoginResponse{AccessToken: "a", TokenType: "Bearer", ExpiresIn: 3600}, nil
}

func (f *fakeUpstream) unknown(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	req := &emptypb.Empty{} // keeps the request's fields as unknown bytes
	if err := stream.RecvMsg(req); err != nil {
		return err
	}
	f.record(stream.Context(), method, req)
	if f.reply == nil {
		return nil
	}
	return f.reply(method, stream)
}

func startUpstream(t *testing.T) *fakeUpstream {
	t.Helper()
	f := &fakeUpstream{health: health.NewServer()}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.UnknownServiceHandler(f.unknown))
	authv1.RegisterAuthServiceServer(srv, f)
	healthpb.RegisterHealthServer(srv, f.health)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	f.addr = lis.Addr().String()
	return f
}

// edge is a gateway under test, in front of a fake upstream.
type edge struct {
	url      string
	up       *fakeUpstream
	keys     *jwksCache
	log      *bytes.Buffer
	logMu    *sync.Mutex
	priv     *rsa.PrivateKey
	otherKey *rsa.PrivateKey
}

type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func startEdge(t *testing.T, mutate ...func(*config)) *edge {
	t.Helper()
	priv, other := keys(t)
	up := startUpstream(t)
	up.setJWKS(jwkOf("k1", &priv.PublicKey))
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.EdgeSecret = testSecret
	for _, m := range mutate {
		m(&cfg)
	}
	conn, err := grpc.NewClient(up.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	cache := newJWKSCache(grpcJWKSFetcher(conn, cfg.EdgeSecret))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logBuf, logMu := &bytes.Buffer{}, &sync.Mutex{}
	h, err := newHandler(ctx, cfg, upstreams{auth: conn, master: conn},
		newTokenVerifier(cache, cfg.JWTIssuer, cfg.JWTAudience), syncWriter{logMu, logBuf})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &edge{url: srv.URL, up: up, keys: cache, log: logBuf, logMu: logMu, priv: priv, otherKey: other}
}

func (e *edge) accessLog() string {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	return e.log.String()
}

// claims returns valid access-token claims; tests change what they need.
func validClaims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"sub": "42", "username": "alice", "groups": []string{"admins"},
		"iss": testIssuer, "aud": testAudience, "type": "access",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"jti": "j1", "sid": "s1",
	}
}

func sign(t *testing.T, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *edge) token(t *testing.T) string { return sign(t, e.priv, "k1", validClaims()) }

type reqOpt func(*http.Request)

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }
func withToken(tok string) reqOpt   { return withHeader("Authorization", "Bearer "+tok) }

func (e *edge) do(t *testing.T, method, path string, body io.Reader, opts ...reqOpt) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// decodeError checks the shared error shape and returns it.
func decodeError(t *testing.T, resp *http.Response, body []byte, wantHTTP int, wantStatus string) errorBody {
	t.Helper()
	if resp.StatusCode != wantHTTP {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, wantHTTP, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content-type %q, want application/json; body %s", ct, body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	for _, k := range []string{"code", "status", "message", "details"} {
		if _, ok := raw[k]; !ok {
			t.Fatalf("error body lacks %q: %s", k, body)
		}
	}
	if len(raw) != 4 {
		t.Fatalf("error body has extra keys: %s", body)
	}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		t.Fatal(err)
	}
	if eb.Code != wantHTTP || eb.Status != wantStatus {
		t.Fatalf("body code/status %d/%s, want %d/%s: %s", eb.Code, eb.Status, wantHTTP, wantStatus, body)
	}
	if eb.Details == nil {
		t.Fatalf("details must be a list, got null: %s", body)
	}
	return eb
}
