#!/bin/sh
# Writes the compose secrets into deploy/secrets/ with random values. Existing files are kept, so
# it is safe to run again. The DB URLs are derived from the DB passwords it finds or creates.
set -eu

dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir"
chmod 0700 "$dir"
umask 022

rand() {
    # 32 URL-safe characters (base64url alphabet without padding).
    python3 -c 'import secrets; print(secrets.token_urlsafe(24))'
}

put() {
    if [ ! -s "$dir/$1" ]; then
        printf '%s\n' "$2" > "$dir/$1"
        chmod 0644 "$dir/$1"
        echo "wrote $dir/$1"
    fi
}

put mariadb_root_password "$(rand)"
put auth_db_password "$(rand)"
put master_db_password "$(rand)"
put admin_password "$(rand)"
put edge_shared_secret "$(rand)"
put auth_db_url "mysql://erp_auth:$(cat "$dir/auth_db_password")@mariadb:3306/erp_auth"
put master_db_url "mysql://erp_master:$(cat "$dir/master_db_password")@mariadb:3306/erp_master"
echo "secrets ready in $dir (first admin password: $dir/admin_password)"
