"""Peewee models of the master database. Only storage/ imports this module.

Names are unique among live siblings, enforced by a unique index on (scope_key, live_name_key):
`scope_key` is the scoping parent's id ('' when none) and `live_name_key` the normalised name while
the row is live, NULL once it is soft-deleted (NULLs never collide in a unique index).
"""
from __future__ import annotations

import peewee

from master_svc.domain.entities import utcnow

database = peewee.DatabaseProxy()


class MicrosecondDateTimeField(peewee.DateTimeField):
    """A DATETIME with microseconds on every backend.

    MySQL's plain DATETIME drops fractions, so a `created_at` page token (which carries
    microseconds) would no longer equal the stored value and keyset pagination would skip or
    repeat rows that share a second. SQLite ignores the modifier and keeps the full text.
    """

    def get_modifiers(self):
        return [6]


class BaseMaster(peewee.Model):
    pk = peewee.AutoField()
    unique_id = peewee.CharField(max_length=40, unique=True)
    name = peewee.CharField(max_length=200)
    code = peewee.CharField(max_length=50, default="")
    description = peewee.TextField(default="")
    is_active = peewee.BooleanField(default=True, index=True)
    is_deleted = peewee.BooleanField(default=False, index=True)
    created_at = MicrosecondDateTimeField(default=utcnow)
    updated_at = MicrosecondDateTimeField(default=utcnow)
    created_by = peewee.CharField(max_length=150, default="")
    updated_by = peewee.CharField(max_length=150, default="")
    version = peewee.IntegerField(default=1)
    scope_key = peewee.CharField(max_length=40, default="")
    live_name_key = peewee.CharField(max_length=200, null=True)

    class Meta:
        database = database
        legacy_table_names = False
        indexes = ((("scope_key", "live_name_key"), True), (("name", "pk"), False))

class Continent(BaseMaster):
    class Meta:
        table_name = "master_continent"


class Country(BaseMaster):
    continent_id = peewee.ForeignKeyField(Continent, field="unique_id", on_delete="RESTRICT",
                                          column_name="continent_id", backref="countries")
    iso_alpha2 = peewee.CharField(max_length=2, default="")
    iso_alpha3 = peewee.CharField(max_length=3, default="")
    iso_numeric = peewee.CharField(max_length=3, default="")
    phone_code = peewee.CharField(max_length=20, default="")

    class Meta:
        table_name = "master_country"


class State(BaseMaster):
    # The links above the direct parent are nullable only so that migration 5 could add them to
    # existing rows; the use cases always fill them (EntitySpec.upper_links).
    continent_id = peewee.ForeignKeyField(Continent, field="unique_id", null=True, on_delete="RESTRICT",
                                          column_name="continent_id", backref="states")
    country_id = peewee.ForeignKeyField(Country, field="unique_id", on_delete="RESTRICT",
                                        column_name="country_id", backref="states")
    subdivision_code = peewee.CharField(max_length=10, default="")

    class Meta:
        table_name = "master_state"


class District(BaseMaster):
    continent_id = peewee.ForeignKeyField(Continent, field="unique_id", null=True, on_delete="RESTRICT",
                                          column_name="continent_id", backref="districts")
    country_id = peewee.ForeignKeyField(Country, field="unique_id", null=True, on_delete="RESTRICT",
                                        column_name="country_id", backref="districts")
    state_id = peewee.ForeignKeyField(State, field="unique_id", on_delete="RESTRICT",
                                      column_name="state_id", backref="districts")

    class Meta:
        table_name = "master_district"


class City(BaseMaster):
    continent_id = peewee.ForeignKeyField(Continent, field="unique_id", on_delete="RESTRICT",
                                          column_name="continent_id", backref="cities")
    country_id = peewee.ForeignKeyField(Country, field="unique_id", on_delete="RESTRICT",
                                        column_name="country_id", backref="cities")
    state_id = peewee.ForeignKeyField(State, field="unique_id", on_delete="RESTRICT",
                                      column_name="state_id", backref="cities")
    district_id = peewee.ForeignKeyField(District, field="unique_id", on_delete="RESTRICT",
                                         column_name="district_id", backref="cities")

    class Meta:
        table_name = "master_city"


class Zone(BaseMaster):
    city_id = peewee.ForeignKeyField(City, field="unique_id", null=True, on_delete="RESTRICT",
                                     column_name="city_id", backref="zones")

    class Meta:
        table_name = "master_zone"


class Ward(BaseMaster):
    zone_id = peewee.ForeignKeyField(Zone, field="unique_id", null=True, on_delete="RESTRICT",
                                     column_name="zone_id", backref="wards")

    class Meta:
        table_name = "master_ward"


class Plant(BaseMaster):
    city_id = peewee.ForeignKeyField(City, field="unique_id", null=True, on_delete="RESTRICT",
                                     column_name="city_id", backref="plants")
    address = peewee.TextField(default="")
    latitude = peewee.DoubleField(null=True)
    longitude = peewee.DoubleField(null=True)

    class Meta:
        table_name = "master_plant"


class Site(BaseMaster):
    plant_id = peewee.ForeignKeyField(Plant, field="unique_id", null=True, on_delete="RESTRICT",
                                      column_name="plant_id", backref="sites")

    class Meta:
        table_name = "master_site"


class EquipmentType(BaseMaster):
    category = peewee.CharField(max_length=100, default="")

    class Meta:
        table_name = "master_equipment_type"


MODELS = {
    "continent": Continent, "country": Country, "state": State, "district": District, "city": City,
    "plant": Plant, "site": Site, "ward": Ward, "zone": Zone, "equipment_type": EquipmentType,
}
# Create order respects foreign keys.
ALL_MODELS = [Continent, Country, State, District, City, Zone, Ward, Plant, Site, EquipmentType]


class ChangeSequence(peewee.Model):
    """One row holding the last change cursor handed out.

    Incrementing it takes a row lock held until commit, so cursors are assigned in commit order:
    a watcher that has seen cursor N can never later find a committed change below N.
    """

    id = peewee.IntegerField(primary_key=True)
    last = peewee.BigIntegerField(default=0)

    class Meta:
        database = database
        table_name = "master_change_sequence"


class Change(peewee.Model):
    """The durable outbox of the change feed, written in the same transaction as the change."""

    cursor = peewee.BigIntegerField(primary_key=True)
    kind = peewee.CharField(max_length=16)
    entity = peewee.CharField(max_length=40)
    unique_id = peewee.CharField(max_length=40)
    etag = peewee.CharField(max_length=40)
    actor = peewee.CharField(max_length=150, default="")
    created_at = MicrosecondDateTimeField(default=utcnow)

    class Meta:
        database = database
        table_name = "master_change"
        indexes = ((("entity", "cursor"), False),)
