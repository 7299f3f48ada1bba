import datetime

from erp.options.v1 import options_pb2 as _options_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Continent(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ListContinentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class ListContinentsResponse(_message.Message):
    __slots__ = ("continents", "next_page_token", "total_size")
    CONTINENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    continents: _containers.RepeatedCompositeFieldContainer[Continent]
    next_page_token: str
    total_size: int
    def __init__(self, continents: _Optional[_Iterable[_Union[Continent, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetContinentRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateContinentRequest(_message.Message):
    __slots__ = ("continent",)
    CONTINENT_FIELD_NUMBER: _ClassVar[int]
    continent: Continent
    def __init__(self, continent: _Optional[_Union[Continent, _Mapping]] = ...) -> None: ...

class ReplaceContinentRequest(_message.Message):
    __slots__ = ("continent",)
    CONTINENT_FIELD_NUMBER: _ClassVar[int]
    continent: Continent
    def __init__(self, continent: _Optional[_Union[Continent, _Mapping]] = ...) -> None: ...

class UpdateContinentRequest(_message.Message):
    __slots__ = ("continent", "update_mask")
    CONTINENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    continent: Continent
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, continent: _Optional[_Union[Continent, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteContinentRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteContinentRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportContinentsRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class Country(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "continent_id", "iso_alpha2", "iso_alpha3", "iso_numeric", "phone_code")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CONTINENT_ID_FIELD_NUMBER: _ClassVar[int]
    ISO_ALPHA2_FIELD_NUMBER: _ClassVar[int]
    ISO_ALPHA3_FIELD_NUMBER: _ClassVar[int]
    ISO_NUMERIC_FIELD_NUMBER: _ClassVar[int]
    PHONE_CODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    continent_id: str
    iso_alpha2: str
    iso_alpha3: str
    iso_numeric: str
    phone_code: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., continent_id: _Optional[str] = ..., iso_alpha2: _Optional[str] = ..., iso_alpha3: _Optional[str] = ..., iso_numeric: _Optional[str] = ..., phone_code: _Optional[str] = ...) -> None: ...

class ListCountriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active", "continent_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CONTINENT_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    continent_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ..., continent_id: _Optional[str] = ...) -> None: ...

class ListCountriesResponse(_message.Message):
    __slots__ = ("countries", "next_page_token", "total_size")
    COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    countries: _containers.RepeatedCompositeFieldContainer[Country]
    next_page_token: str
    total_size: int
    def __init__(self, countries: _Optional[_Iterable[_Union[Country, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetCountryRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateCountryRequest(_message.Message):
    __slots__ = ("country",)
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    country: Country
    def __init__(self, country: _Optional[_Union[Country, _Mapping]] = ...) -> None: ...

class ReplaceCountryRequest(_message.Message):
    __slots__ = ("country",)
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    country: Country
    def __init__(self, country: _Optional[_Union[Country, _Mapping]] = ...) -> None: ...

class UpdateCountryRequest(_message.Message):
    __slots__ = ("country", "update_mask")
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    country: Country
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, country: _Optional[_Union[Country, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteCountryRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteCountryRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportCountriesRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class State(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "country_id", "subdivision_code", "continent_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_ID_FIELD_NUMBER: _ClassVar[int]
    SUBDIVISION_CODE_FIELD_NUMBER: _ClassVar[int]
    CONTINENT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    country_id: str
    subdivision_code: str
    continent_id: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., country_id: _Optional[str] = ..., subdivision_code: _Optional[str] = ..., continent_id: _Optional[str] = ...) -> None: ...

class ListStatesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active", "country_id", "continent_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_ID_FIELD_NUMBER: _ClassVar[int]
    CONTINENT_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    country_id: str
    continent_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ..., country_id: _Optional[str] = ..., continent_id: _Optional[str] = ...) -> None: ...

class ListStatesResponse(_message.Message):
    __slots__ = ("states", "next_page_token", "total_size")
    STATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedCompositeFieldContainer[State]
    next_page_token: str
    total_size: int
    def __init__(self, states: _Optional[_Iterable[_Union[State, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetStateRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateStateRequest(_message.Message):
    __slots__ = ("state",)
    STATE_FIELD_NUMBER: _ClassVar[int]
    state: State
    def __init__(self, state: _Optional[_Union[State, _Mapping]] = ...) -> None: ...

class ReplaceStateRequest(_message.Message):
    __slots__ = ("state",)
    STATE_FIELD_NUMBER: _ClassVar[int]
    state: State
    def __init__(self, state: _Optional[_Union[State, _Mapping]] = ...) -> None: ...

class UpdateStateRequest(_message.Message):
    __slots__ = ("state", "update_mask")
    STATE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    state: State
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, state: _Optional[_Union[State, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteStateRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteStateRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportStatesRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class District(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "state_id", "continent_id", "country_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    STATE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTINENT_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    state_id: str
    continent_id: str
    country_id: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., state_id: _Optional[str] = ..., continent_id: _Optional[str] = ..., country_id: _Optional[str] = ...) -> None: ...

class ListDistrictsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active", "state_id", "continent_id", "country_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    STATE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTINENT_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    state_id: str
    continent_id: str
    country_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ..., state_id: _Optional[str] = ..., continent_id: _Optional[str] = ..., country_id: _Optional[str] = ...) -> None: ...

class ListDistrictsResponse(_message.Message):
    __slots__ = ("districts", "next_page_token", "total_size")
    DISTRICTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    districts: _containers.RepeatedCompositeFieldContainer[District]
    next_page_token: str
    total_size: int
    def __init__(self, districts: _Optional[_Iterable[_Union[District, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetDistrictRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateDistrictRequest(_message.Message):
    __slots__ = ("district",)
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    district: District
    def __init__(self, district: _Optional[_Union[District, _Mapping]] = ...) -> None: ...

class ReplaceDistrictRequest(_message.Message):
    __slots__ = ("district",)
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    district: District
    def __init__(self, district: _Optional[_Union[District, _Mapping]] = ...) -> None: ...

class UpdateDistrictRequest(_message.Message):
    __slots__ = ("district", "update_mask")
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    district: District
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, district: _Optional[_Union[District, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteDistrictRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteDistrictRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportDistrictsRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class City(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "continent_id", "country_id", "state_id", "district_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CONTINENT_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_ID_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    continent_id: str
    country_id: str
    state_id: str
    district_id: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., continent_id: _Optional[str] = ..., country_id: _Optional[str] = ..., state_id: _Optional[str] = ..., district_id: _Optional[str] = ...) -> None: ...

class ListCitiesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active", "continent_id", "country_id", "state_id", "district_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CONTINENT_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_ID_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    continent_id: str
    country_id: str
    state_id: str
    district_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ..., continent_id: _Optional[str] = ..., country_id: _Optional[str] = ..., state_id: _Optional[str] = ..., district_id: _Optional[str] = ...) -> None: ...

class ListCitiesResponse(_message.Message):
    __slots__ = ("cities", "next_page_token", "total_size")
    CITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    cities: _containers.RepeatedCompositeFieldContainer[City]
    next_page_token: str
    total_size: int
    def __init__(self, cities: _Optional[_Iterable[_Union[City, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetCityRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateCityRequest(_message.Message):
    __slots__ = ("city",)
    CITY_FIELD_NUMBER: _ClassVar[int]
    city: City
    def __init__(self, city: _Optional[_Union[City, _Mapping]] = ...) -> None: ...

class ReplaceCityRequest(_message.Message):
    __slots__ = ("city",)
    CITY_FIELD_NUMBER: _ClassVar[int]
    city: City
    def __init__(self, city: _Optional[_Union[City, _Mapping]] = ...) -> None: ...

class UpdateCityRequest(_message.Message):
    __slots__ = ("city", "update_mask")
    CITY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    city: City
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, city: _Optional[_Union[City, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteCityRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteCityRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportCitiesRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class Plant(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "city_id", "address", "latitude", "longitude")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CITY_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    city_id: str
    address: str
    latitude: float
    longitude: float
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., city_id: _Optional[str] = ..., address: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ...) -> None: ...

class ListPlantsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active", "city_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CITY_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    city_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ..., city_id: _Optional[str] = ...) -> None: ...

class ListPlantsResponse(_message.Message):
    __slots__ = ("plants", "next_page_token", "total_size")
    PLANTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    plants: _containers.RepeatedCompositeFieldContainer[Plant]
    next_page_token: str
    total_size: int
    def __init__(self, plants: _Optional[_Iterable[_Union[Plant, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetPlantRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreatePlantRequest(_message.Message):
    __slots__ = ("plant",)
    PLANT_FIELD_NUMBER: _ClassVar[int]
    plant: Plant
    def __init__(self, plant: _Optional[_Union[Plant, _Mapping]] = ...) -> None: ...

class ReplacePlantRequest(_message.Message):
    __slots__ = ("plant",)
    PLANT_FIELD_NUMBER: _ClassVar[int]
    plant: Plant
    def __init__(self, plant: _Optional[_Union[Plant, _Mapping]] = ...) -> None: ...

class UpdatePlantRequest(_message.Message):
    __slots__ = ("plant", "update_mask")
    PLANT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    plant: Plant
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, plant: _Optional[_Union[Plant, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeletePlantRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeletePlantRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportPlantsRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class Site(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "plant_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    PLANT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    plant_id: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., plant_id: _Optional[str] = ...) -> None: ...

class ListSitesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active", "plant_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    PLANT_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    plant_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ..., plant_id: _Optional[str] = ...) -> None: ...

class ListSitesResponse(_message.Message):
    __slots__ = ("sites", "next_page_token", "total_size")
    SITES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    sites: _containers.RepeatedCompositeFieldContainer[Site]
    next_page_token: str
    total_size: int
    def __init__(self, sites: _Optional[_Iterable[_Union[Site, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetSiteRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateSiteRequest(_message.Message):
    __slots__ = ("site",)
    SITE_FIELD_NUMBER: _ClassVar[int]
    site: Site
    def __init__(self, site: _Optional[_Union[Site, _Mapping]] = ...) -> None: ...

class ReplaceSiteRequest(_message.Message):
    __slots__ = ("site",)
    SITE_FIELD_NUMBER: _ClassVar[int]
    site: Site
    def __init__(self, site: _Optional[_Union[Site, _Mapping]] = ...) -> None: ...

class UpdateSiteRequest(_message.Message):
    __slots__ = ("site", "update_mask")
    SITE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    site: Site
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, site: _Optional[_Union[Site, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteSiteRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteSiteRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportSitesRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class Ward(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "zone_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    zone_id: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., zone_id: _Optional[str] = ...) -> None: ...

class ListWardsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active", "zone_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    zone_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ..., zone_id: _Optional[str] = ...) -> None: ...

class ListWardsResponse(_message.Message):
    __slots__ = ("wards", "next_page_token", "total_size")
    WARDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    wards: _containers.RepeatedCompositeFieldContainer[Ward]
    next_page_token: str
    total_size: int
    def __init__(self, wards: _Optional[_Iterable[_Union[Ward, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetWardRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateWardRequest(_message.Message):
    __slots__ = ("ward",)
    WARD_FIELD_NUMBER: _ClassVar[int]
    ward: Ward
    def __init__(self, ward: _Optional[_Union[Ward, _Mapping]] = ...) -> None: ...

class ReplaceWardRequest(_message.Message):
    __slots__ = ("ward",)
    WARD_FIELD_NUMBER: _ClassVar[int]
    ward: Ward
    def __init__(self, ward: _Optional[_Union[Ward, _Mapping]] = ...) -> None: ...

class UpdateWardRequest(_message.Message):
    __slots__ = ("ward", "update_mask")
    WARD_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    ward: Ward
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, ward: _Optional[_Union[Ward, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteWardRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteWardRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportWardsRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class Zone(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "city_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CITY_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    city_id: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., city_id: _Optional[str] = ...) -> None: ...

class ListZonesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active", "city_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CITY_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    city_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ..., city_id: _Optional[str] = ...) -> None: ...

class ListZonesResponse(_message.Message):
    __slots__ = ("zones", "next_page_token", "total_size")
    ZONES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    zones: _containers.RepeatedCompositeFieldContainer[Zone]
    next_page_token: str
    total_size: int
    def __init__(self, zones: _Optional[_Iterable[_Union[Zone, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetZoneRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateZoneRequest(_message.Message):
    __slots__ = ("zone",)
    ZONE_FIELD_NUMBER: _ClassVar[int]
    zone: Zone
    def __init__(self, zone: _Optional[_Union[Zone, _Mapping]] = ...) -> None: ...

class ReplaceZoneRequest(_message.Message):
    __slots__ = ("zone",)
    ZONE_FIELD_NUMBER: _ClassVar[int]
    zone: Zone
    def __init__(self, zone: _Optional[_Union[Zone, _Mapping]] = ...) -> None: ...

class UpdateZoneRequest(_message.Message):
    __slots__ = ("zone", "update_mask")
    ZONE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    zone: Zone
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, zone: _Optional[_Union[Zone, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteZoneRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteZoneRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportZonesRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class EquipmentType(_message.Message):
    __slots__ = ("id", "unique_id", "name", "code", "description", "is_active", "is_deleted", "created_at", "updated_at", "created_by", "updated_by", "etag", "category")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    name: str
    code: str
    description: str
    is_active: bool
    is_deleted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_by: str
    etag: str
    category: str
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_deleted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., etag: _Optional[str] = ..., category: _Optional[str] = ...) -> None: ...

class ListEquipmentTypesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by", "show_deleted", "search", "ordering", "is_active")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    show_deleted: bool
    search: str
    ordering: str
    is_active: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ..., show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., ordering: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class ListEquipmentTypesResponse(_message.Message):
    __slots__ = ("equipment_types", "next_page_token", "total_size")
    EQUIPMENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    equipment_types: _containers.RepeatedCompositeFieldContainer[EquipmentType]
    next_page_token: str
    total_size: int
    def __init__(self, equipment_types: _Optional[_Iterable[_Union[EquipmentType, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetEquipmentTypeRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateEquipmentTypeRequest(_message.Message):
    __slots__ = ("equipment_type",)
    EQUIPMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    equipment_type: EquipmentType
    def __init__(self, equipment_type: _Optional[_Union[EquipmentType, _Mapping]] = ...) -> None: ...

class ReplaceEquipmentTypeRequest(_message.Message):
    __slots__ = ("equipment_type",)
    EQUIPMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    equipment_type: EquipmentType
    def __init__(self, equipment_type: _Optional[_Union[EquipmentType, _Mapping]] = ...) -> None: ...

class UpdateEquipmentTypeRequest(_message.Message):
    __slots__ = ("equipment_type", "update_mask")
    EQUIPMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    equipment_type: EquipmentType
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, equipment_type: _Optional[_Union[EquipmentType, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteEquipmentTypeRequest(_message.Message):
    __slots__ = ("id", "etag", "hard_delete")
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    HARD_DELETE_FIELD_NUMBER: _ClassVar[int]
    id: str
    etag: str
    hard_delete: bool
    def __init__(self, id: _Optional[str] = ..., etag: _Optional[str] = ..., hard_delete: _Optional[bool] = ...) -> None: ...

class UndeleteEquipmentTypeRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ExportEquipmentTypesRequest(_message.Message):
    __slots__ = ("show_deleted", "search", "is_active")
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    show_deleted: bool
    search: str
    is_active: bool
    def __init__(self, show_deleted: _Optional[bool] = ..., search: _Optional[str] = ..., is_active: _Optional[bool] = ...) -> None: ...

class Change(_message.Message):
    __slots__ = ("cursor", "kind", "entity", "id", "etag", "actor", "change_time")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Change.Kind]
        KIND_CREATED: _ClassVar[Change.Kind]
        KIND_UPDATED: _ClassVar[Change.Kind]
        KIND_DELETED: _ClassVar[Change.Kind]
        KIND_UNDELETED: _ClassVar[Change.Kind]
    KIND_UNSPECIFIED: Change.Kind
    KIND_CREATED: Change.Kind
    KIND_UPDATED: Change.Kind
    KIND_DELETED: Change.Kind
    KIND_UNDELETED: Change.Kind
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    cursor: int
    kind: Change.Kind
    entity: str
    id: str
    etag: str
    actor: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, cursor: _Optional[int] = ..., kind: _Optional[_Union[Change.Kind, str]] = ..., entity: _Optional[str] = ..., id: _Optional[str] = ..., etag: _Optional[str] = ..., actor: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WatchChangesRequest(_message.Message):
    __slots__ = ("cursor", "entities", "max_changes")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    MAX_CHANGES_FIELD_NUMBER: _ClassVar[int]
    cursor: int
    entities: _containers.RepeatedScalarFieldContainer[str]
    max_changes: int
    def __init__(self, cursor: _Optional[int] = ..., entities: _Optional[_Iterable[str]] = ..., max_changes: _Optional[int] = ...) -> None: ...

class WatchChangesResponse(_message.Message):
    __slots__ = ("change", "heartbeat_time")
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_TIME_FIELD_NUMBER: _ClassVar[int]
    change: Change
    heartbeat_time: _timestamp_pb2.Timestamp
    def __init__(self, change: _Optional[_Union[Change, _Mapping]] = ..., heartbeat_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
