"""Migration 3 of the master database as DDL, frozen: the tables it created when it was written.

Generated once with peewee 4.5.3 from `master_svc/storage/models.py` as of commit 8a797c2 (SQLite, and
MySQL/MariaDB); never regenerated from the live models, so a model change never changes version 3.
A change to the schema is a new migration (storage/migrations.py).
"""
from erp_common.migrations import FrozenTables

SQLITE: FrozenTables = (
    ('master_change', (
        'CREATE TABLE IF NOT EXISTS "master_change" ("cursor" INTEGER NOT NULL PRIMARY KEY, '
        '"kind" VARCHAR(16) NOT NULL, "entity" VARCHAR(40) NOT NULL, "unique_id" VARCHAR(40) NOT NULL, '
        '"etag" VARCHAR(40) NOT NULL, "actor" VARCHAR(150) NOT NULL, "created_at" DATETIME(6) NOT NULL)',
        'CREATE INDEX IF NOT EXISTS "change_entity_cursor" ON "master_change" ("entity", "cursor")',
    )),
    ('master_change_sequence', (
        'CREATE TABLE IF NOT EXISTS "master_change_sequence" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"last" INTEGER NOT NULL)',
    )),
)

MYSQL: FrozenTables = (
    ('master_change', (
        'CREATE TABLE IF NOT EXISTS `master_change` (`cursor` BIGINT NOT NULL PRIMARY KEY, '
        '`kind` VARCHAR(16) NOT NULL, `entity` VARCHAR(40) NOT NULL, `unique_id` VARCHAR(40) NOT NULL, '
        '`etag` VARCHAR(40) NOT NULL, `actor` VARCHAR(150) NOT NULL, `created_at` DATETIME(6) NOT NULL)',
        'CREATE INDEX `change_entity_cursor` ON `master_change` (`entity`, `cursor`)',
    )),
    ('master_change_sequence', (
        'CREATE TABLE IF NOT EXISTS `master_change_sequence` (`id` INTEGER NOT NULL PRIMARY KEY, '
        '`last` BIGINT NOT NULL)',
    )),
)
