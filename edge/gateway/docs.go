package main

import (
	"net/http"
	"os"
	"path"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// docsHandler serves the API docs pages that `make docs-assets` writes to ERP_DOCS_DIR (Swagger UI,
// ReDoc and the served OpenAPI document), the same files the Envoy edge serves under /api/docs/,
// and /favicon.ico. Other paths go to next.
func docsHandler(dir string, next http.Handler) http.Handler {
	files := http.StripPrefix("/api/docs/", http.FileServer(http.Dir(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/docs" || r.URL.Path == "/api/docs/" {
			http.Redirect(w, r, "/api/docs/swagger/", http.StatusMovedPermanently)
			return
		}
		if r.URL.Path == "/favicon.ico" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			// edge/docs.py draws it into the docs directory; Envoy serves the same file.
			w.Header().Set("Content-Type", docsContentTypes[".png"])
			w.Header().Set("Cache-Control", "public, max-age=86400")
			http.ServeFile(w, r, path.Join(dir, "favicon.png"))
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/api/docs/") {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeStatus(w, status.New(codes.NotFound, "Not Found"), http.StatusNotFound)
			return
		}
		name := path.Clean("/" + strings.TrimPrefix(r.URL.Path, "/api/docs/"))
		info, err := os.Stat(dir + name)
		if err != nil || (info.IsDir() && !exists(dir+name+"/index.html")) {
			writeStatus(w, status.New(codes.NotFound, "Not Found"), http.StatusNotFound)
			return
		}
		if ctype, ok := docsContentTypes[path.Ext(name)]; ok {
			w.Header().Set("Content-Type", ctype)
		} else if info.IsDir() {
			w.Header().Set("Content-Type", docsContentTypes[".html"])
		}
		files.ServeHTTP(w, r)
	})
}

// docsContentTypes are the types edge/docs.py gives Envoy, so both edges answer alike.
var docsContentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".png": "image/png", ".json": "application/json",
	".yaml": "application/yaml; charset=utf-8",
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
