"""Protobuf <-> row conversion: what a replace sends, and what an update mask selects."""
import pytest
from google.protobuf import field_mask_pb2

from erp.master.v1 import master_service_pb2 as pb
from erp_common.errors import InvalidArgument
from master_svc.api.convert import all_values, masked_values
from master_svc.domain.entities import BY_NAME

PLANT = BY_NAME["plant"]


def test_replace_sends_every_mutable_field_and_keeps_an_omitted_is_active():
    values = all_values(PLANT, pb.Plant(id="p1", name="Plant", etag='W/"3"', created_by="mallory"))
    assert values == {"name": "Plant", "code": "", "description": "", "city_id": "", "address": "",
                      "latitude": None, "longitude": None}


def test_mask_selects_only_its_paths_and_clears_masked_absent_fields():
    msg = pb.Plant(id="p1", name="New", code="C9", latitude=1.5)
    mask = field_mask_pb2.FieldMask(paths=["name", "longitude", "is_active"])
    assert masked_values(PLANT, msg, list(mask.paths)) == {"name": "New", "longitude": None, "is_active": False}


def test_without_a_mask_every_set_field_is_updated():
    assert masked_values(PLANT, pb.Plant(id="p1", code="C9", latitude=0.0, etag='W/"2"'), []) == {
        "code": "C9", "latitude": 0.0}


def test_output_only_paths_are_ignored_and_unknown_ones_rejected():
    msg = pb.Plant(id="p1", description="d", etag='W/"2"')
    assert masked_values(PLANT, msg, ["description", "etag", "id", "updated_by"]) == {"description": "d"}
    with pytest.raises(InvalidArgument) as err:
        masked_values(PLANT, msg, ["colour"])
    assert err.value.violations[0][0] == "update_mask"
