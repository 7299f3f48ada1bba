#!/bin/sh
# `make bases`: local STAND-INS for the public base images, built from Debian bookworm packages with
# mmdebstrap and imported into podman as localhost/erp-base/*. They exist for air-gapped or
# mirror-only builds (and for this project's own test machines, which reach no container registry):
# they are not the public images and not published. The Dockerfiles default to the public tags; the
# stand-ins are passed with --build-arg (see `make images`).
#
#   deploy/bases/build.sh            build the stand-ins whose recipe changed (or that are missing)
#   deploy/bases/build.sh --list     print NAME=IMAGE for each, as `make images` passes them
#
# A stand-in is rebuilt only when its recipe (this script, the files it copies in, the Go toolchain
# version) changes: the recipe's hash is kept as the image label erp.base.recipe.
set -eu

cd "$(dirname "$0")/../.."
PODMAN="${PODMAN:-podman}"
SUITE=bookworm
GOROOT_HOST="$(go env GOROOT)"
GO_VERSION="$(go env GOVERSION | sed 's/^go//')"

PYTHON_IMAGE=localhost/erp-base/python:3.11-bookworm
GOLANG_IMAGE="localhost/erp-base/golang:${GO_VERSION}-bookworm"
NODE_IMAGE=localhost/erp-base/node:18-bookworm
STATIC_IMAGE=localhost/erp-base/static:nonroot
MARIADB_IMAGE=localhost/erp-base/mariadb:10.11

if [ "${1:-}" = "--list" ]; then
    printf '%s\n' "PYTHON_IMAGE=$PYTHON_IMAGE" "GOLANG_IMAGE=$GOLANG_IMAGE" "NODE_IMAGE=$NODE_IMAGE" \
        "STATIC_IMAGE=$STATIC_IMAGE" "MARIADB_IMAGE=$MARIADB_IMAGE"
    exit 0
fi

OUT=var/bases
mkdir -p "$OUT"
SYSPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Like the slim public images: no manuals, no docs beyond copyright files, no translations.
SLIM="--dpkgopt=path-exclude=/usr/share/man/* --dpkgopt=path-exclude=/usr/share/doc/* \
--dpkgopt=path-include=/usr/share/doc/*/copyright --dpkgopt=path-exclude=/usr/share/locale/* \
--dpkgopt=path-exclude=/usr/share/info/*"
MIRROR="deb http://deb.debian.org/debian $SUITE main"
UPDATES="deb http://deb.debian.org/debian $SUITE-updates main"
SECURITY="deb http://deb.debian.org/debian-security $SUITE-security main"

