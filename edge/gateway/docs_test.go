package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestDocsAreServedFromTheDocsDirWithoutAToken(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "swagger"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "swagger", "index.html"), []byte("<html>swagger</html>"), 0o644)
	os.WriteFile(filepath.Join(dir, "schema.yaml"), []byte("openapi: 3.1.0\n"), 0o644)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	srv := httptest.NewServer(docsHandler(dir, next))
	defer srv.Close()

	cases := []struct {
		path, ctype string
		code        int
		body        string
	}{
		{"/api/docs/swagger/", "text/html; charset=utf-8", 200, "<html>swagger</html>"},
		{"/api/docs/schema.yaml", "application/yaml; charset=utf-8", 200, "openapi: 3.1.0\n"},
		{"/api/docs/nope.js", "application/json", 404, ""},
		{"/api/docs/../../etc/passwd", "application/json", 404, ""},
		{"/api/master/continents", "", http.StatusTeapot, ""},
	}
	for _, c := range cases {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("%s: status %d, want %d", c.path, resp.StatusCode, c.code)
		}
		if c.ctype != "" && resp.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: content-type %q, want %q", c.path, resp.Header.Get("Content-Type"), c.ctype)
		}
		if c.body != "" && string(body) != c.body {
			t.Errorf("%s: body %q", c.path, body)
		}
	}
}

func TestDocsRootRedirectsToSwaggerLikeEnvoy(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	srv := httptest.NewServer(docsHandler(t.TempDir(), next))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []string{"/api/docs", "/api/docs/"} {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/api/docs/swagger/" {
			t.Errorf("%s: %d %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}
