"""Migration 1 of the master database as DDL, frozen: the tables it created when it was written.

Generated once with peewee 4.5.3 from `master_svc/storage/models.py` as of commit 564116b (SQLite, and
MySQL/MariaDB); never regenerated from the live models, so a model change never changes version 1.
A change to the schema is a new migration (storage/migrations.py).
"""
from erp_common.migrations import FrozenTables

SQLITE: FrozenTables = (
    ('master_continent', (
        'CREATE TABLE IF NOT EXISTS "master_continent" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200))',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_continent_unique_id" ON "master_continent" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_continent_is_active" ON "master_continent" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_continent_is_deleted" ON "master_continent" ("is_deleted")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_continent_scope_key_live_name_key" ON "master_continent" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_continent_name_pk" ON "master_continent" ("name", "pk")',
    )),
    ('master_country', (
        'CREATE TABLE IF NOT EXISTS "master_country" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "continent_id" VARCHAR(40) NOT NULL, "iso_alpha2" VARCHAR(2) NOT NULL, '
        '"iso_alpha3" VARCHAR(3) NOT NULL, "iso_numeric" VARCHAR(3) NOT NULL, '
        '"phone_code" VARCHAR(20) NOT NULL, '
        'FOREIGN KEY ("continent_id") REFERENCES "master_continent" ("unique_id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_country_unique_id" ON "master_country" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_country_is_active" ON "master_country" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_country_is_deleted" ON "master_country" ("is_deleted")',
        'CREATE INDEX IF NOT EXISTS "master_country_continent_id" ON "master_country" ("continent_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_country_scope_key_live_name_key" ON "master_country" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_country_name_pk" ON "master_country" ("name", "pk")',
    )),
    ('master_state', (
        'CREATE TABLE IF NOT EXISTS "master_state" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "country_id" VARCHAR(40) NOT NULL, '
        '"subdivision_code" VARCHAR(10) NOT NULL, '
        'FOREIGN KEY ("country_id") REFERENCES "master_country" ("unique_id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_state_unique_id" ON "master_state" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_state_is_active" ON "master_state" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_state_is_deleted" ON "master_state" ("is_deleted")',
        'CREATE INDEX IF NOT EXISTS "master_state_country_id" ON "master_state" ("country_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_state_scope_key_live_name_key" ON "master_state" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_state_name_pk" ON "master_state" ("name", "pk")',
    )),
    ('master_district', (
        'CREATE TABLE IF NOT EXISTS "master_district" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "state_id" VARCHAR(40) NOT NULL, '
        'FOREIGN KEY ("state_id") REFERENCES "master_state" ("unique_id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_district_unique_id" ON "master_district" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_district_is_active" ON "master_district" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_district_is_deleted" ON "master_district" ("is_deleted")',
        'CREATE INDEX IF NOT EXISTS "master_district_state_id" ON "master_district" ("state_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_district_scope_key_live_name_key" ON "master_district" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_district_name_pk" ON "master_district" ("name", "pk")',
    )),
    ('master_city', (
        'CREATE TABLE IF NOT EXISTS "master_city" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "continent_id" VARCHAR(40) NOT NULL, '
        '"country_id" VARCHAR(40) NOT NULL, "state_id" VARCHAR(40) NOT NULL, '
        '"district_id" VARCHAR(40) NOT NULL, '
        'FOREIGN KEY ("continent_id") REFERENCES "master_continent" ("unique_id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("country_id") REFERENCES "master_country" ("unique_id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("state_id") REFERENCES "master_state" ("unique_id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("district_id") REFERENCES "master_district" ("unique_id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_city_unique_id" ON "master_city" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_city_is_active" ON "master_city" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_city_is_deleted" ON "master_city" ("is_deleted")',
        'CREATE INDEX IF NOT EXISTS "master_city_continent_id" ON "master_city" ("continent_id")',
        'CREATE INDEX IF NOT EXISTS "master_city_country_id" ON "master_city" ("country_id")',
        'CREATE INDEX IF NOT EXISTS "master_city_state_id" ON "master_city" ("state_id")',
        'CREATE INDEX IF NOT EXISTS "master_city_district_id" ON "master_city" ("district_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_city_scope_key_live_name_key" ON "master_city" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_city_name_pk" ON "master_city" ("name", "pk")',
    )),
    ('master_equipment_type', (
        'CREATE TABLE IF NOT EXISTS "master_equipment_type" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "category" VARCHAR(100) NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_equipment_type_unique_id" ON "master_equipment_type" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_equipment_type_is_active" ON "master_equipment_type" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_equipment_type_is_deleted" ON "master_equipment_type" ("is_deleted")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_equipment_type_scope_key_live_name_key" ON "master_equipment_type" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_equipment_type_name_pk" ON "master_equipment_type" ("name", "pk")',
    )),
    ('master_plant', (
        'CREATE TABLE IF NOT EXISTS "master_plant" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "city_id" VARCHAR(40), "address" TEXT NOT NULL, "latitude" REAL, '
        '"longitude" REAL, FOREIGN KEY ("city_id") REFERENCES "master_city" ("unique_id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_plant_unique_id" ON "master_plant" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_plant_is_active" ON "master_plant" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_plant_is_deleted" ON "master_plant" ("is_deleted")',
        'CREATE INDEX IF NOT EXISTS "master_plant_city_id" ON "master_plant" ("city_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_plant_scope_key_live_name_key" ON "master_plant" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_plant_name_pk" ON "master_plant" ("name", "pk")',
    )),
    ('master_site', (
        'CREATE TABLE IF NOT EXISTS "master_site" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "plant_id" VARCHAR(40), '
        'FOREIGN KEY ("plant_id") REFERENCES "master_plant" ("unique_id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_site_unique_id" ON "master_site" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_site_is_active" ON "master_site" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_site_is_deleted" ON "master_site" ("is_deleted")',
        'CREATE INDEX IF NOT EXISTS "master_site_plant_id" ON "master_site" ("plant_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_site_scope_key_live_name_key" ON "master_site" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_site_name_pk" ON "master_site" ("name", "pk")',
    )),
    ('master_zone', (
        'CREATE TABLE IF NOT EXISTS "master_zone" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "city_id" VARCHAR(40), '
        'FOREIGN KEY ("city_id") REFERENCES "master_city" ("unique_id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_zone_unique_id" ON "master_zone" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_zone_is_active" ON "master_zone" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_zone_is_deleted" ON "master_zone" ("is_deleted")',
        'CREATE INDEX IF NOT EXISTS "master_zone_city_id" ON "master_zone" ("city_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_zone_scope_key_live_name_key" ON "master_zone" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_zone_name_pk" ON "master_zone" ("name", "pk")',
    )),
    ('master_ward', (
        'CREATE TABLE IF NOT EXISTS "master_ward" ("pk" INTEGER NOT NULL PRIMARY KEY, '
        '"unique_id" VARCHAR(40) NOT NULL, "name" VARCHAR(200) NOT NULL, "code" VARCHAR(50) NOT NULL, '
        '"description" TEXT NOT NULL, "is_active" INTEGER NOT NULL, "is_deleted" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "created_by" VARCHAR(150) NOT NULL, '
        '"updated_by" VARCHAR(150) NOT NULL, "version" INTEGER NOT NULL, "scope_key" VARCHAR(40) NOT NULL, '
        '"live_name_key" VARCHAR(200), "zone_id" VARCHAR(40), '
        'FOREIGN KEY ("zone_id") REFERENCES "master_zone" ("unique_id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_ward_unique_id" ON "master_ward" ("unique_id")',
        'CREATE INDEX IF NOT EXISTS "master_ward_is_active" ON "master_ward" ("is_active")',
        'CREATE INDEX IF NOT EXISTS "master_ward_is_deleted" ON "master_ward" ("is_deleted")',
        'CREATE INDEX IF NOT EXISTS "master_ward_zone_id" ON "master_ward" ("zone_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "master_ward_scope_key_live_name_key" ON "master_ward" ("scope_key", '
        '"live_name_key")',
        'CREATE INDEX IF NOT EXISTS "master_ward_name_pk" ON "master_ward" ("name", "pk")',
    )),
)

