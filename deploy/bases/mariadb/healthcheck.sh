#!/bin/bash
# healthcheck.sh of the STAND-IN MariaDB base: the two checks of the official image's script that
# deploy/compose.yaml asks for, each run when its flag is given; exit 0 only when all pass.
#   --connect             the server accepts TCP connections (so not the networkless init server)
#   --innodb_initialized  InnoDB is loaded and usable
set -eu
for check in "$@"; do
    case "$check" in
        --connect)
            # mariadb-admin ping exits 0 when the server answers, even with "Access denied".
            mariadb-admin --protocol=tcp --host=127.0.0.1 --connect-timeout=2 ping >/dev/null 2>&1 ;;
        --innodb_initialized)
            [ "$(mariadb --protocol=socket --user=mysql --batch --skip-column-names -e \
                "SELECT 1 FROM information_schema.ENGINES WHERE engine='InnoDB' AND support IN ('YES','DEFAULT')")" = 1 ] ;;
        *) echo "healthcheck.sh: unknown check $check" >&2; exit 2 ;;
    esac
done
