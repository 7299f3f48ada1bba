"""The query half of the listing kit (erp_common.listing): one keyset page of a peewee query."""
from __future__ import annotations

import peewee

from erp_common.listing import PageRequest, next_page_token


def keyset_page(query: peewee.ModelSelect, column: peewee.Field, pk: peewee.Field,
                page: PageRequest) -> tuple[list, str]:
    """One keyset page of `query` ordered by (`column`, `pk`), and the token of the next page.

    The token carries the last row's sort value and key, so rows inserted or deleted while a client
    pages neither shift nor repeat the rows that existed before. Rows are what `query` yields:
    model instances, or dicts for a `.dicts()` query."""
    if page.after is not None:
        value, last_id = page.after
        if page.descending:
            query = query.where((column < value) | ((column == value) & (pk < last_id)))
        else:
            query = query.where((column > value) | ((column == value) & (pk > last_id)))
    order = (column.desc(), pk.desc()) if page.descending else (column.asc(), pk.asc())
    rows = list(query.order_by(*order).limit(page.size + 1))
    if len(rows) <= page.size:
        return rows, ""
    rows = rows[:page.size]
    last = rows[-1]
    if isinstance(last, dict):
        return rows, next_page_token(page, last[column.name], last[pk.name])
    return rows, next_page_token(page, getattr(last, column.name), getattr(last, pk.name))


def counted_page(query: peewee.ModelSelect, column: peewee.Field, pk: peewee.Field,
                 page: PageRequest) -> tuple[list, str, int]:
    """`keyset_page` and the number of rows `query` matches: a first page that holds them all is its
    own count, so the count query runs only when there are more pages."""
    rows, token = keyset_page(query, column, pk, page)
    if page.after is None and not token:
        return rows, token, len(rows)
    return rows, token, query.count()
