// Command fileenv is the entrypoint of the distroless gateway image, which has no shell.
//
//	fileenv PROGRAM [ARGS...]
//
// For every ERP_*_FILE variable whose plain twin is unset or empty, it sets the twin to the file's
// content (trailing newlines trimmed), then replaces itself with PROGRAM. This is how compose
// `secrets:` and Kubernetes Secret volumes reach a program that reads only plain env vars.
package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fileenv PROGRAM [ARGS...]")
		os.Exit(2)
	}
	for _, kv := range os.Environ() {
		name, path, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "ERP_") || !strings.HasSuffix(name, "_FILE") || path == "" {
			continue
		}
		target := strings.TrimSuffix(name, "_FILE")
		if os.Getenv(target) != "" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "fileenv: %s: %v\n", name, err)
			os.Exit(1)
		}
		if err := os.Setenv(target, strings.TrimRight(string(data), "\r\n")); err != nil {
			fmt.Fprintf(os.Stderr, "fileenv: %s: %v\n", target, err)
			os.Exit(1)
		}
	}
	if err := syscall.Exec(os.Args[1], os.Args[1:], os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "fileenv: exec %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
