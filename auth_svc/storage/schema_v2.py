"""Migration 2 of the auth database as DDL, frozen: the tables it created when it was written.

Generated once with peewee 4.5.3 from `auth_svc/storage/models.py` as of commit 36726c4 (SQLite, and
MySQL/MariaDB); never regenerated from the live models, so a model change never changes version 2.
A change to the schema is a new migration (storage/migrations.py).
"""
from erp_common.migrations import FrozenTables

SQLITE: FrozenTables = (
    ('auth_api_key', (
        'CREATE TABLE IF NOT EXISTS "auth_api_key" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"name" VARCHAR(150) NOT NULL, "prefix" VARCHAR(16) NOT NULL, "secret_hash" VARCHAR(64) NOT NULL, '
        '"scopes" TEXT NOT NULL, "owner_id" INTEGER NOT NULL, "expire_time" DATETIME, '
        '"created_at" DATETIME NOT NULL, "revoked_at" DATETIME, "last_used_at" DATETIME, '
        'FOREIGN KEY ("owner_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_api_key_prefix" ON "auth_api_key" ("prefix")',
        'CREATE INDEX IF NOT EXISTS "auth_api_key_owner_id" ON "auth_api_key" ("owner_id")',
    )),
    ('auth_login_throttle', (
        'CREATE TABLE IF NOT EXISTS "auth_login_throttle" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"login_key" VARCHAR(200) NOT NULL, "failures" INTEGER NOT NULL, "lockouts" INTEGER NOT NULL, '
        '"locked_until" REAL NOT NULL, "updated_at" DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_login_throttle_login_key" ON "auth_login_throttle" ("login_key")',
        'CREATE INDEX IF NOT EXISTS "auth_login_throttle_updated_at" ON "auth_login_throttle" ("updated_at")',
    )),
    ('auth_mfa_challenge', (
        'CREATE TABLE IF NOT EXISTS "auth_mfa_challenge" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"token_hash" VARCHAR(64) NOT NULL, "user_id" INTEGER NOT NULL, "ip_address" VARCHAR(64) NOT NULL, '
        '"user_agent" VARCHAR(512) NOT NULL, "created_at" DATETIME NOT NULL, "expires_at" DATETIME NOT NULL, '
        '"used_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_mfa_challenge_token_hash" ON "auth_mfa_challenge" ("token_hash")',
        'CREATE INDEX IF NOT EXISTS "auth_mfa_challenge_user_id" ON "auth_mfa_challenge" ("user_id")',
        'CREATE INDEX IF NOT EXISTS "auth_mfa_challenge_expires_at" ON "auth_mfa_challenge" ("expires_at")',
    )),
    ('auth_mfa_recovery_code', (
        'CREATE TABLE IF NOT EXISTS "auth_mfa_recovery_code" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"user_id" INTEGER NOT NULL, "code_hash" VARCHAR(64) NOT NULL, "used_at" DATETIME, '
        'FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE)',
        'CREATE INDEX IF NOT EXISTS "auth_mfa_recovery_code_user_id" ON "auth_mfa_recovery_code" ("user_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_mfa_recovery_code_user_id_code_hash" ON "auth_mfa_recovery_code" ("user_id", '
        '"code_hash")',
    )),
    ('auth_mfa_totp', (
        'CREATE TABLE IF NOT EXISTS "auth_mfa_totp" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"user_id" INTEGER NOT NULL, "secret" VARCHAR(64) NOT NULL, "confirmed_at" DATETIME, '
        '"last_used_step" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, '
        'FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_mfa_totp_user_id" ON "auth_mfa_totp" ("user_id")',
    )),
    ('auth_rate_counter', (
        'CREATE TABLE IF NOT EXISTS "auth_rate_counter" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"bucket" VARCHAR(200) NOT NULL, "window_index" INTEGER NOT NULL, "hits" INTEGER NOT NULL)',
        'CREATE INDEX IF NOT EXISTS "auth_rate_counter_window_index" ON "auth_rate_counter" ("window_index")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_rate_counter_bucket_window_index" ON "auth_rate_counter" ("bucket", '
        '"window_index")',
    )),
    ('auth_revocation', (
        'CREATE TABLE IF NOT EXISTS "auth_revocation" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"sid" VARCHAR(64) NOT NULL, "revoke_time" DATETIME NOT NULL, "expire_time" DATETIME NOT NULL, '
        '"reason" VARCHAR(64) NOT NULL)',
        'CREATE INDEX IF NOT EXISTS "auth_revocation_sid" ON "auth_revocation" ("sid")',
        'CREATE INDEX IF NOT EXISTS "auth_revocation_revoke_time" ON "auth_revocation" ("revoke_time")',
        'CREATE INDEX IF NOT EXISTS "auth_revocation_expire_time" ON "auth_revocation" ("expire_time")',
    )),
)

