package main

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	authv1 "github.com/erp-mesh/erp/gen/go/erp/auth/v1"
)

const (
	jwksRefreshInterval = 5 * time.Minute
	jwksMinRefetch      = 5 * time.Second
	jwtLeeway           = 30 * time.Second
	minRSABits          = 2048
)

// jwksFetcher returns the current key set (AuthService.GetJwks in production).
type jwksFetcher func(ctx context.Context) ([]*authv1.Jwk, error)

// jwksCache keeps the auth service's RSA signing keys by kid. An unknown kid triggers a refetch,
// at most once per jwksMinRefetch, so that a key rotation is picked up without a restart while a
// flood of tokens with made-up kids cannot hammer the auth service.
type jwksCache struct {
	fetch      jwksFetcher
	minRefetch time.Duration
	now        func() time.Time

	mu          sync.RWMutex
	keys        map[string]*rsa.PublicKey
	refreshMu   sync.Mutex
	lastAttempt time.Time
}

func newJWKSCache(fetch jwksFetcher) *jwksCache {
	return &jwksCache{fetch: fetch, minRefetch: jwksMinRefetch, now: time.Now, keys: map[string]*rsa.PublicKey{}}
}

// refresh replaces the key set with a fresh fetch; on failure the old keys stay.
func (c *jwksCache) refresh(ctx context.Context) error {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	return c.refreshLocked(ctx)
}

func (c *jwksCache) refreshLocked(ctx context.Context) error {
	c.lastAttempt = c.now()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	jwks, err := c.fetch(ctx)
	if err != nil {
		return fmt.Errorf("fetch jwks: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, jwk := range jwks {
		key, err := rsaKeyFromJWK(jwk)
		if err != nil {
			slog.Warn("jwks: skipping key", "kid", jwk.GetKid(), "error", err)
			continue
		}
		keys[jwk.GetKid()] = key
	}
	c.mu.Lock()
	c.keys = keys
	c.mu.Unlock()
	return nil
}

func (c *jwksCache) lookup(kid string) *rsa.PublicKey {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.keys[kid]
}

// key returns the public key for kid, refetching the set (rate-limited) when kid is unknown.
func (c *jwksCache) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if key := c.lookup(kid); key != nil {
		return key, nil
	}
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	// Another request may have refreshed while this one waited for the lock.
	if key := c.lookup(kid); key != nil {
		return key, nil
	}
	if c.lastAttempt.IsZero() || c.now().Sub(c.lastAttempt) >= c.minRefetch {
		if err := c.refreshLocked(ctx); err != nil {
			slog.Warn("jwks refresh failed", "error", err)
		}
		if key := c.lookup(kid); key != nil {
			return key, nil
		}
	}
	return nil, fmt.Errorf("unknown signing key %q", kid)
}

// run refreshes the key set every interval until ctx ends.
func (c *jwksCache) run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if err := c.refresh(ctx); err != nil {
				slog.Warn("jwks periodic refresh failed", "error", err)
			}
		}
	}
}

func rsaKeyFromJWK(jwk *authv1.Jwk) (*rsa.PublicKey, error) {
	if jwk.GetKty() != "RSA" {
		return nil, fmt.Errorf("kty %q is not RSA", jwk.GetKty())
	}
	if alg := jwk.GetAlg(); alg != "" && alg != "RS256" {
		return nil, fmt.Errorf("alg %q is not RS256", alg)
	}
	if use := jwk.GetUse(); use != "" && use != "sig" {
		return nil, fmt.Errorf("use %q is not sig", use)
	}
	if jwk.GetKid() == "" {
		return nil, errors.New("missing kid")
	}
	n, err := decodeB64URL(jwk.GetN())
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	e, err := decodeB64URL(jwk.GetE())
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	modulus := new(big.Int).SetBytes(n)
	exponent := new(big.Int).SetBytes(e)
	if modulus.BitLen() < minRSABits {
		return nil, fmt.Errorf("modulus of %d bits is below %d", modulus.BitLen(), minRSABits)
	}
	if !exponent.IsInt64() || exponent.Int64() < 3 || exponent.Int64() > 1<<31-1 {
		return nil, errors.New("unsupported exponent")
	}
	return &rsa.PublicKey{N: modulus, E: int(exponent.Int64())}, nil
}

func decodeB64URL(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// flexString accepts a JSON string or number (a numeric `sub` from an older issuer still verifies).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("sub must be a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

// accessClaims is the part of the ERP access token the edge checks and forwards.
type accessClaims struct {
	Issuer    string           `json:"iss"`
	Subject   flexString       `json:"sub"`
	Audience  jwt.ClaimStrings `json:"aud"`
	ExpiresAt *jwt.NumericDate `json:"exp"`
	NotBefore *jwt.NumericDate `json:"nbf"`
	IssuedAt  *jwt.NumericDate `json:"iat"`
	Type      string           `json:"type"`
	Username  string           `json:"username"`
}

func (c *accessClaims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, nil }
func (c *accessClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.IssuedAt, nil }
func (c *accessClaims) GetNotBefore() (*jwt.NumericDate, error)      { return c.NotBefore, nil }
func (c *accessClaims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c *accessClaims) GetSubject() (string, error)                  { return string(c.Subject), nil }
func (c *accessClaims) GetAudience() (jwt.ClaimStrings, error)       { return c.Audience, nil }

// identity is what a verified access token tells the services.
type identity struct {
	UserID   string
	Username string
}

type tokenVerifier struct {
	keys   *jwksCache
	parser *jwt.Parser
}

func newTokenVerifier(keys *jwksCache, issuer, audience string) *tokenVerifier {
	return &tokenVerifier{
		keys: keys,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(audience),
			jwt.WithLeeway(jwtLeeway),
			jwt.WithExpirationRequired(),
		),
	}
}

// errWrongTokenType: a valid token that is not an access token (a refresh token, say).
var errWrongTokenType = errors.New("not an access token")

// verify checks signature (RS256 only, key by kid), iss, aud, exp/nbf and type == "access".
func (v *tokenVerifier) verify(ctx context.Context, raw string) (identity, error) {
	claims := &accessClaims{}
	_, err := v.parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodRS256 {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token has no kid")
		}
		return v.keys.key(ctx, kid)
	})
	if err != nil {
		return identity{}, err
	}
	if claims.Type != "access" {
		return identity{}, fmt.Errorf("%w: %s", errWrongTokenType, strconv.Quote(claims.Type))
	}
	if claims.Subject == "" {
		return identity{}, errors.New("token has no sub")
	}
	return identity{UserID: string(claims.Subject), Username: claims.Username}, nil
}
