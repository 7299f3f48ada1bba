"""Migration 1 of the auth database as DDL, frozen: the tables it created when it was written.

Generated once with peewee 4.5.3 from `auth_svc/storage/models.py` as of commit 564116b (SQLite, and
MySQL/MariaDB); never regenerated from the live models, so a model change never changes version 1.
A change to the schema is a new migration (storage/migrations.py).
"""
from erp_common.migrations import FrozenTables

SQLITE: FrozenTables = (
    ('auth_audit_log', (
        'CREATE TABLE IF NOT EXISTS "auth_audit_log" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"event_type" VARCHAR(64) NOT NULL, "user_id" INTEGER, "username" VARCHAR(150) NOT NULL, '
        '"actor" VARCHAR(150) NOT NULL, "target_type" VARCHAR(50) NOT NULL, "target_id" VARCHAR(64) NOT NULL, '
        '"ip_address" VARCHAR(64) NOT NULL, "user_agent" VARCHAR(512) NOT NULL, '
        '"browser" VARCHAR(100) NOT NULL, "os" VARCHAR(100) NOT NULL, "failure_reason" VARCHAR(64) NOT NULL, '
        '"metadata" TEXT, "before" TEXT, "after" TEXT, "created_at" DATETIME NOT NULL)',
        'CREATE INDEX IF NOT EXISTS "auth_audit_log_event_type" ON "auth_audit_log" ("event_type")',
        'CREATE INDEX IF NOT EXISTS "auth_audit_log_username" ON "auth_audit_log" ("username")',
        'CREATE INDEX IF NOT EXISTS "auth_audit_log_created_at" ON "auth_audit_log" ("created_at")',
        'CREATE INDEX IF NOT EXISTS "auth_audit_log_event_type_created_at" ON "auth_audit_log" ("event_type", '
        '"created_at")',
    )),
    ('auth_permission', (
        'CREATE TABLE IF NOT EXISTS "auth_permission" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"codename" VARCHAR(100) NOT NULL, "name" VARCHAR(255) NOT NULL, "service" VARCHAR(20) NOT NULL, '
        '"entity" VARCHAR(50) NOT NULL, "action" VARCHAR(20) NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_permission_codename" ON "auth_permission" ("codename")',
    )),
    ('auth_role', (
        'CREATE TABLE IF NOT EXISTS "auth_role" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"name" VARCHAR(150) NOT NULL, "name_key" VARCHAR(150) NOT NULL, "description" TEXT NOT NULL, '
        '"is_active" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_role_name_key" ON "auth_role" ("name_key")',
    )),
    ('auth_role_permission', (
        'CREATE TABLE IF NOT EXISTS "auth_role_permission" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"role_id" INTEGER NOT NULL, "permission_id" INTEGER NOT NULL, '
        'FOREIGN KEY ("role_id") REFERENCES "auth_role" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("permission_id") REFERENCES "auth_permission" ("id") ON DELETE CASCADE)',
        'CREATE INDEX IF NOT EXISTS "auth_role_permission_role_id" ON "auth_role_permission" ("role_id")',
        'CREATE INDEX IF NOT EXISTS "auth_role_permission_permission_id" ON "auth_role_permission" ("permission_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_role_permission_role_id_permission_id" ON "auth_role_permission" ("role_id", '
        '"permission_id")',
    )),
    ('auth_user', (
        'CREATE TABLE IF NOT EXISTS "auth_user" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"username" VARCHAR(150) NOT NULL, "username_key" VARCHAR(150) NOT NULL, '
        '"email" VARCHAR(254) NOT NULL, "email_key" VARCHAR(254), "first_name" VARCHAR(150) NOT NULL, '
        '"last_name" VARCHAR(150) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, '
        '"is_active" INTEGER NOT NULL, "is_superuser" INTEGER NOT NULL, "date_joined" DATETIME NOT NULL, '
        '"last_login" DATETIME, "updated_at" DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_user_username_key" ON "auth_user" ("username_key")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_user_email_key" ON "auth_user" ("email_key")',
    )),
    ('auth_session', (
        'CREATE TABLE IF NOT EXISTS "auth_session" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"sid" VARCHAR(64) NOT NULL, "user_id" INTEGER NOT NULL, "ip_address" VARCHAR(64) NOT NULL, '
        '"user_agent" VARCHAR(512) NOT NULL, "created_at" DATETIME NOT NULL, "last_refresh_at" DATETIME, '
        '"expires_at" DATETIME NOT NULL, "current_refresh_jti" VARCHAR(64) NOT NULL, '
        '"previous_refresh_jti" VARCHAR(64) NOT NULL, "rotated_at" DATETIME, "revoked_at" DATETIME, '
        '"revoke_reason" VARCHAR(64) NOT NULL, '
        'FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_session_sid" ON "auth_session" ("sid")',
        'CREATE INDEX IF NOT EXISTS "auth_session_user_id" ON "auth_session" ("user_id")',
        'CREATE INDEX IF NOT EXISTS "auth_session_revoked_at" ON "auth_session" ("revoked_at")',
    )),
    ('auth_user_role', (
        'CREATE TABLE IF NOT EXISTS "auth_user_role" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"user_id" INTEGER NOT NULL, "role_id" INTEGER NOT NULL, '
        'FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("role_id") REFERENCES "auth_role" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "auth_user_role_user_id" ON "auth_user_role" ("user_id")',
        'CREATE INDEX IF NOT EXISTS "auth_user_role_role_id" ON "auth_user_role" ("role_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "auth_user_role_user_id_role_id" ON "auth_user_role" ("user_id", '
        '"role_id")',
    )),
)