MYSQL: FrozenTables = (
    ('auth_api_key', (
        'CREATE TABLE IF NOT EXISTS `auth_api_key` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`name` VARCHAR(150) NOT NULL, `prefix` VARCHAR(16) NOT NULL, `secret_hash` VARCHAR(64) NOT NULL, '
        '`scopes` TEXT NOT NULL, `owner_id` INTEGER NOT NULL, `expire_time` DATETIME, '
        '`created_at` DATETIME NOT NULL, `revoked_at` DATETIME, `last_used_at` DATETIME, '
        'FOREIGN KEY (`owner_id`) REFERENCES `auth_user` (`id`) ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX `auth_api_key_prefix` ON `auth_api_key` (`prefix`)',
        'CREATE INDEX `auth_api_key_owner_id` ON `auth_api_key` (`owner_id`)',
    )),
    ('auth_login_throttle', (
        'CREATE TABLE IF NOT EXISTS `auth_login_throttle` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`login_key` VARCHAR(200) NOT NULL, `failures` INTEGER NOT NULL, `lockouts` INTEGER NOT NULL, '
        '`locked_until` DOUBLE PRECISION NOT NULL, `updated_at` DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX `auth_login_throttle_login_key` ON `auth_login_throttle` (`login_key`)',
        'CREATE INDEX `auth_login_throttle_updated_at` ON `auth_login_throttle` (`updated_at`)',
    )),
    ('auth_mfa_challenge', (
        'CREATE TABLE IF NOT EXISTS `auth_mfa_challenge` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`token_hash` VARCHAR(64) NOT NULL, `user_id` INTEGER NOT NULL, `ip_address` VARCHAR(64) NOT NULL, '
        '`user_agent` VARCHAR(512) NOT NULL, `created_at` DATETIME NOT NULL, `expires_at` DATETIME NOT NULL, '
        '`used_at` DATETIME, FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`) ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX `auth_mfa_challenge_token_hash` ON `auth_mfa_challenge` (`token_hash`)',
        'CREATE INDEX `auth_mfa_challenge_user_id` ON `auth_mfa_challenge` (`user_id`)',
        'CREATE INDEX `auth_mfa_challenge_expires_at` ON `auth_mfa_challenge` (`expires_at`)',
    )),
    ('auth_mfa_recovery_code', (
        'CREATE TABLE IF NOT EXISTS `auth_mfa_recovery_code` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`user_id` INTEGER NOT NULL, `code_hash` VARCHAR(64) NOT NULL, `used_at` DATETIME, '
        'FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`) ON DELETE CASCADE)',
        'CREATE INDEX `auth_mfa_recovery_code_user_id` ON `auth_mfa_recovery_code` (`user_id`)',
        'CREATE UNIQUE INDEX `auth_mfa_recovery_code_user_id_code_hash` ON `auth_mfa_recovery_code` (`user_id`, '
        '`code_hash`)',
    )),
    ('auth_mfa_totp', (
        'CREATE TABLE IF NOT EXISTS `auth_mfa_totp` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`user_id` INTEGER NOT NULL, `secret` VARCHAR(64) NOT NULL, `confirmed_at` DATETIME, '
        '`last_used_step` BIGINT NOT NULL, `created_at` DATETIME NOT NULL, '
        'FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`) ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX `auth_mfa_totp_user_id` ON `auth_mfa_totp` (`user_id`)',
    )),
    ('auth_rate_counter', (
        'CREATE TABLE IF NOT EXISTS `auth_rate_counter` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`bucket` VARCHAR(200) NOT NULL, `window_index` BIGINT NOT NULL, `hits` INTEGER NOT NULL)',
        'CREATE INDEX `auth_rate_counter_window_index` ON `auth_rate_counter` (`window_index`)',
        'CREATE UNIQUE INDEX `auth_rate_counter_bucket_window_index` ON `auth_rate_counter` (`bucket`, '
        '`window_index`)',
    )),
    ('auth_revocation', (
        'CREATE TABLE IF NOT EXISTS `auth_revocation` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`sid` VARCHAR(64) NOT NULL, `revoke_time` DATETIME NOT NULL, `expire_time` DATETIME NOT NULL, '
        '`reason` VARCHAR(64) NOT NULL)',
        'CREATE INDEX `auth_revocation_sid` ON `auth_revocation` (`sid`)',
        'CREATE INDEX `auth_revocation_revoke_time` ON `auth_revocation` (`revoke_time`)',
        'CREATE INDEX `auth_revocation_expire_time` ON `auth_revocation` (`expire_time`)',
    )),
)
