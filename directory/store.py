"""Writing and reading whole ORUK services: the one place that knows how a nested service maps to rows.

A service arrives in the shape of ORUK 3.0 ``GET /services/{id}`` (nested organization,
``service_at_locations[].location`` with addresses, schedules, attributes with their taxonomy
terms, cost options, contacts, phones...). ``SERVICE`` below describes that tree once; saving,
reading, deleting and exporting all walk the same description (``directory/shape.py``), so they
cannot drift apart; ``directory/validation.py`` checks a service against it before it is saved.

Rules the tree follows:

- **Owned** records (schedules, contacts, phones, cost options, attributes, ...) belong to the
  object they are nested in. Saving a service deletes its old owned rows and writes the new ones.
- **Shared** records (organization, location, taxonomy term) are upserted by id: many services
  point at one centre. Saving a location also replaces the location's own owned rows (addresses,
  accessibility...). The last write wins.
- Terms in *our* taxonomy (``signpost-core-offer``) are never overwritten by an import: the
  taxonomy file is the one source of truth. Terms from other taxonomies are kept as imported.
- Back-references implied by nesting (``schedules[].service_id``, ``attributes[].link_id``,
  ``addresses[].location_id``, ...) are filled in from the nesting (validation refuses ones that
  disagree). They come back on read only if the imported object carried them, so an export
  matches its import. References to shared records (``organization_id``, ``location_id``,
  ``taxonomy_term_id``) are always written out, next to the nested object.
- Keys that are not ORUK columns are kept, verbatim, as JSON in the row's ``extra`` column, and
  come back on read. A list we know (``schedules``, ``phones``...) always comes back, empty or not.
- Schedules nested in a ``service_at_location`` also carry the service's id in
  ``schedule.service_id`` so a search can find every session of a service with one index.
- ``service_fts.rowid`` equals ``service.rowid``; ``terms`` holds each linked term's name and
  every phrase parents use for it (``taxonomy_term_phrase``), so "dads group" finds the service.
- A service with no Signpost need term gets its needs read from its own words
  (``inferred_need``, see ``directory/needs.py``) whenever its search text is rebuilt.

Every write runs in one SQLite transaction (``BEGIN IMMEDIATE``): a crash or a bad row leaves
the directory exactly as it was.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Collection, Iterable, Iterator, Mapping

import sqlite_utils

from directory.shape import (CONTENT_TABLES, LOCATION, ORGANIZATION, SERVICE, SERVICE_META_KEYS,
                             TABLE_COLUMNS, TAXONOMY_TERM, Link, Node, _chunks, existing_ids)
from directory.needs import write_inferred_needs
from directory.schedules import FLAG_KEYS
from directory.taxonomy import load_taxonomy, normalise_phrase
from directory.validation import check_references, validate_services

#: A service a parent (or another council's system) may be shown; no status counts as active.
ACTIVE_SQL = "coalesce(status, 'active') = 'active'"
#: Columns kept for staff only: the assurer's e-mail is a person's address, not a listing's.
PRIVATE_COLUMNS = ("assurer_email",)
#: Keys beyond ORUK that we publish (documented in docs/csv.md); any other key an import carried
#: is kept for staff and export, never shown on the public API.
PUBLIC_EXTENSION_KEYS = frozenset(FLAG_KEYS)

OUR_TAXONOMY_ID = "signpost-core-offer"


class VersionConflict(Exception):
    """Someone saved the service after you opened it; reload it and make your change again."""

    def __init__(self, service_id: str, expected: int, actual: int):
        self.service_id, self.expected, self.actual = service_id, expected, actual
        super().__init__(f"Service {service_id} was changed by someone else (you had version "
                         f"{expected}, it is now {actual}). Reload it and make your change again.")


class ServiceInvalid(ValueError):
    """One or more services failed validation; ``errors`` lists every problem found."""

    def __init__(self, errors: list):
        self.errors = errors
        lines = "\n".join(f"  {e}" for e in errors[:20])
        more = f"\n  ...and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} problem(s) found, nothing was changed:\n{lines}{more}")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Transactions

@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite3.Connection]:
    """One atomic write: BEGIN IMMEDIATE, commit on success, roll back on any exception.

    Foreign keys are checked at commit, so rows may be written in any order. Nested use becomes
    a savepoint inside the outer transaction.
    """
    conn = db.conn
    if conn.in_transaction:
        conn.execute("PRAGMA defer_foreign_keys = ON")  # reset when the outer one ends
        conn.execute("SAVEPOINT signpost_write")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO signpost_write")
            conn.execute("RELEASE signpost_write")
            raise
        conn.execute("RELEASE signpost_write")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# --------------------------------------------------------------------------------------------
# Writing

@dataclass
class _Batch:
    """Rows for many services, collected first and written with executemany."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    shared: dict[str, dict[str, Mapping[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    services: list[str] = field(default_factory=list)
    service_terms: dict[str, list[str]] = field(default_factory=dict)
    fts: dict[str, tuple[str, str]] = field(default_factory=dict)
    now: str = field(default_factory=lambda: _now())
    skip_shared: Collection[tuple[str, str]] = ()   # (table, id) written earlier, left alone

    def add_row(self, node: Node, obj: Mapping[str, Any], link: Link | None, parent_id: Any,
                root_id: str | None, meta: Mapping[str, Any] | None = None) -> None:
        positions, skip, fixed, refs = _plan(node, link)
        cols = TABLE_COLUMNS[node.table]
        row: list[Any] = [None] * len(cols)
        extras = {}
        for key, value in obj.items():
            pos = positions.get(key)
            if pos is not None:
                row[pos] = value
            elif key not in skip:
                extras[key] = value
        for pos, value in fixed:
            row[pos] = value
        if link is not None:
            for key in link.implied_keys:
                if key in obj:  # validated equal to the parent; kept so export matches input
                    extras[key] = obj[key]
            if link.fk:
                row[positions[link.fk]] = parent_id
            if link.root:
                row[positions[link.root]] = root_id
        for key, pos in refs:
            nested = obj.get(key)
            if isinstance(nested, dict) and nested.get("id") is not None:
                row[pos] = nested["id"]
        if meta:
            for key, value in meta.items():
                row[positions[key]] = value
        row[-1] = json.dumps(extras, ensure_ascii=False) if extras else None
        self.rows[node.table].append(tuple(row))

    def walk_children(self, node: Node, obj: Mapping[str, Any], root_id: str | None) -> None:
        for link in node.children:
            value = obj.get(link.key)
            if link.ref:
                if isinstance(value, dict) and (link.node.table, value["id"]) \
                        not in self.skip_shared:
                    self.shared[link.node.table][value["id"]] = value
                continue
            if value:
                oid = obj["id"]
                child_node = link.node
                for child in value:
                    self.add_row(child_node, child, link, oid, root_id)
                    if child_node.children:
                        self.walk_children(child_node, child, root_id)

    def add_service(self, service: Mapping[str, Any], version: int) -> None:
        sid = service["id"]
        meta = {"version": version, "last_modified": service.get("last_modified") or self.now}
        self.add_row(SERVICE, service, None, None, sid, meta)
        self.services.append(sid)
        self.walk_children(SERVICE, service, sid)
        self.service_terms[sid] = [a.get("taxonomy_term_id") or (a.get("taxonomy_term") or {}).get("id")
                                   for a in service.get("attributes") or ()]
        self.fts[sid] = (service.get("name") or "", service.get("description") or "")

    def expand_shared(self) -> None:
        """Add the owned rows of every shared record (a location's addresses...), once each."""
        done: set[tuple[str, str]] = set()
        while True:
            todo = [(t, i, o) for t, objs in self.shared.items() for i, o in objs.items()
                    if (t, i) not in done]
            if not todo:
                return
            for table, _id, obj in todo:
                done.add((table, _id))
                node = _SHARED_NODES[table]
                self.add_row(node, obj, None, None, None)
                self.walk_children(node, obj, None)


