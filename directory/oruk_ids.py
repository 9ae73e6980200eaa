"""ORUK ids: what we publish is always a UUID; what we store may be readable text.

ORUK 3.0 types every ``id`` (and every ``*_id`` reference) as ``format: uuid``. Our own records
often have readable ids (the need ``father_friendly``, a centre ``darwen-family-hub``), and so
do many councils' files, so the store keeps whatever id a record came with. At the edge
(``/oruk`` and the JSON export) each stored id that is not already a UUID is published as
``uuid5(NAMESPACE, stored_id)``: the same record gets the same UUID in every export, and a UUID
stays as it is. A taxonomy term's readable id becomes its ``code`` (when it has none).

Import goes the other way (``restore_ids``): a UUID that is the published form of a stored id
is read as that stored id, so re-importing our own export updates the same services instead of
adding copies; a ``taxonomy_term_id`` that names a term by its ``code`` is read as that term.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any, Iterable

from directory.shape import TABLE_COLUMNS

#: Fixed for ever: changing it would change every published id.
NAMESPACE = uuid.UUID("6f1c3f1e-3a52-5d0e-9a8e-5e1d0b9a7c21")
_TERM_KEYS = frozenset({"taxonomy_term"})
_ID_TABLES = tuple(TABLE_COLUMNS) + ("taxonomy_term", "taxonomy")


def is_uuid(value: Any) -> bool:
    """True for text in the canonical 8-4-4-4-12 UUID form (any case)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def public_id(stored: str) -> str:
    """The UUID we publish for a stored id (the id itself when it already is a UUID)."""
    return stored.lower() if is_uuid(stored) else str(uuid.uuid5(NAMESPACE, stored))


def _is_id_key(key: str) -> bool:
    return key == "id" or key.endswith("_id")


def publish_term(term: dict) -> dict:
    """A taxonomy term as published: UUID ids, the readable stored id kept as ``code``."""
    out = publish(term)
    if term.get("id") and not term.get("code") and not is_uuid(term["id"]):
        out["code"] = term["id"]
    return out


def publish(obj: Any, key: str | None = None) -> Any:
    """A copy of ``obj`` with every ``id`` and ``*_id`` text value in its published UUID form."""
    if isinstance(obj, list):
        return [publish(item, key) for item in obj]
    if not isinstance(obj, dict):
        return obj
    if key in _TERM_KEYS:
        key = None
        return publish_term(obj)
    out = {}
    for k, v in obj.items():
        if isinstance(v, str) and _is_id_key(k) and v:
            out[k] = public_id(v)
        elif isinstance(v, (dict, list)):
            out[k] = publish(v, k)
        else:
            out[k] = v
    return out


def stored_by_public(conn: sqlite3.Connection, tables: Iterable[str] = _ID_TABLES) -> dict[str, str]:
    """Published UUID -> stored id, for every stored id that is not a UUID already."""
    found: dict[str, str] = {}
    for table in tables:
        try:
            rows = conn.execute(f"SELECT id FROM [{table}]")
        except sqlite3.OperationalError:  # a table this database does not have
            continue
        for (stored,) in rows:
            if isinstance(stored, str) and not is_uuid(stored):
                found[str(uuid.uuid5(NAMESPACE, stored))] = stored
    return found


def _uuids_in(obj: Any, out: set[str]) -> None:
    if isinstance(obj, list):
        for item in obj:
            _uuids_in(item, out)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, str) and _is_id_key(k) and is_uuid(v):
                out.add(v.lower())
            elif isinstance(v, (dict, list)):
                _uuids_in(v, out)


def _term_ids_in(obj: Any, out: set[str]) -> None:
    if isinstance(obj, list):
        for item in obj:
            _term_ids_in(item, out)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if k == "taxonomy_term_id" and isinstance(v, str):
                out.add(v)
            elif isinstance(v, (dict, list)):
                _term_ids_in(v, out)


def _replace(obj: Any, ids: dict[str, str], term_codes: dict[str, str]) -> Any:
    if isinstance(obj, list):
        return [_replace(item, ids, term_codes) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for k, v in obj.items():
        if isinstance(v, str) and _is_id_key(k):
            v = ids.get(v.lower(), v)
            if k == "taxonomy_term_id":
                v = term_codes.get(v, v)
            out[k] = v
        elif isinstance(v, (dict, list)):
            out[k] = _replace(v, ids, term_codes)
        else:
            out[k] = v
    return out


def restore_ids(conn: sqlite3.Connection, services: list) -> list:
    """Services with our published UUIDs read back as the stored ids they stand for, and
    ``taxonomy_term_id`` values that are a stored term's ``code`` read as that term's id.
    Anything else (a council's own UUIDs, readable ids) is left exactly as it came."""
    wanted: set[str] = set()
    _uuids_in(services, wanted)
    ids = {u: s for u, s in stored_by_public(conn).items() if u in wanted} if wanted else {}
    term_refs: set[str] = set()
    _term_ids_in(services, term_refs)
    term_codes: dict[str, str] = {}
    if term_refs:
        try:
            known = {r[0] for r in conn.execute("SELECT id FROM taxonomy_term")}
            codes = dict(conn.execute(
                "SELECT code, id FROM taxonomy_term WHERE code IS NOT NULL AND code != ''"))
        except sqlite3.OperationalError:
            known, codes = set(), {}
        term_codes = {ref: codes[ref] for ref in term_refs
                      if ref not in known and ref in codes and ids.get(ref.lower()) is None}
    if not ids and not term_codes:
        return services
    return [_replace(s, ids, term_codes) if isinstance(s, dict) else s for s in services]


def stored_term_id(conn: sqlite3.Connection, given: str) -> str:
    """The stored id of the term a filter names by published UUID, stored id or code."""
    if is_uuid(given):
        match = stored_by_public(conn, ("taxonomy_term",)).get(given.lower())
        if match:
            return match
    row = conn.execute("SELECT id FROM taxonomy_term WHERE id = ?", [given]).fetchone()
    if row:
        return row[0]
    row = conn.execute("SELECT id FROM taxonomy_term WHERE code = ?", [given]).fetchone()
    return row[0] if row else given


def stored_taxonomy_id(conn: sqlite3.Connection, given: str) -> str:
    """The stored id of the taxonomy a filter names by published UUID or stored id."""
    if is_uuid(given):
        match = stored_by_public(conn, ("taxonomy",)).get(given.lower())
        if match:
            return match
    return given
