"""One servicer per master entity, built from domain.entities: protobuf <-> use cases.

The ten services have the same eight RPCs, so their methods are generated from the entity specs
instead of being written ten times; each reads like the proto comment of its RPC. Every write
wakes the change-feed watchers of this process, and of its sibling workers, once it has committed.
"""
from __future__ import annotations

import csv
import datetime
import io

from google.api import httpbody_pb2

from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from erp_common import workers
from erp_common.server import require_principal
from master_svc.api.convert import all_values, masked_values, to_message
from master_svc.api.feed import ChangeFeedServicer, ChangeSignal
from master_svc.api.list_cache import ListCache, VersionReads
from master_svc.domain.csv_cells import neutralise
from master_svc.domain.entities import ENTITIES, EntitySpec, csv_columns
from master_svc.domain.listing import ListQuery
from master_svc.usecases import UseCases


def _cell(value) -> object:
    """A CSV cell of an export: text neutralised against formula injection (domain/csv_cells.py)."""
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


class Responses:
    """Read responses cached per master-data version (list_cache.py), shared by the servicers."""

    def __init__(self, usecases: UseCases):
        self._usecases = usecases
        self._versions = VersionReads(lambda: usecases.call(usecases.changes.last_cursor),
                                      usecases.refuse_unless_closed)
        self.lists = ListCache()
        self.rows = ListCache(max_entries=4096)

    async def get(self, cache: ListCache, key, load):
        """The response for `key` at the current version: from `cache` without leaving the event
        loop, else `load()` in a worker thread."""
        version = await self._versions.current()
        hit = cache.get(key, version)
        if hit is None:
            hit = await self._usecases.call(load)
            cache.put(key, version, hit)
        return hit


def build_servicer(spec: EntitySpec, usecases: UseCases, signal: ChangeSignal, responses: Responses):
    masters = usecases.masters
    message = getattr(pb, spec.message)
    base = getattr(pb_grpc, f"{spec.message}ServiceServicer")
    list_response = getattr(pb, f"List{spec.plural}Response")
    plural_field = list_response.DESCRIPTOR.fields_by_number[1].name
    singular = getattr(pb, f"Create{spec.message}Request").DESCRIPTOR.fields_by_number[1].name

    def msg(row):
        return to_message(spec, message, row)

    def query(request) -> ListQuery:
        return ListQuery(page_size=request.page_size, page_token=request.page_token, ordering=request.ordering,
                         order_by=request.order_by, filter=request.filter, search=request.search,
                         is_active=request.is_active if request.HasField("is_active") else None,
                         show_deleted=request.show_deleted,
                         parents=tuple((p.field, getattr(request, p.field).strip()) for p in spec.parents))

    async def write(fn, *args):
        row = await usecases.call(fn, spec, *args)
        signal.notify()
        workers.notify_siblings()
        return msg(row)

    def load_page(request):
        rows, token, total = masters.list(spec, query(request))
        return list_response(**{plural_field: [msg(r) for r in rows]}, next_page_token=token, total_size=total)

    async def list_rows(self, request, context):
        # The same page for every caller allowed to read it.
        key = (spec.name, request.SerializeToString(deterministic=True))
        return await responses.get(responses.lists, key, lambda: load_page(request))

    async def export_rows(self, request, context):
        columns = csv_columns(spec)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        token = ""  # nosec B105 # a page token
        while True:
            q = ListQuery(page_size=1000, page_token=token, search=request.search, show_deleted=request.show_deleted,
                          is_active=request.is_active if request.HasField("is_active") else None)
            rows, token, _ = await usecases.call(masters.list, spec, q)
            for r in rows:
                writer.writerow([_cell(r.get(c)) for c in columns])
            if not token:
                break
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        await context.send_initial_metadata(
            (("content-disposition", f'attachment; filename="{spec.collection}-{today}.csv"'),))
        return httpbody_pb2.HttpBody(content_type="text/csv; charset=utf-8", data=out.getvalue().encode())

    async def get_row(self, request, context):
        row_id = request.id.strip()
        return await responses.get(responses.rows, (spec.name, row_id), lambda: msg(masters.get(spec, row_id)))

    async def create_row(self, request, context):
        principal = require_principal()
        return await write(masters.create, all_values(spec, getattr(request, singular)), principal.username)

    async def replace_row(self, request, context):
        principal = require_principal()
        body = getattr(request, singular)
        return await write(masters.update, body.id.strip(), all_values(spec, body), body.etag, principal.username)

    async def update_row(self, request, context):
        principal = require_principal()
        body = getattr(request, singular)
        values = masked_values(spec, body, list(request.update_mask.paths))
        return await write(masters.update, body.id.strip(), values, body.etag, principal.username)

    async def delete_row(self, request, context):
        principal = require_principal()
        return await write(masters.delete, request.id.strip(), request.etag, request.hard_delete, principal.username)

    async def undelete_row(self, request, context):
        principal = require_principal()
        return await write(masters.undelete, request.id.strip(), principal.username)

    methods = {
        f"List{spec.plural}": list_rows, f"Export{spec.plural}": export_rows, f"Get{spec.message}": get_row,
        f"Create{spec.message}": create_row, f"Replace{spec.message}": replace_row,
        f"Update{spec.message}": update_row, f"Delete{spec.message}": delete_row,
        f"Undelete{spec.message}": undelete_row,
    }
    return type(f"{spec.message}Servicer", (base,), methods)()


def register_all(server, usecases: UseCases, heartbeat_seconds: float) -> list[str]:
    signal, responses = ChangeSignal(), Responses(usecases)
    workers.on_sibling_signal(signal.notify)  # a sibling worker's write wakes this worker's watchers
    names = []
    for spec in ENTITIES:
        add = getattr(pb_grpc, f"add_{spec.message}ServiceServicer_to_server")
        add(build_servicer(spec, usecases, signal, responses), server)
        names.append(pb.DESCRIPTOR.services_by_name[f"{spec.message}Service"].full_name)
    pb_grpc.add_ChangeFeedServiceServicer_to_server(ChangeFeedServicer(usecases, signal, heartbeat_seconds), server)
    names.append(pb.DESCRIPTOR.services_by_name["ChangeFeedService"].full_name)
    return names