@functools.lru_cache(maxsize=None)
def _plan(node: Node, link: Link | None) -> tuple[dict[str, int], frozenset, tuple, tuple]:
    """How one kind of object becomes a row: column positions, keys to leave out, constants."""
    cols = TABLE_COLUMNS[node.table]
    everywhere = {c: i for i, c in enumerate(cols)}
    positions = {c: everywhere[c] for c in node.columns}
    skip = {l.key for l in node.children}
    fixed: list[tuple[int, Any]] = []
    if link is not None:
        skip |= link.implied_keys
        for c in [link.fk, link.root]:
            if c:
                positions[c] = everywhere[c]
        fixed = [(everywhere[c], v) for c, v in link.fixed]
    if node is SERVICE:
        skip |= SERVICE_META_KEYS
        positions["version"] = everywhere["version"]
    refs = tuple((l.key, everywhere[l.ref]) for l in node.children if l.ref)
    # fk, root and version are also filled from the object, then always overwritten.
    return positions, frozenset(skip), tuple(fixed), refs


_SHARED_NODES = {n.table: n for n in (ORGANIZATION, LOCATION, TAXONOMY_TERM)}


def _insert_sql(table: str, upsert: bool) -> str:
    cols = TABLE_COLUMNS[table]
    sql = (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
           f"VALUES ({', '.join('?' for _ in cols)})")
    if upsert:
        sets = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != "id")
        sql += f" ON CONFLICT(id) DO UPDATE SET {sets}"
        if table == "taxonomy_term":
            sql += f" WHERE taxonomy_term.taxonomy_id IS NOT '{OUR_TAXONOMY_ID}'"
    return sql


