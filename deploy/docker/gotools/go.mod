// Small stdlib-only helpers for the distroless gateway image (no shell, no curl there).
// Its own module, so the repo module's `go build ./...` never includes it.
module erp-deploy/gotools

go 1.26