MYSQL: FrozenTables = (
    ('master_continent', (
        'CREATE TABLE IF NOT EXISTS `master_continent` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200))',
        'CREATE UNIQUE INDEX `master_continent_unique_id` ON `master_continent` (`unique_id`)',
        'CREATE INDEX `master_continent_is_active` ON `master_continent` (`is_active`)',
        'CREATE INDEX `master_continent_is_deleted` ON `master_continent` (`is_deleted`)',
        'CREATE UNIQUE INDEX `master_continent_scope_key_live_name_key` ON `master_continent` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_continent_name_pk` ON `master_continent` (`name`, `pk`)',
    )),
    ('master_country', (
        'CREATE TABLE IF NOT EXISTS `master_country` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `continent_id` VARCHAR(40) NOT NULL, `iso_alpha2` VARCHAR(2) NOT NULL, '
        '`iso_alpha3` VARCHAR(3) NOT NULL, `iso_numeric` VARCHAR(3) NOT NULL, '
        '`phone_code` VARCHAR(20) NOT NULL, '
        'FOREIGN KEY (`continent_id`) REFERENCES `master_continent` (`unique_id`) ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX `master_country_unique_id` ON `master_country` (`unique_id`)',
        'CREATE INDEX `master_country_is_active` ON `master_country` (`is_active`)',
        'CREATE INDEX `master_country_is_deleted` ON `master_country` (`is_deleted`)',
        'CREATE INDEX `master_country_continent_id` ON `master_country` (`continent_id`)',
        'CREATE UNIQUE INDEX `master_country_scope_key_live_name_key` ON `master_country` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_country_name_pk` ON `master_country` (`name`, `pk`)',
    )),
    ('master_state', (
        'CREATE TABLE IF NOT EXISTS `master_state` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `country_id` VARCHAR(40) NOT NULL, '
        '`subdivision_code` VARCHAR(10) NOT NULL, '
        'FOREIGN KEY (`country_id`) REFERENCES `master_country` (`unique_id`) ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX `master_state_unique_id` ON `master_state` (`unique_id`)',
        'CREATE INDEX `master_state_is_active` ON `master_state` (`is_active`)',
        'CREATE INDEX `master_state_is_deleted` ON `master_state` (`is_deleted`)',
        'CREATE INDEX `master_state_country_id` ON `master_state` (`country_id`)',
        'CREATE UNIQUE INDEX `master_state_scope_key_live_name_key` ON `master_state` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_state_name_pk` ON `master_state` (`name`, `pk`)',
    )),
    ('master_district', (
        'CREATE TABLE IF NOT EXISTS `master_district` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `state_id` VARCHAR(40) NOT NULL, '
        'FOREIGN KEY (`state_id`) REFERENCES `master_state` (`unique_id`) ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX `master_district_unique_id` ON `master_district` (`unique_id`)',
        'CREATE INDEX `master_district_is_active` ON `master_district` (`is_active`)',
        'CREATE INDEX `master_district_is_deleted` ON `master_district` (`is_deleted`)',
        'CREATE INDEX `master_district_state_id` ON `master_district` (`state_id`)',
        'CREATE UNIQUE INDEX `master_district_scope_key_live_name_key` ON `master_district` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_district_name_pk` ON `master_district` (`name`, `pk`)',
    )),
    ('master_city', (
        'CREATE TABLE IF NOT EXISTS `master_city` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `continent_id` VARCHAR(40) NOT NULL, '
        '`country_id` VARCHAR(40) NOT NULL, `state_id` VARCHAR(40) NOT NULL, '
        '`district_id` VARCHAR(40) NOT NULL, '
        'FOREIGN KEY (`continent_id`) REFERENCES `master_continent` (`unique_id`) ON DELETE RESTRICT, '
        'FOREIGN KEY (`country_id`) REFERENCES `master_country` (`unique_id`) ON DELETE RESTRICT, '
        'FOREIGN KEY (`state_id`) REFERENCES `master_state` (`unique_id`) ON DELETE RESTRICT, '
        'FOREIGN KEY (`district_id`) REFERENCES `master_district` (`unique_id`) ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX `master_city_unique_id` ON `master_city` (`unique_id`)',
        'CREATE INDEX `master_city_is_active` ON `master_city` (`is_active`)',
        'CREATE INDEX `master_city_is_deleted` ON `master_city` (`is_deleted`)',
        'CREATE INDEX `master_city_continent_id` ON `master_city` (`continent_id`)',
        'CREATE INDEX `master_city_country_id` ON `master_city` (`country_id`)',
        'CREATE INDEX `master_city_state_id` ON `master_city` (`state_id`)',
        'CREATE INDEX `master_city_district_id` ON `master_city` (`district_id`)',
        'CREATE UNIQUE INDEX `master_city_scope_key_live_name_key` ON `master_city` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_city_name_pk` ON `master_city` (`name`, `pk`)',
    )),
    ('master_equipment_type', (
        'CREATE TABLE IF NOT EXISTS `master_equipment_type` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `category` VARCHAR(100) NOT NULL)',
        'CREATE UNIQUE INDEX `master_equipment_type_unique_id` ON `master_equipment_type` (`unique_id`)',
        'CREATE INDEX `master_equipment_type_is_active` ON `master_equipment_type` (`is_active`)',
        'CREATE INDEX `master_equipment_type_is_deleted` ON `master_equipment_type` (`is_deleted`)',
        'CREATE UNIQUE INDEX `master_equipment_type_scope_key_live_name_key` ON `master_equipment_type` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_equipment_type_name_pk` ON `master_equipment_type` (`name`, `pk`)',
    )),
    ('master_plant', (
        'CREATE TABLE IF NOT EXISTS `master_plant` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `city_id` VARCHAR(40), `address` TEXT NOT NULL, '
        '`latitude` DOUBLE PRECISION, `longitude` DOUBLE PRECISION, '
        'FOREIGN KEY (`city_id`) REFERENCES `master_city` (`unique_id`) ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX `master_plant_unique_id` ON `master_plant` (`unique_id`)',
        'CREATE INDEX `master_plant_is_active` ON `master_plant` (`is_active`)',
        'CREATE INDEX `master_plant_is_deleted` ON `master_plant` (`is_deleted`)',
        'CREATE INDEX `master_plant_city_id` ON `master_plant` (`city_id`)',
        'CREATE UNIQUE INDEX `master_plant_scope_key_live_name_key` ON `master_plant` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_plant_name_pk` ON `master_plant` (`name`, `pk`)',
    )),
    ('master_site', (
        'CREATE TABLE IF NOT EXISTS `master_site` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `plant_id` VARCHAR(40), '
        'FOREIGN KEY (`plant_id`) REFERENCES `master_plant` (`unique_id`) ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX `master_site_unique_id` ON `master_site` (`unique_id`)',
        'CREATE INDEX `master_site_is_active` ON `master_site` (`is_active`)',
        'CREATE INDEX `master_site_is_deleted` ON `master_site` (`is_deleted`)',
        'CREATE INDEX `master_site_plant_id` ON `master_site` (`plant_id`)',
        'CREATE UNIQUE INDEX `master_site_scope_key_live_name_key` ON `master_site` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_site_name_pk` ON `master_site` (`name`, `pk`)',
    )),
    ('master_zone', (
        'CREATE TABLE IF NOT EXISTS `master_zone` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `city_id` VARCHAR(40), '
        'FOREIGN KEY (`city_id`) REFERENCES `master_city` (`unique_id`) ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX `master_zone_unique_id` ON `master_zone` (`unique_id`)',
        'CREATE INDEX `master_zone_is_active` ON `master_zone` (`is_active`)',
        'CREATE INDEX `master_zone_is_deleted` ON `master_zone` (`is_deleted`)',
        'CREATE INDEX `master_zone_city_id` ON `master_zone` (`city_id`)',
        'CREATE UNIQUE INDEX `master_zone_scope_key_live_name_key` ON `master_zone` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_zone_name_pk` ON `master_zone` (`name`, `pk`)',
    )),
    ('master_ward', (
        'CREATE TABLE IF NOT EXISTS `master_ward` (`pk` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, '
        '`unique_id` VARCHAR(40) NOT NULL, `name` VARCHAR(200) NOT NULL, `code` VARCHAR(50) NOT NULL, '
        '`description` TEXT NOT NULL, `is_active` BOOL NOT NULL, `is_deleted` BOOL NOT NULL, '
        '`created_at` DATETIME NOT NULL, `updated_at` DATETIME NOT NULL, `created_by` VARCHAR(150) NOT NULL, '
        '`updated_by` VARCHAR(150) NOT NULL, `version` INTEGER NOT NULL, `scope_key` VARCHAR(40) NOT NULL, '
        '`live_name_key` VARCHAR(200), `zone_id` VARCHAR(40), '
        'FOREIGN KEY (`zone_id`) REFERENCES `master_zone` (`unique_id`) ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX `master_ward_unique_id` ON `master_ward` (`unique_id`)',
        'CREATE INDEX `master_ward_is_active` ON `master_ward` (`is_active`)',
        'CREATE INDEX `master_ward_is_deleted` ON `master_ward` (`is_deleted`)',
        'CREATE INDEX `master_ward_zone_id` ON `master_ward` (`zone_id`)',
        'CREATE UNIQUE INDEX `master_ward_scope_key_live_name_key` ON `master_ward` (`scope_key`, '
        '`live_name_key`)',
        'CREATE INDEX `master_ward_name_pk` ON `master_ward` (`name`, `pk`)',
    )),
)
