#!/bin/sh
# Entrypoint of the ERP Python images.
# For every ERP_*_FILE variable whose plain twin is unset, export the twin with the file's content
# (compose `secrets:` and Kubernetes Secret volumes land as files; the services read env vars).
# Then exec the command (default CMD: the service itself).
set -eu

for var in $(env | sed -n 's/^\(ERP_[A-Z0-9_]*\)_FILE=.*/\1/p'); do
    eval "path=\${${var}_FILE}"
    eval "current=\${${var}:-}"
    if [ -z "$current" ] && [ -n "$path" ]; then
        if [ ! -r "$path" ]; then
            echo "entrypoint: ${var}_FILE=$path is not readable" >&2
            exit 1
        fi
        # $(...) strips trailing newlines, as the services' own value_or_file() does.
        value=$(cat "$path")
        export "$var=$value"
    fi
done

exec "$@"
