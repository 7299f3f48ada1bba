"""The flow of tests/e2e/test_openapi_consumers.py through the client openapi-python-client generates
from gen/openapi/erp.openapi.json (the `erp_rest_client` package, on PYTHONPATH):

    python tests/e2e/rest_client_flow.py <edge base URL> <username> <password>

Prints one JSON line with what it saw; any deviation raises."""
from __future__ import annotations

import json
import sys
import uuid

from erp_rest_client import AuthenticatedClient, Client
from erp_rest_client.api.auth_service import auth_service_login
from erp_rest_client.api.city_service import (
    city_service_create_city,
    city_service_delete_city,
    city_service_get_city,
    city_service_list_cities,
    city_service_update_city,
)
from erp_rest_client.api.change_feed_service import change_feed_service_watch_changes
from erp_rest_client.api.continent_service import continent_service_create_continent
from erp_rest_client.api.country_service import country_service_create_country
from erp_rest_client.api.district_service import district_service_create_district
from erp_rest_client.api.state_service import state_service_create_state
from erp_rest_client.models import (
    City,
    CityPatch,
    Continent,
    Country,
    District,
    LoginRequest,
    State,
    Status,
    WatchChangesResponse,
)
from erp_rest_client.types import UNSET


def created(response):
    assert response.status_code == 200 and not isinstance(response.parsed, Status), response.content
    return response.parsed


def error(response, code: int, status: str) -> Status:
    assert response.status_code == code and isinstance(response.parsed, Status), response.content
    assert response.parsed.code == code and response.parsed.status == status, response.parsed
    assert isinstance(response.parsed.message, str) and isinstance(response.parsed.details, list)
    return response.parsed


def main(base_url: str, username: str, password: str) -> None:
    tag = uuid.uuid4().hex[:8]
    login = created(auth_service_login.sync_detailed(
        client=Client(base_url=base_url), body=LoginRequest(username=username, password=password)))
    client = AuthenticatedClient(base_url=base_url, token=login.access_token)

    # The five-level hierarchy: continent > country > state > district > city.
    continent = created(continent_service_create_continent.sync_detailed(
        client=client, body=Continent(name=f"py continent {tag}")))
    country = created(country_service_create_country.sync_detailed(
        client=client, body=Country(name=f"py country {tag}", continent_id=continent.id)))
    state = created(state_service_create_state.sync_detailed(
        client=client, body=State(name=f"py state {tag}", country_id=country.id)))
    district = created(district_service_create_district.sync_detailed(
        client=client, body=District(name=f"py district {tag}", state_id=state.id)))
    city_ids = [created(city_service_create_city.sync_detailed(
        client=client, body=City(name=f"py city {tag} {n}", district_id=district.id))).id for n in (1, 2, 3)]

    # Paging to the end: two rows a page, following next_page_token until it is empty.
    seen, pages, token = [], 0, UNSET
    while pages == 0 or token:
        page = created(city_service_list_cities.sync_detailed(
            client=client, district_id=district.id, page_size=2, page_token=token))
        assert page.total_size == 3, page
        seen += [city.id for city in page.cities]
        token, pages = page.next_page_token or UNSET, pages + 1
    assert sorted(seen) == sorted(city_ids) and pages == 2, (seen, pages)

    # Get, then PATCH with the row's etag and an update_mask.
    city = created(city_service_get_city.sync_detailed(city_ids[0], client=client))
    patched = created(city_service_update_city.sync_detailed(
        city.id, client=client, update_mask="name", body=CityPatch(name=f"py city {tag} renamed", etag=city.etag)))
    assert patched.name == f"py city {tag} renamed" and patched.district_id == district.id, patched
    assert patched.etag != city.etag

    # The stale etag is refused: 409 ABORTED, the edges' error object.
    error(city_service_update_city.sync_detailed(
        city.id, client=client, body=CityPatch(name=f"py city {tag} lost update", etag=city.etag)), 409, "ABORTED")

    # Error objects: an empty required name (400 with BadRequest details), an unknown id (404).
    invalid = error(city_service_create_city.sync_detailed(
        client=client, body=City(name="", district_id=district.id)), 400, "INVALID_ARGUMENT")
    assert any(str(d["@type"]).endswith("google.rpc.BadRequest") for d in invalid.to_dict()["details"]), invalid
    error(city_service_get_city.sync_detailed("no-such-city", client=client), 404, "NOT_FOUND")

    # Delete (soft): the row answers with is_deleted and leaves the list.
    deleted = created(city_service_delete_city.sync_detailed(city.id, client=client, etag=patched.etag))
    assert deleted.is_deleted, deleted
    after = created(city_service_list_cities.sync_detailed(client=client, district_id=district.id))
    assert after.total_size == 2, after
    # The change feed, a string of JSON lines (rest_client_config.yaml): the three creates, from
    # the cursor before them.
    feed = created(change_feed_service_watch_changes.sync_detailed(
        client=client, cursor="0", entities=["city"], max_changes=1))
    first = WatchChangesResponse.from_dict(json.loads(feed.splitlines()[0]))
    assert first.change.entity == "city" and first.change.cursor, feed
    after_first = created(change_feed_service_watch_changes.sync_detailed(
        client=client, cursor=str(int(first.change.cursor) - 1), entities=["city"], max_changes=2))
    assert [json.loads(line)["change"]["cursor"] for line in after_first.splitlines()][0] == first.change.cursor
    print(json.dumps({"ok": True, "pages": pages, "cities": len(seen), "deleted": city.id}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
