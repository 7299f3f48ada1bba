# shellcheck shell=bash
# Sourced (not executed) by the mariadb image's docker-entrypoint.sh on the first start of an empty
# data volume: creates the two ERP databases and their users from the compose secrets.
# Passwords are restricted to URL- and SQL-safe characters ([A-Za-z0-9_-], as make-secrets.sh writes)
# because the same passwords also sit inside the services' mysql:// URLs.

erp_read_password() {
    local file="/run/secrets/$1" value
    [ -r "$file" ] || mysql_error "ERP init: secret $file is missing"
    value="$(cat "$file")"
    [[ "$value" =~ ^[A-Za-z0-9_-]{16,}$ ]] || mysql_error "ERP init: $file must be >= 16 chars of [A-Za-z0-9_-]"
    printf '%s' "$value"
}

erp_auth_pw="$(erp_read_password auth_db_password)"
erp_master_pw="$(erp_read_password master_db_password)"

mysql_note "ERP init: creating databases erp_auth, erp_master and their users"
docker_process_sql --database=mysql <<EOSQL
CREATE DATABASE IF NOT EXISTS erp_auth CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS erp_master CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'erp_auth'@'%' IDENTIFIED BY '${erp_auth_pw}';
CREATE USER IF NOT EXISTS 'erp_master'@'%' IDENTIFIED BY '${erp_master_pw}';
GRANT ALL PRIVILEGES ON erp_auth.* TO 'erp_auth'@'%';
GRANT ALL PRIVILEGES ON erp_master.* TO 'erp_master'@'%';
FLUSH PRIVILEGES;
EOSQL
unset erp_auth_pw erp_master_pw
