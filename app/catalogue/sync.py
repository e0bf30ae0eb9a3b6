"""Store catalogue items as immutable versions in the database, and read them back."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_

from app.catalogue import catalogue
from app.catalogue.loader import ITEM_ADAPTER, CatalogueItem
from app.catalogue.schema import ChoiceItem, SelfRatingItem
from app.extensions import db
from app.models import ItemVersion
from app.upsert import insert_ignore


def ensure_versions(items: Iterable[CatalogueItem]) -> dict[str, int]:
    """Make sure each item's current content is stored; return item id -> version id.

    Idempotent and safe under concurrency: inserts skip rows that already exist.
    """
    items = list(items)
    if not items:
        return {}
    rows = [
        {
            "item_id": it.id,
            "content_hash": it.content_hash,
            "skill_id": it.skill_id,
            "kind": it.kind,
            "content": it.content.model_dump(mode="json"),
        }
        for it in items
    ]
    keys = [(it.id, it.content_hash) for it in items]
    found = _lookup(keys)
    # Sorted, so that concurrent starts take the unique index's locks in the same order and
    # cannot deadlock when their (randomly sampled) item sets overlap.
    missing = sorted(
        (row for row in rows if (row["item_id"], row["content_hash"]) not in found),
        key=lambda row: (row["item_id"], row["content_hash"]),
    )
    if missing:
        db.session.execute(insert_ignore(ItemVersion, ("item_id", "content_hash")), missing)
        found = _lookup(keys)
    return {item_id: found[(item_id, h)] for item_id, h in keys}


def stored_versions(items: Iterable[CatalogueItem]) -> dict[str, int]:
    """Item id -> id of its current version, for the items whose current content is stored."""
    keys = [(it.id, it.content_hash) for it in items]
    return (
        {item_id: version_id for (item_id, _), version_id in _lookup(keys).items()} if keys else {}
    )


def _lookup(keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    stmt = select(ItemVersion.item_id, ItemVersion.content_hash, ItemVersion.id).where(
        tuple_(ItemVersion.item_id, ItemVersion.content_hash).in_(keys)
    )
    return {(r.item_id, r.content_hash): r.id for r in db.session.execute(stmt)}


def item_versions(
    versions: list[tuple[int, str, str]],
) -> dict[int, SelfRatingItem | ChoiceItem]:
    """Parsed items by version id: the catalogue's copy where the version is current, and one
    query for the content of any older versions (so the usual case reads no JSON at all)."""
    current = catalogue().items
    parsed: dict[int, SelfRatingItem | ChoiceItem] = {}
    old: list[int] = []
    for version_id, item_id, content_hash in versions:
        entry = current.get(item_id)
        if entry is not None and entry.content_hash == content_hash:
            parsed[version_id] = entry.content
        else:
            old.append(version_id)
    if old:
        for row in db.session.execute(
            select(ItemVersion.id, ItemVersion.content).where(ItemVersion.id.in_(old))
        ):
            parsed[row.id] = ITEM_ADAPTER.validate_python(row.content)
    return parsed