MYSQL: FrozenTables = (
    ('auth_audit_log', (
        'CREATE TABLE IF NOT EXISTS `auth_audit_log` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`event_type` VARCHAR(64) NOT NULL, `user_id` INTEGER, `username` VARCHAR(150) NOT NULL, '
        '`actor` VARCHAR(150) NOT NULL, `target_type` VARCHAR(50) NOT NULL, `target_id` VARCHAR(64) NOT NULL, '
        '`ip_address` VARCHAR(64) NOT NULL, `user_agent` VARCHAR(512) NOT NULL, '
        '`browser` VARCHAR(100) NOT NULL, `os` VARCHAR(100) NOT NULL, `failure_reason` VARCHAR(64) NOT NULL, '
        '`metadata` TEXT, `before` TEXT, `after` TEXT, `created_at` DATETIME NOT NULL)',
        'CREATE INDEX `auth_audit_log_event_type` ON `auth_audit_log` (`event_type`)',
        'CREATE INDEX `auth_audit_log_username` ON `auth_audit_log` (`username`)',
        'CREATE INDEX `auth_audit_log_created_at` ON `auth_audit_log` (`created_at`)',
        'CREATE INDEX `auth_audit_log_event_type_created_at` ON `auth_audit_log` (`event_type`, `created_at`)',
    )),
    ('auth_permission', (
        'CREATE TABLE IF NOT EXISTS `auth_permission` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`codename` VARCHAR(100) NOT NULL, `name` VARCHAR(255) NOT NULL, `service` VARCHAR(20) NOT NULL, '
        '`entity` VARCHAR(50) NOT NULL, `action` VARCHAR(20) NOT NULL)',
        'CREATE UNIQUE INDEX `auth_permission_codename` ON `auth_permission` (`codename`)',
    )),
    ('auth_role', (
        'CREATE TABLE IF NOT EXISTS `auth_role` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`name` VARCHAR(150) NOT NULL, `name_key` VARCHAR(150) NOT NULL, `description` TEXT NOT NULL, '
        '`is_active` BOOL NOT NULL, `created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX `auth_role_name_key` ON `auth_role` (`name_key`)',
    )),
    ('auth_role_permission', (
        'CREATE TABLE IF NOT EXISTS `auth_role_permission` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`role_id` INTEGER NOT NULL, `permission_id` INTEGER NOT NULL, '
        'FOREIGN KEY (`role_id`) REFERENCES `auth_role` (`id`) ON DELETE CASCADE, '
        'FOREIGN KEY (`permission_id`) REFERENCES `auth_permission` (`id`) ON DELETE CASCADE)',
        'CREATE INDEX `auth_role_permission_role_id` ON `auth_role_permission` (`role_id`)',
        'CREATE INDEX `auth_role_permission_permission_id` ON `auth_role_permission` (`permission_id`)',
        'CREATE UNIQUE INDEX `auth_role_permission_role_id_permission_id` ON `auth_role_permission` (`role_id`, '
        '`permission_id`)',
    )),
    ('auth_user', (
        'CREATE TABLE IF NOT EXISTS `auth_user` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`username` VARCHAR(150) NOT NULL, `username_key` VARCHAR(150) NOT NULL, '
        '`email` VARCHAR(254) NOT NULL, `email_key` VARCHAR(254), `first_name` VARCHAR(150) NOT NULL, '
        '`last_name` VARCHAR(150) NOT NULL, `password_hash` VARCHAR(255) NOT NULL, `is_active` BOOL NOT NULL, '
        '`is_superuser` BOOL NOT NULL, `date_joined` DATETIME NOT NULL, `last_login` DATETIME, '
        '`updated_at` DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX `auth_user_username_key` ON `auth_user` (`username_key`)',
        'CREATE UNIQUE INDEX `auth_user_email_key` ON `auth_user` (`email_key`)',
    )),
    ('auth_session', (
        'CREATE TABLE IF NOT EXISTS `auth_session` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`sid` VARCHAR(64) NOT NULL, `user_id` INTEGER NOT NULL, `ip_address` VARCHAR(64) NOT NULL, '
        '`user_agent` VARCHAR(512) NOT NULL, `created_at` DATETIME NOT NULL, `last_refresh_at` DATETIME, '
        '`expires_at` DATETIME NOT NULL, `current_refresh_jti` VARCHAR(64) NOT NULL, '
        '`previous_refresh_jti` VARCHAR(64) NOT NULL, `rotated_at` DATETIME, `revoked_at` DATETIME, '
        '`revoke_reason` VARCHAR(64) NOT NULL, '
        'FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`) ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX `auth_session_sid` ON `auth_session` (`sid`)',
        'CREATE INDEX `auth_session_user_id` ON `auth_session` (`user_id`)',
        'CREATE INDEX `auth_session_revoked_at` ON `auth_session` (`revoked_at`)',
    )),
    ('auth_user_role', (
        'CREATE TABLE IF NOT EXISTS `auth_user_role` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`user_id` INTEGER NOT NULL, `role_id` INTEGER NOT NULL, '
        'FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`) ON DELETE CASCADE, '
        'FOREIGN KEY (`role_id`) REFERENCES `auth_role` (`id`) ON DELETE RESTRICT)',
        'CREATE INDEX `auth_user_role_user_id` ON `auth_user_role` (`user_id`)',
        'CREATE INDEX `auth_user_role_role_id` ON `auth_user_role` (`role_id`)',
        'CREATE UNIQUE INDEX `auth_user_role_user_id_role_id` ON `auth_user_role` (`user_id`, `role_id`)',
    )),
)
