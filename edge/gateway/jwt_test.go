package main

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"

	authv1 "github.com/erp-mesh/erp/gen/go/erp/auth/v1"
	masterv1 "github.com/erp-mesh/erp/gen/go/erp/master/v1"
)

func replyEmpty(method string, stream grpc.ServerStream) error {
	return stream.SendMsg(&masterv1.ListContinentsResponse{})
}

func TestValidTokenReachesUpstreamWithIdentity(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyEmpty
	tok := e.token(t)
	resp, body := e.do(t, http.MethodGet, "/api/master/continents/", nil, withToken(tok),
		withHeader("X-Erp-User-Id", "1"), withHeader("X-ERP-Username", "root"),
		withHeader("X-Erp-Edge-Auth", "forged"), withHeader("X-Erp-Client-Ip", "10.9.9.9"),
		withHeader("X-Forwarded-For", "10.8.8.8"),
		withHeader("User-Agent", "erp-test/1.0"), withHeader("X-Request-Id", "req-123"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	// UseProtoNames + EmitDefaultValues: snake_case, empty fields present.
	for _, k := range []string{"continents", "next_page_token", "total_size"} {
		if _, ok := got[k]; !ok {
			t.Errorf("response lacks %q: %s", k, body)
		}
	}
	c := e.up.lastCall(t)
	if c.method != masterv1.ContinentService_ListContinents_FullMethodName {
		t.Fatalf("method %s", c.method)
	}
	want := map[string]string{
		"authorization":    "Bearer " + tok,
		"x-erp-user-id":    "42",
		"x-erp-username":   "alice",
		"x-erp-client-ip":  "127.0.0.1",
		"x-erp-edge-auth":  testSecret,
		"x-erp-user-agent": "erp-test/1.0",
		"x-request-id":     "req-123",
	}
	for k, v := range want {
		if vals := c.md.Get(k); len(vals) != 1 || vals[0] != v {
			t.Errorf("metadata %s = %q, want exactly [%q]", k, vals, v)
		}
	}
	if got := resp.Header.Get("X-Request-Id"); got != "req-123" {
		t.Errorf("x-request-id response header %q", got)
	}
	log := e.accessLog()
	if !strings.Contains(log, `"user":"alice"`) || !strings.Contains(log, `"request_id":"req-123"`) ||
		!strings.Contains(log, `"path":"/api/master/continents/"`) || !strings.Contains(log, `"status":200`) {
		t.Errorf("access log line lacks fields: %s", log)
	}
}

func TestRejectedTokensGet401BeforeUpstream(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyEmpty
	priv, other := e.priv, e.otherKey
	with := func(mut func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims()
		mut(c)
		return c
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims())
	hs.Header["kid"] = "k1"
	hsToken, err := hs.SignedString(pubDER)
	if err != nil {
		t.Fatal(err)
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, validClaims())
	none.Header["kid"] = "k1"
	noneToken, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	valid := e.token(t)
	parts := strings.Split(valid, ".")
	forged, _ := json.Marshal(with(func(c jwt.MapClaims) { c["sub"] = "1"; c["username"] = "admin" }))
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2]

	cases := map[string]string{
		"expired":        sign(t, priv, "k1", with(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() })),
		"not yet valid":  sign(t, priv, "k1", with(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(2 * time.Minute).Unix() })),
		"no exp":         sign(t, priv, "k1", with(func(c jwt.MapClaims) { delete(c, "exp") })),
		"wrong issuer":   sign(t, priv, "k1", with(func(c jwt.MapClaims) { c["iss"] = "someone-else" })),
		"wrong audience": sign(t, priv, "k1", with(func(c jwt.MapClaims) { c["aud"] = "other" })),
		"refresh token":  sign(t, priv, "k1", with(func(c jwt.MapClaims) { c["type"] = "refresh" })),
		"no type":        sign(t, priv, "k1", with(func(c jwt.MapClaims) { delete(c, "type") })),
		"unknown kid":    sign(t, other, "k2", validClaims()),
		"wrong key":      sign(t, other, "k1", validClaims()),
		"alg none":       noneToken,
		"hs256 pubkey":   hsToken,
		"tampered":       tampered,
		"garbage":        "not-a-jwt",
		"no kid": func() string {
			tk := jwt.NewWithClaims(jwt.SigningMethodRS256, validClaims())
			s, _ := tk.SignedString(priv)
			return s
		}(),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			resp, body := e.do(t, http.MethodGet, "/api/master/continents/", nil, withToken(tok))
			decodeError(t, resp, body, http.StatusUnauthorized, "UNAUTHENTICATED")
			if got := resp.Header.Get("WWW-Authenticate"); got != "Bearer" {
				t.Errorf("WWW-Authenticate %q", got)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		resp, body := e.do(t, http.MethodGet, "/api/master/continents/", nil)
		decodeError(t, resp, body, http.StatusUnauthorized, "UNAUTHENTICATED")
	})
	t.Run("basic scheme", func(t *testing.T) {
		resp, body := e.do(t, http.MethodGet, "/api/master/continents/", nil, withHeader("Authorization", "Basic "+valid))
		decodeError(t, resp, body, http.StatusUnauthorized, "UNAUTHENTICATED")
	})
	if n := e.up.callCount(); n != 0 {
		t.Fatalf("upstream called %d times for rejected tokens", n)
	}
	// The valid token still works, with a small clock skew inside the leeway.
	skewed := sign(t, priv, "k1", with(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(10 * time.Second).Unix() }))
	for _, tok := range []string{valid, skewed} {
		resp, body := e.do(t, http.MethodGet, "/api/master/continents", nil, withToken(tok))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("valid token: %d %s", resp.StatusCode, body)
		}
	}
}