def _owned_delete_sql(node: Node, parent_select: str) -> list[str]:
    """DELETE statements (deepest first) removing every owned row under ``parent_select`` ids."""
    statements: list[str] = []
    for link in node.children:
        if link.ref:
            continue
        cond = f"[{link.fk}] IN {parent_select}"
        cond += "".join(f" AND [{c}] = '{v}'" for c, v in link.fixed)
        cond += "".join(f" AND [{c}] IS NULL" for c in link.null)
        child_select = f"(SELECT id FROM [{link.node.table}] WHERE {cond})"
        statements += _owned_delete_sql(link.node, child_select)
        statements.append(f"DELETE FROM [{link.node.table}] WHERE {cond}")
    return statements


_DELETE_SQL = {n.table: _owned_delete_sql(n, "(?)") for n in (SERVICE, LOCATION, ORGANIZATION)}
_DELETE_SET_SQL = {n.table: _owned_delete_sql(n, "(SELECT id FROM temp._signpost_ids)")
                   for n in (SERVICE, LOCATION, ORGANIZATION)}


def _delete_owned(conn: sqlite3.Connection, table: str, ids: list[str]) -> None:
    """Delete every owned row under these services/locations/organizations.

    Many ids go through a temporary table so each DELETE runs once, not once per id.
    """
    if len(ids) <= 20:
        for statement in _DELETE_SQL[table]:
            conn.executemany(statement, [(i,) for i in ids])
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _signpost_ids (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp._signpost_ids")
    conn.executemany("INSERT OR IGNORE INTO temp._signpost_ids (id) VALUES (?)",
                     [(i,) for i in ids])
    for statement in _DELETE_SET_SQL[table]:
        conn.execute(statement)
    conn.execute("DELETE FROM temp._signpost_ids")


def term_search_text(conn: sqlite3.Connection) -> dict[str, str]:
    """Each term id -> its name plus every phrase parents use for it (for full-text search)."""
    text: dict[str, list[str]] = defaultdict(list)
    for tid, name in conn.execute("SELECT id, name FROM taxonomy_term"):
        text[tid].append(name or "")
    for tid, phrase in conn.execute(
            "SELECT taxonomy_term_id, phrase FROM taxonomy_term_phrase ORDER BY id"):
        text[tid].append(phrase)
    return {tid: " ; ".join(p for p in parts if p) for tid, parts in text.items()}


def write_services(conn: sqlite3.Connection, services: list[Mapping[str, Any]], *,
                   versions: Mapping[str, int] | None = None, progress: Any = None,
                   infer_needs: bool = True,
                   shared_written: set[tuple[str, str]] | None = None) -> dict[str, int]:
    """Write many (already validated) services inside the caller's transaction.

    ``versions`` maps ids of services already stored to their current version. Returns each
    written service's new version. ``progress`` is an optional tqdm-like bar to ``update()``.
    ``infer_needs=False`` and ``shared_written`` are for a caller writing in chunks (a feed
    sync): it works out the needs once at the end, and a centre, organization or term written
    by an earlier chunk (``shared_written``, updated here) is not written again.
    """
    ids = [s["id"] for s in services]
    if versions is None:
        versions = existing_ids(conn, "service", ids, value="version")
    batch = _Batch(skip_shared=shared_written if shared_written is not None else ())
    new_versions: dict[str, int] = {}
    for service in services:
        sid = service["id"]
        new_versions[sid] = int(versions.get(sid) or 0) + 1
        batch.add_service(service, new_versions[sid])
        if progress is not None:
            progress.update(1)
    batch.expand_shared()

    _delete_owned(conn, "service", [i for i in ids if i in versions])
    for table in ("location", "organization"):
        _delete_owned(conn, table, list(existing_ids(conn, table, batch.shared.get(table, {}))))
    for table, rows in batch.rows.items():
        upsert = table in ("service", "location", "organization", "taxonomy_term")
        conn.executemany(_insert_sql(table, upsert), rows)
    _write_fts(conn, batch)
    if shared_written is not None:
        shared_written.update((t, i) for t, objs in batch.shared.items() for i in objs)
    if infer_needs:
        write_inferred_needs(conn, list(batch.fts))
    return new_versions


def _write_fts(conn: sqlite3.Connection, batch: _Batch) -> None:
    terms = term_search_text(conn)
    rowids = existing_ids(conn, "service", batch.services, value="rowid")
    conn.executemany("DELETE FROM service_fts WHERE rowid = ?", [(r,) for r in rowids.values()])
    conn.executemany(
        "INSERT INTO service_fts (rowid, service_id, name, description, terms) VALUES (?,?,?,?,?)",
        [(rowids[sid], sid, name, desc,
          " ; ".join(terms.get(t, "") for t in batch.service_terms[sid] if t))
         for sid, (name, desc) in batch.fts.items()])


def reindex_services(db: sqlite_utils.Database, service_ids: Iterable[str] | None = None) -> int:
    """Rebuild the full-text rows of some services (all when ``None``); returns how many."""
    conn = db.conn
    with write_transaction(db):
        terms = term_search_text(conn)
        if service_ids is None:
            rows = conn.execute("SELECT rowid, id, name, description FROM service").fetchall()
            conn.execute("DELETE FROM service_fts")
        else:
            rows = []
            for chunk in _chunks(list(service_ids)):
                rows += conn.execute(
                    f"SELECT rowid, id, name, description FROM service WHERE id IN "
                    f"({','.join('?' * len(chunk))})", chunk).fetchall()
            conn.executemany("DELETE FROM service_fts WHERE rowid = ?", [(r[0],) for r in rows])
        links: dict[str, list[str]] = defaultdict(list)
        for link_id, term_id in conn.execute(
                "SELECT link_id, taxonomy_term_id FROM attribute WHERE link_entity = 'service' "
                "ORDER BY rowid"):
            links[link_id].append(term_id)
        conn.executemany(
            "INSERT INTO service_fts (rowid, service_id, name, description, terms) "
            "VALUES (?,?,?,?,?)",
            [(rowid, sid, name or "", desc or "",
              " ; ".join(terms.get(t, "") for t in links.get(sid, ()) if t))
             for rowid, sid, name, desc in rows])
        write_inferred_needs(conn, None if service_ids is None else [r[1] for r in rows])
    return len(rows)


def reindex_service(db: sqlite_utils.Database, service_id: str) -> None:
    """Bring one service's full-text row up to date (after a term or phrase changed)."""
    reindex_services(db, [service_id])


def save_service(db: sqlite_utils.Database, service: dict, *,
                 expected_version: int | None = None) -> int:
    """Validate and write one full ORUK service in one transaction; return its new version.

    ``expected_version`` is the version the editor loaded (0 for a new service): if someone
    saved in between, ``VersionConflict`` is raised and nothing is written. An invalid service
    raises ``ServiceInvalid`` with every problem listed.

    A save is an edit, so ``last_modified`` becomes now unless the caller set a new value
    itself (an import keeps the file's value instead: see ``oruk.import_oruk``).
    """
    errors = validate_services([service])
    if errors:
        raise ServiceInvalid(errors)
    with write_transaction(db) as conn:
        errors = check_references(conn, [service])
        if errors:
            raise ServiceInvalid(errors)
        current = existing_ids(conn, "service", [service["id"]], value="version")
        actual = int(current.get(service["id"]) or 0)
        if expected_version is not None and expected_version != actual:
            raise VersionConflict(service["id"], expected_version, actual)
        stored = existing_ids(conn, "service", [service["id"]], value="last_modified")
        if service.get("last_modified") in (None, stored.get(service["id"])):
            service = {**service, "last_modified": _now()}
        return write_services(conn, [service], versions=current)[service["id"]]


def delete_service(db: sqlite_utils.Database, service_id: str) -> bool:
    """Remove a service and everything it owns; centres and organizations stay. True if found."""
    with write_transaction(db) as conn:
        row = conn.execute("SELECT rowid FROM service WHERE id = ?", [service_id]).fetchone()
        if row is None:
            return False
        conn.execute("DELETE FROM service_fts WHERE rowid = ?", [row[0]])
        conn.execute("DELETE FROM inferred_need WHERE service_id = ?", [service_id])
        # Its own closures (directory.closed_days) go with it.
        conn.execute("DELETE FROM calendar_period WHERE service_id = ?", [service_id])
        for statement in _DELETE_SQL["service"]:
            conn.execute(statement, [service_id])
        conn.execute("DELETE FROM service WHERE id = ?", [service_id])
    return True


def clear_directory(conn: sqlite3.Connection) -> None:
    """Delete every service, centre and organization (inside the caller's transaction)."""
    conn.execute("DELETE FROM service_fts")
    conn.execute("DELETE FROM inferred_need")
    # Closures of a service or centre go with them; the authority's terms and closures stay.
    conn.execute("DELETE FROM calendar_period WHERE service_id IS NOT NULL "
                 "OR location_id IS NOT NULL")
    for table in CONTENT_TABLES:
        if table == "attribute":
            conn.execute("DELETE FROM attribute WHERE link_entity IS NOT NULL")
        else:
            conn.execute(f"DELETE FROM [{table}]")


def new_id() -> str:
    """A new ORUK id (a random UUID)."""
    return str(uuid.uuid4())


def strip_shared(service: dict) -> dict:
    """Refer to centres, the organization and terms by id only (see ``apply_service_values``)."""
    if service.get("organization"):
        service["organization_id"] = service["organization"].get("id", service.get("organization_id"))
        service.pop("organization", None)
    for sal in service.get("service_at_locations") or []:
        if sal.get("location"):
            sal["location_id"] = sal["location"].get("id", sal.get("location_id"))
            sal.pop("location", None)
    for attribute in service.get("attributes") or []:
        if attribute.get("taxonomy_term"):
            attribute["taxonomy_term_id"] = attribute["taxonomy_term"].get(
                "id", attribute.get("taxonomy_term_id"))
            attribute.pop("taxonomy_term", None)
    service.pop("version", None)
    return service


def list_service_ids(db: sqlite_utils.Database) -> list[str]:
    """Every service id, in the order they were first added."""
    return [r[0] for r in db.execute("SELECT id FROM service ORDER BY rowid")]


def service_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM service").fetchone()[0]


def active_service_count(db: sqlite_utils.Database) -> int:
    """Services a parent can be shown (no status counts as active)."""
    return db.execute(f"SELECT count(*) FROM service WHERE {ACTIVE_SQL}"
                      ).fetchone()[0]


def service_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Every service's id -> name."""
    return dict(db.execute("SELECT id, name FROM service").fetchall())


# --------------------------------------------------------------------------------------------
# Reading

def _clean(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Reader:
    """Builds nested services from rows; ``ids=None`` reads the whole directory in a few scans."""

    def __init__(self, conn: sqlite3.Connection, everything: bool, public: bool = False):
        self.conn = conn
        self.everything = everything
        self.public = public
        self.shared: dict[str, dict[str, dict]] = defaultdict(dict)
        self._all_rows: dict[tuple[str, str], dict[Any, list[dict]]] = {}

    def _select(self, table: str, where: str, params: list) -> list[dict]:
        cols = TABLE_COLUMNS[table]
        cur = self.conn.execute(
            f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM [{table}] WHERE {where} "
            f"ORDER BY rowid", params)
        return [dict(zip(cols, r)) for r in cur]

    def _children(self, link: Link, parent_ids: list) -> dict[Any, list[dict]]:
        cond = "".join(f" AND [{c}] = '{v}'" for c, v in link.fixed)
        cond += "".join(f" AND [{c}] IS NULL" for c in link.null)
        grouped: dict[Any, list[dict]] = defaultdict(list)
        if self.everything:
            key = (link.node.table, f"{link.fk}{cond}")
            if key not in self._all_rows:
                rows = self._select(link.node.table, f"[{link.fk}] IS NOT NULL{cond}", [])
                cache: dict[Any, list[dict]] = defaultdict(list)
                for r in rows:
                    cache[r[link.fk]].append(r)
                self._all_rows[key] = cache
            return self._all_rows[key]
        for chunk in _chunks(parent_ids):
            for r in self._select(link.node.table,
                                  f"[{link.fk}] IN ({','.join('?' * len(chunk))}){cond}", chunk):
                grouped[r[link.fk]].append(r)
        return grouped

    def _shared(self, node: Node, ids: set) -> dict[str, dict]:
        cache = self.shared[node.table]
        missing = [i for i in ids if i not in cache]
        if missing:
            if self.everything and not cache:
                rows = self._select(node.table, "1", [])
            else:
                rows = []
                for chunk in _chunks(missing):
                    rows += self._select(node.table, f"id IN ({','.join('?' * len(chunk))})",
                                         chunk)
            for obj in self.build(node, rows, None):
                cache[obj["id"]] = obj
        return cache

    def build(self, node: Node, rows: list[dict], link: Link | None) -> list[dict]:
        """Turn rows of ``node`` into nested ORUK objects (children attached)."""
        implied = link.implied_keys | set(link.null) if link else set()
        out = []
        for r in rows:
            obj = {c: _clean(v) for c, v in r.items()
                   if v is not None and c != "extra" and c not in implied and c in node.columns}
            if self.public:
                for key in PRIVATE_COLUMNS:
                    obj.pop(key, None)
            elif node is SERVICE and r.get("version") is not None:
                obj["version"] = r["version"]
            if r.get("extra"):
                kept = json.loads(r["extra"])
                if self.public:
                    # An import keeps whatever keys a file carried (an internal note, say);
                    # the public sees only the extension keys we document (docs/csv.md).
                    kept = {k: v for k, v in kept.items() if k in PUBLIC_EXTENSION_KEYS}
                obj.update(kept)
            out.append(obj)
        ids = [o["id"] for o in out]
        for child in node.children:
            if child.ref:
                wanted = {o[child.ref] for o in out if o.get(child.ref) is not None}
                found = self._shared(child.node, wanted) if wanted else {}
                for o in out:
                    if o.get(child.ref) in found:
                        o[child.key] = found[o[child.ref]]
                continue
            grouped = self._children(child, ids)
            for o in out:
                o[child.key] = self.build(child.node, grouped.get(o["id"], []), child)
        return out


def get_service(db: sqlite_utils.Database, service_id: str) -> dict | None:
    """The full ORUK service (``GET /services/{id}`` shape) plus our ``version``; None if absent."""
    reader = _Reader(db.conn, everything=False)
    rows = reader._select("service", "id = ?", [service_id])
    if not rows:
        return None
    return reader.build(SERVICE, rows, None)[0]


def get_public_service(db: sqlite_utils.Database, service_id: str) -> dict | None:
    """What the public ORUK API may show of one service: None unless it is active, and only ORUK
    fields and our documented extensions (no fields an import carried, no assurer e-mail)."""
    reader = _Reader(db.conn, everything=False, public=True)
    rows = reader._select("service", f"id = ? AND {ACTIVE_SQL}", [service_id])
    if not rows:
        return None
    return reader.build(SERVICE, rows, None)[0]


def get_services(db: sqlite_utils.Database, service_ids: list[str] | None = None) -> list[dict]:
    """Many full services at once (all, in the order added, when ``service_ids`` is None)."""
    if service_ids is None:
        reader = _Reader(db.conn, everything=True)
        return reader.build(SERVICE, reader._select("service", "1", []), None)
    reader = _Reader(db.conn, everything=False)
    rows: list[dict] = []
    for chunk in _chunks(service_ids):
        rows += reader._select("service", f"id IN ({','.join('?' * len(chunk))})", chunk)
    order = {sid: i for i, sid in enumerate(service_ids)}
    rows.sort(key=lambda r: order[r["id"]])
    return reader.build(SERVICE, rows, None)


# --------------------------------------------------------------------------------------------
# Taxonomy

def sync_taxonomy(db: sqlite_utils.Database, taxonomy: Any = None) -> dict[str, int]:
    """Write ``directory/taxonomy.yml`` into the taxonomy tables and refresh full-text search.

    Phrases from the file get source ``taxonomy``; phrases staff added (source ``staff``) are
    never touched. A phrase dropped from the file is dropped here too. Returns counts.
    """
    if taxonomy is None:
        taxonomy = load_taxonomy()
    record = taxonomy.as_oruk()
    tax_cols = ("id", "name", "description", "uri", "version")
    term_cols = TABLE_COLUMNS["taxonomy_term"]
    with write_transaction(db) as conn:
        conn.execute(
            f"INSERT INTO taxonomy ({', '.join(tax_cols)}) VALUES ({', '.join('?' * len(tax_cols))}) "
            f"ON CONFLICT(id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in tax_cols if c != "id"),
            [record.get(c) for c in tax_cols])
        rows = []
        for term in record["taxonomy_terms"]:
            extras = {k: v for k, v in term.items() if k not in term_cols}
            rows.append(tuple(
                (json.dumps(extras) if extras else None) if c == "extra" else term.get(c)
                for c in term_cols))
        sets = ", ".join(f"[{c}] = excluded.[{c}]" for c in term_cols if c != "id")
        conn.executemany(
            f"INSERT INTO taxonomy_term ({', '.join(f'[{c}]' for c in term_cols)}) "
            f"VALUES ({', '.join('?' * len(term_cols))}) ON CONFLICT(id) DO UPDATE SET {sets}",
            rows)
        names_before = dict(conn.execute("SELECT id, name FROM taxonomy_term"))
        wanted = {(t.id, p) for t in taxonomy.terms for p in t.phrases}
        stored = set(conn.execute(
            "SELECT taxonomy_term_id, phrase FROM taxonomy_term_phrase WHERE source = 'taxonomy'"))
        conn.executemany(
            "DELETE FROM taxonomy_term_phrase WHERE taxonomy_term_id = ? AND phrase = ? "
            "AND source = 'taxonomy'", sorted(stored - wanted))
        added = sorted(wanted - stored)
        conn.executemany(
            "INSERT OR IGNORE INTO taxonomy_term_phrase (taxonomy_term_id, phrase, source) "
            "VALUES (?, ?, 'taxonomy')", added)
    renamed = any(names_before.get(t.id) != t.name for t in taxonomy.terms)
    if added or stored - wanted or renamed:  # search text uses names and phrases
        reindex_services(db)
    return {"terms": len(rows), "phrases_added": len(added),
            "phrases_removed": len(stored - wanted)}


class PhraseTaken(ValueError):
    """The phrase already means another need; a phrase may belong to one need only."""


def add_phrase(db: sqlite_utils.Database, term_id: str, phrase: str) -> bool:
    """Staff add a word parents use for a need; True if it was new. Search sees it at once.

    Case and spacing do not make a new phrase. A phrase that already means another need is
    refused with ``PhraseTaken``: the bot would not know which need a parent meant.
    """
    phrase = " ".join(str(phrase).split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in phrase):
        raise ValueError("That phrase has hidden control characters. Please type it again.")
    if not phrase:
        raise ValueError("Please type the words parents use.")
    if len(phrase) > 200:
        raise ValueError("That phrase is too long. Please keep it under 200 letters.")
    with write_transaction(db) as conn:
        if conn.execute("SELECT 1 FROM taxonomy_term WHERE id = ?", [term_id]).fetchone() is None:
            raise KeyError(f"There is no need called {term_id!r}.")
        key = normalise_phrase(phrase)
        for owner, existing, name in conn.execute(
                "SELECT p.taxonomy_term_id, p.phrase, t.name FROM taxonomy_term_phrase p "
                "JOIN taxonomy_term t ON t.id = p.taxonomy_term_id"):
            if normalise_phrase(existing) == key:
                if owner == term_id:
                    return False
                raise PhraseTaken(f"'{phrase}' already means {name}. A phrase can only "
                                  f"belong to one need.")
        cur = conn.execute(
            "INSERT OR IGNORE INTO taxonomy_term_phrase (taxonomy_term_id, phrase, source) "
            "VALUES (?, ?, 'staff')", [term_id, phrase])
        added = cur.rowcount == 1
    if added:
        ids = [r[0] for r in db.execute(
            "SELECT link_id FROM attribute WHERE link_entity = 'service' AND taxonomy_term_id = ?",
            [term_id])]
        reindex_services(db, ids)
    return added


# --------------------------------------------------------------------------------------------
# What the staff pages list

def service_summaries(db: sqlite_utils.Database) -> list[dict]:
    """Every service with its status, when it was last checked, its centres' names and ids
    (``location_ids``, a JSON array), by name."""
    return list(db.query(
        "SELECT s.id, s.name, s.status, s.assured_date, group_concat(l.name, ', ') AS centres, "
        "json_group_array(sal.location_id) AS location_ids FROM service s "
        "LEFT JOIN service_at_location sal ON sal.service_id = s.id "
        "LEFT JOIN location l ON l.id = sal.location_id GROUP BY s.id ORDER BY s.name"))


def organization_for_new_service(db: sqlite_utils.Database, location_id: str) -> str | None:
    """The organization that runs other services at this centre, else the first one there is."""
    row = db.execute(
        "SELECT s.organization_id FROM service s JOIN service_at_location sal "
        "ON sal.service_id = s.id WHERE sal.location_id = ? AND s.organization_id IS NOT NULL "
        "LIMIT 1", [location_id]).fetchone() or db.execute(
        "SELECT id FROM organization ORDER BY rowid LIMIT 1").fetchone()
    return row[0] if row else None


def core_terms(db: sqlite_utils.Database) -> list[dict]:
    """The needs taxonomy's terms as stored (id, name, description), in taxonomy order."""
    return list(db.query("SELECT id, name, description FROM taxonomy_term WHERE taxonomy_id = ? "
                         "ORDER BY rowid", [OUR_TAXONOMY_ID]))


def find_term(db: sqlite_utils.Database, term_id: str) -> dict | None:
    rows = list(db.query("SELECT id, name, description FROM taxonomy_term WHERE id = ?",
                         [term_id]))
    return rows[0] if rows else None


def needs_with_phrase_counts(db: sqlite_utils.Database) -> list[dict]:
    """Each need of ours with how many phrases it has, and how many of those staff added."""
    return list(db.query(
        "SELECT t.id, t.name, t.description, "
        "sum(p.source = 'staff') AS staff_phrases, count(p.id) AS phrases "
        "FROM taxonomy_term t LEFT JOIN taxonomy_term_phrase p ON p.taxonomy_term_id = t.id "
        "WHERE t.taxonomy_id = ? GROUP BY t.id ORDER BY t.rowid", [OUR_TAXONOMY_ID]))


def term_phrases(db: sqlite_utils.Database, term_id: str) -> list[dict]:
    """A need's phrases (id, phrase, source): staff ones first, then the taxonomy's, A to Z."""
    return list(db.query(
        "SELECT id, phrase, source FROM taxonomy_term_phrase WHERE taxonomy_term_id = ? "
        "ORDER BY source = 'taxonomy', phrase", [term_id]))


def term_usage(db: sqlite_utils.Database) -> list[tuple[str, str, str | None, int, int]]:
    """Every term: (id, name, taxonomy id, services using it, phrases), ours first."""
    return [tuple(r) for r in db.execute(
        "SELECT t.id, t.name, t.taxonomy_id, "
        " (SELECT count(*) FROM attribute a WHERE a.taxonomy_term_id = t.id "
        "  AND a.link_entity = 'service') AS services, "
        " (SELECT count(*) FROM taxonomy_term_phrase p WHERE p.taxonomy_term_id = t.id) "
        "FROM taxonomy_term t ORDER BY (t.taxonomy_id IS NOT ?), t.rowid",
        [OUR_TAXONOMY_ID])]


def term_ids(db: sqlite_utils.Database) -> set[str]:
    """Every taxonomy term id in the directory (ours and imported ones)."""
    return {r[0] for r in db.execute("SELECT id FROM taxonomy_term")}


def has_our_taxonomy(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT count(*) FROM taxonomy_term WHERE taxonomy_id = ?",
                      [OUR_TAXONOMY_ID]).fetchone()[0] > 0
