"""One servicer per master entity, built from domain.entities: protobuf <-> repository.

The ten services have the same eight RPCs, so their methods are generated from the entity specs
instead of being written ten times; each reads like the proto comment of its RPC.
"""
from __future__ import annotations

import asyncio
import csv
import io

from google.api import httpbody_pb2

from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from erp_common.server import require_permission
from master_svc.api.convert import all_values, masked_values, to_message
from master_svc.domain.entities import ENTITIES, EntitySpec
from master_svc.storage.repository import ListQuery, MasterRepository

CSV_COLUMNS = ("id", "name", "code", "description", "is_active", "is_deleted")


def _run(repo: MasterRepository, fn, *args):
    def work():
        with repo.db.connection_context():
            return fn(*args)
    return asyncio.to_thread(work)


def build_servicer(spec: EntitySpec, repo: MasterRepository):
    message = getattr(pb, spec.message)
    base = getattr(pb_grpc, f"{spec.message}ServiceServicer")
    list_response = getattr(pb, f"List{spec.plural}Response")
    plural_field = list_response.DESCRIPTOR.fields_by_number[1].name
    singular = getattr(pb, f"Create{spec.message}Request").DESCRIPTOR.fields_by_number[1].name

    def msg(row):
        return to_message(spec, message, row)

    def query(request) -> ListQuery:
        ordering = request.ordering
        if not ordering and request.order_by:
            field, _, direction = request.order_by.strip().partition(" ")
            ordering = ("-" if direction.strip().lower() == "desc" else "") + field
        return ListQuery(page_size=request.page_size, page_token=request.page_token, ordering=ordering,
                         search=request.search, is_active=request.is_active if request.HasField("is_active") else None,
                         show_deleted=request.show_deleted,
                         parents=tuple((p.field, getattr(request, p.field)) for p in spec.parents))

    async def list_rows(self, request, context):
        require_permission(spec.permission("read"))
        rows, token, total = await _run(repo, repo.list, spec, query(request))
        return list_response(**{plural_field: [msg(r) for r in rows]}, next_page_token=token, total_size=total)

    async def export_rows(self, request, context):
        require_permission(spec.permission("read"))
        columns = CSV_COLUMNS + tuple(p.field for p in spec.parents) + spec.extra + ("created_at", "updated_at")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        token = ""
        while True:
            q = ListQuery(page_size=1000, page_token=token, search=request.search, show_deleted=request.show_deleted,
                          is_active=request.is_active if request.HasField("is_active") else None)
            rows, token, _ = await _run(repo, repo.list, spec, q)
            for r in rows:
                writer.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
            if not token:
                break
        return httpbody_pb2.HttpBody(content_type="text/csv; charset=utf-8", data=out.getvalue().encode())

    async def get_row(self, request, context):
        require_permission(spec.permission("read"))
        return msg(await _run(repo, repo.get, spec, request.id.strip()))

    async def create_row(self, request, context):
        principal = require_permission(spec.permission("create"))
        values = all_values(spec, getattr(request, singular))
        return msg(await _run(repo, repo.create, spec, values, principal.username))

    async def replace_row(self, request, context):
        principal = require_permission(spec.permission("update"))
        body = getattr(request, singular)
        values = all_values(spec, body)
        return msg(await _run(repo, repo.update, spec, body.id.strip(), values, body.etag, principal.username))

    async def update_row(self, request, context):
        principal = require_permission(spec.permission("update"))
        body = getattr(request, singular)
        values = masked_values(spec, body, list(request.update_mask.paths))
        return msg(await _run(repo, repo.update, spec, body.id.strip(), values, body.etag, principal.username))

    async def delete_row(self, request, context):
        principal = require_permission(spec.permission("delete"))
        return msg(await _run(repo, repo.delete, spec, request.id.strip(), request.etag, request.hard_delete,
                              principal.username))

    async def undelete_row(self, request, context):
        principal = require_permission(spec.permission("delete"))
        return msg(await _run(repo, repo.undelete, spec, request.id.strip(), principal.username))

    methods = {
        f"List{spec.plural}": list_rows, f"Export{spec.plural}": export_rows, f"Get{spec.message}": get_row,
        f"Create{spec.message}": create_row, f"Replace{spec.message}": replace_row,
        f"Update{spec.message}": update_row, f"Delete{spec.message}": delete_row,
        f"Undelete{spec.message}": undelete_row,
    }
    return type(f"{spec.message}Servicer", (base,), methods)()


def register_all(server, repo: MasterRepository) -> list[str]:
    names = []
    for spec in ENTITIES:
        add = getattr(pb_grpc, f"add_{spec.message}ServiceServicer_to_server")
        add(build_servicer(spec, repo), server)
        names.append(pb.DESCRIPTOR.services_by_name[f"{spec.message}Service"].full_name)
    return names