func TestPublicRoutesNeedNoToken(t *testing.T) {
	e := startEdge(t)
	e.up.reply = func(method string, stream grpc.ServerStream) error {
		return stream.SendMsg(&authv1.GetJwksResponse{})
	}
	resp, body := e.do(t, http.MethodPost, "/api/auth/login/", strings.NewReader(`{"username":"u","password":"p"}`))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), `"access_token":"a"`) || !strings.Contains(string(body), `"mfa_required":false`) {
		t.Errorf("login body %s", body)
	}
	c := e.up.lastCall(t)
	if len(c.md.Get("x-erp-user-id")) != 0 {
		t.Errorf("public route forwarded an identity: %v", c.md)
	}
	if got := c.md.Get("x-erp-edge-auth"); len(got) != 1 || got[0] != testSecret {
		t.Errorf("edge secret %v", got)
	}
	resp, body = e.do(t, http.MethodGet, "/api/auth/.well-known/jwks.json", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"kid":"k1"`) {
		t.Fatalf("jwks: %d %s", resp.StatusCode, body)
	}
	reg := mustRegistry(t)
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/api/auth/login"},
		{http.MethodGet, "/api/auth/login_page/"},
		{http.MethodPost, "/api/auth/login/mfa/"},
		{http.MethodGet, "/api/auth/refresh/"},
		{http.MethodPost, "/api/auth/refresh"},
		{http.MethodPost, "/api/auth/token/"},
		{http.MethodGet, "/api/auth/.well-known/jwks.json"},
		{http.MethodGet, "/api/health/"},
		{http.MethodGet, "/api/docs/"},
		{http.MethodGet, "/api/docs/openapi.json"},
	} {
		if !reg.isPublic(r.method, strings.TrimSuffix(r.path, "/")) {
			t.Errorf("%s %s should be public", r.method, r.path)
		}
	}
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/api/auth/login"},
		{http.MethodPost, "/api/auth/logout"},
		{http.MethodGet, "/api/auth/sessions"},
		{http.MethodDelete, "/api/auth/refresh"},
		{http.MethodGet, "/api/docsx"},
		{http.MethodGet, "/api/master/continents"},
	} {
		if reg.isPublic(r.method, r.path) {
			t.Errorf("%s %s should need a token", r.method, r.path)
		}
	}
}

func TestUnknownKidRefetchesRateLimited(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyEmpty
	resp, _ := e.do(t, http.MethodGet, "/api/master/continents", nil, withToken(e.token(t)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	fetches := e.up.jwksFetch.Load()
	// A rotated-in key is picked up by the refetch on its unknown kid.
	now := time.Now()
	e.keys.now = func() time.Time { return now.Add(time.Minute) }
	e.up.setJWKS(jwkOf("k1", &e.priv.PublicKey), jwkOf("k2", &e.otherKey.PublicKey))
	resp, body := e.do(t, http.MethodGet, "/api/master/continents", nil, withToken(sign(t, e.otherKey, "k2", validClaims())))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("rotated key: %d %s", resp.StatusCode, body)
	}
	if got := e.up.jwksFetch.Load(); got != fetches+1 {
		t.Fatalf("fetches %d, want %d", got, fetches+1)
	}
	// Made-up kids within the rate limit window do not refetch.
	for range 5 {
		resp, body := e.do(t, http.MethodGet, "/api/master/continents", nil, withToken(sign(t, e.otherKey, "made-up", validClaims())))
		decodeError(t, resp, body, http.StatusUnauthorized, "UNAUTHENTICATED")
	}
	if got := e.up.jwksFetch.Load(); got != fetches+1 {
		t.Fatalf("fetches %d after unknown kids, want %d (rate limited)", got, fetches+1)
	}
}

func TestRSAKeyFromJWKRejectsWeakOrForeignKeys(t *testing.T) {
	priv, _ := keys(t)
	good := jwkOf("k", &priv.PublicKey)
	if _, err := rsaKeyFromJWK(good); err != nil {
		t.Fatal(err)
	}
	bad := map[string]*authv1.Jwk{
		"ec":      {Kty: "EC", Kid: "k", N: good.N, E: good.E},
		"hs256":   {Kty: "RSA", Kid: "k", Alg: "HS256", N: good.N, E: good.E},
		"enc":     {Kty: "RSA", Kid: "k", Use: "enc", N: good.N, E: good.E},
		"no kid":  {Kty: "RSA", N: good.N, E: good.E},
		"small":   {Kty: "RSA", Kid: "k", N: base64.RawURLEncoding.EncodeToString(priv.N.Bytes()[:64]), E: good.E},
		"bad b64": {Kty: "RSA", Kid: "k", N: "***", E: good.E},
	}
	for name, jwk := range bad {
		if _, err := rsaKeyFromJWK(jwk); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNumericSubIsAccepted(t *testing.T) {
	e := startEdge(t)
	e.up.reply = replyEmpty
	c := validClaims()
	c["sub"] = 7
	resp, body := e.do(t, http.MethodGet, "/api/master/continents", nil, withToken(sign(t, e.priv, "k1", c)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if got := e.up.lastCall(t).md.Get("x-erp-user-id"); len(got) != 1 || got[0] != "7" {
		t.Fatalf("user id %v", got)
	}
}