recipe() {  # hash of everything that shapes a stand-in: its arguments, the shared options, files
    { echo "$SUITE $SLIM $MIRROR $UPDATES $SECURITY $SYSPATH $CHANGES"; printf '%s\n' "$@"
      case "$*" in *golang*) echo "$GO_VERSION" ;; *mariadb*) cat deploy/bases/mariadb/* ;; esac
    } | sha256sum | cut -c1-16
}

current() {  # 0 when image $1 exists with the recipe hash $2
    [ "$("$PODMAN" image inspect --format '{{index .Config.Labels "erp.base.recipe"}}' "$1" 2>/dev/null)" = "$2" ]
}

# make_base IMAGE KIND -- mmdebstrap options...  (the podman import --change options come from $CHANGES)
make_base() {
    hash="$(recipe "$@")"
    image="$1"; kind="$2"; shift 3  # IMAGE KIND --
    if current "$image" "$hash"; then
        echo "bases: $image is current"
        return
    fi
    tar="$OUT/$kind.tar"
    echo "bases: building $image (mmdebstrap $SUITE)"
    # shellcheck disable=SC2086 # $SLIM is a list of options
    mmdebstrap --quiet $SLIM "$@" "$SUITE" "$tar" "$MIRROR" "$UPDATES" "$SECURITY" </dev/null
    # An imported image has no config: PATH (kube play needs it to find sh) and the rest come here.
    eval "set -- $CHANGES"
    "$PODMAN" import --quiet --change "ENV PATH=$SYSPATH" --change "LABEL erp.base.recipe=$hash" \
        --change "LABEL org.opencontainers.image.description=stand-in base built from Debian $SUITE packages" \
        "$@" "$tar" "$image" >/dev/null
    rm -f "$tar"
    echo "bases: $image $("$PODMAN" image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
}

# Python 3.11 runtime (stands in for python:3.11.7-slim-bookworm): Debian's python3.11 with venv,
# `python` on PATH, the Debian CA certificates.
CHANGES="--change 'ENV LANG=C.UTF-8' --change 'CMD [\"python3\"]'"
make_base "$PYTHON_IMAGE" python -- --variant=minbase \
    --include=python3,python3-venv,python-is-python3,ca-certificates,netbase,tzdata

# Go build base (stands in for golang:X-bookworm): the Go toolchain this machine already builds the
# project with (`go env GOROOT`), copied in, on a minbase with CA certificates.
CHANGES="--change 'ENV GOTOOLCHAIN=local' --change 'ENV GOPATH=/go' \
--change 'ENV PATH=/usr/local/go/bin:/go/bin:$SYSPATH'"
make_base "$GOLANG_IMAGE" golang -- --variant=minbase --include=ca-certificates,netbase \
    --customize-hook="mkdir -p \"\$1/usr/local/go\" && tar -C '$GOROOT_HOST' -c . | tar -C \"\$1/usr/local/go\" -x"

# Node (stands in for node:20-bookworm-slim, only used to `npm ci` the docs UI bundles): Debian's
# nodejs 18 and npm.
CHANGES="--change 'CMD [\"node\"]'"
make_base "$NODE_IMAGE" node -- --variant=minbase --include=nodejs,npm,ca-certificates

# Minimal static runtime (stands in for gcr.io/distroless/static-debian12:nonroot): base-files and
# netbase only, no shell, no package manager; users root, nobody, nonroot (65532).
CHANGES="--change 'USER 65532:65532' --change 'WORKDIR /home/nonroot'"
make_base "$STATIC_IMAGE" static -- --variant=extract --include=base-files,netbase \
    --customize-hook='printf "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n" > "$1/etc/passwd"' \
    --customize-hook='printf "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n" > "$1/etc/group"' \
    --customize-hook='mkdir -p "$1/tmp" "$1/home/nonroot" && chmod 1777 "$1/tmp" && chown 65532:65532 "$1/home/nonroot" && chmod 0700 "$1/home/nonroot"' \
    --customize-hook='rm -rf "$1/var/lib/dpkg" "$1/var/lib/apt" "$1/var/cache/apt" "$1/etc/apt"'

# MariaDB (stands in for mariadb:11.4.5): Debian's mariadb-server 10.11 with an entrypoint and a
# healthcheck.sh that implement the part of the official image's interface deploy/compose.yaml uses
# (see deploy/bases/mariadb/). The datadir is left empty so the first start initialises it.
CHANGES="--change 'USER mysql' --change 'ENTRYPOINT [\"docker-entrypoint.sh\"]' --change 'CMD [\"mariadbd\"]' \
--change 'EXPOSE 3306' --change 'VOLUME /var/lib/mysql' --change 'ENV LANG=C.UTF-8'"
make_base "$MARIADB_IMAGE" mariadb -- --variant=minbase --include=mariadb-server,mariadb-client \
    --skip=cleanup/run \
    --customize-hook='rm -rf "$1"/var/lib/mysql/* && mkdir -p "$1/docker-entrypoint-initdb.d" "$1/run/mysqld"' \
    --customize-hook='chroot "$1" chown mysql:mysql /var/lib/mysql /run/mysqld' \
    --customize-hook='sed -i "s/^bind-address/#bind-address/" "$1/etc/mysql/mariadb.conf.d/50-server.cnf"' \
    --customize-hook='install -m 0755 deploy/bases/mariadb/docker-entrypoint.sh deploy/bases/mariadb/healthcheck.sh "$1/usr/local/bin/"'
