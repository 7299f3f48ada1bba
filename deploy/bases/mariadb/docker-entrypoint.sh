#!/bin/bash
# Entrypoint of the STAND-IN MariaDB base (deploy/bases/build.sh), not the official image's script.
# It implements the part of the official mariadb image's interface that deploy/compose.yaml uses:
#   MARIADB_ROOT_PASSWORD or MARIADB_ROOT_PASSWORD_FILE   root password, set on the first start
#   /docker-entrypoint-initdb.d/*.sh (sourced) and *.sql  run once, on an empty datadir, with the
#       helpers mysql_note, mysql_warn, mysql_error and docker_process_sql available
#   MARIADB_AUTO_UPGRADE=1   mariadb-upgrade after each start (a no-op when nothing changed)
# It runs as the image's user `mysql`; every other argument goes to mariadbd.
set -eo pipefail
shopt -s nullglob

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

mysql_note() { printf '%s [Note] [Entrypoint]: %s\n' "$(date -u +%FT%TZ)" "$*"; }
mysql_warn() { printf '%s [Warn] [Entrypoint]: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }
mysql_error() { printf '%s [ERROR] [Entrypoint]: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; exit 1; }

# As the official image: VAR or VAR_FILE, not both.
file_env() {
    local var="$1" file_var="${1}_FILE"
    if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
        mysql_error "both $var and $file_var are set (but are exclusive)"
    fi
    local value="${!var:-}"
    if [ -n "${!file_var:-}" ]; then
        value="$(<"${!file_var}")"
    fi
    export "$var=$value"
    unset "$file_var"
}

# SQL on the local socket as the OS user mysql (unix_socket authentication, all privileges).
docker_process_sql() {
    mariadb --protocol=socket --socket="$SOCKET" --user=mysql --batch --skip-column-names "$@"
}

if [ "${1:0:1}" = "-" ]; then
    set -- mariadbd "$@"
fi
if [ "$1" != "mariadbd" ]; then
    exec "$@"
fi
shift

if [ ! -d "$DATADIR/mysql" ]; then
    file_env MARIADB_ROOT_PASSWORD
    [ -n "$MARIADB_ROOT_PASSWORD" ] || mysql_error "MARIADB_ROOT_PASSWORD(_FILE) is required on the first start"
    mysql_note "initialising $DATADIR"
    mariadb-install-db --datadir="$DATADIR" --skip-test-db --auth-root-authentication-method=socket \
        --auth-root-socket-user=mysql --skip-name-resolve >/dev/null
    mariadbd --skip-networking --socket="$SOCKET" --datadir="$DATADIR" &
    pid=$!
    for _ in $(seq 60); do
        docker_process_sql -e 'SELECT 1' >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || mysql_error "the temporary server died during initialisation"
        sleep 1
    done
    pw="${MARIADB_ROOT_PASSWORD//\'/\'\'}"
    docker_process_sql --database=mysql <<EOSQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '${pw}';
CREATE USER 'root'@'%' IDENTIFIED BY '${pw}';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
EOSQL
    unset pw
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh) mysql_note "sourcing $f"; # shellcheck disable=SC1090
                  . "$f" ;;
            *.sql) mysql_note "running $f"; docker_process_sql < "$f" ;;
            *) mysql_warn "ignoring $f" ;;
        esac
    done
    kill "$pid"
    wait "$pid" || true
    mysql_note "initialisation done"
elif [ "${MARIADB_AUTO_UPGRADE:-0}" = "1" ]; then
    # After the start below the server is up; upgrade in the background once it answers.
    (
        for _ in $(seq 60); do
            docker_process_sql -e 'SELECT 1' >/dev/null 2>&1 && break
            sleep 1
        done
        mariadb-upgrade --protocol=socket --socket="$SOCKET" --user=mysql --silent >/dev/null \
            && mysql_note "mariadb-upgrade done"
    ) &
fi
unset MARIADB_ROOT_PASSWORD
exec mariadbd --datadir="$DATADIR" --socket="$SOCKET" "$@"
