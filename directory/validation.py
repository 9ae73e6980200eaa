"""Is this a service we can store? Every check an ORUK service passes before it is written.

Used by ``directory.store.save_service`` (one service, from the staff area) and by the imports
(``directory.oruk``, ``directory.csv_io``, a whole file). Problems come back as ``RowError``s
naming the service, the field path and what is wrong in plain words; see ``directory/oruk.py``
for the rules beyond the ORUK schema.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from directory.schedules import validate_schedule
from directory.shape import LOCATION, NUMERIC_COLUMNS, SERVICE, Link, Node, existing_ids

SCHEMA_PATH = Path(__file__).with_name("schemas") / "service.json"
MAX_TEXT = 20_000
MAX_DEPTH = 32  # extra (non-ORUK) values nested deeper than this are refused
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(ValueError):
    """The file could not be read as ORUK JSON at all (not JSON, or not a list of services)."""


def services_from(data: Any, source: str = "The data") -> list:
    """The list of services in ``data`` (a JSON array, or a page with ``contents``)."""
    if isinstance(data, Mapping) and "contents" in data:
        data = data["contents"]
    if not isinstance(data, list):
        raise ImportFileError(
            f"{source} is not a list of ORUK services. Expected a JSON array of services "
            f"(as GET /services/{{id}} returns them) or one page: {{\"contents\": [...]}}.")
    return data


@dataclass(frozen=True)
class RowError:
    """One problem in one service: where it is and what to do, in plain words."""

    service_id: str | None
    index: int
    path: str
    message: str

    def __str__(self) -> str:
        who = f"service {self.service_id!r}" if self.service_id else "a service with no id"
        where = f", {self.path}" if self.path else ""
        return f"Row {self.index + 1} ({who}{where}): {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"service_id": self.service_id, "index": self.index, "path": self.path,
                "message": self.message}


# Parts of a service that repeat across a file (one centre, many sessions): validated once each.
_SHARED_PARTS = {
    "organization": ("properties", "organization"),
    "location": ("properties", "service_at_locations", "items", "properties", "location"),
    "taxonomy_term": ("properties", "attributes", "items", "properties", "taxonomy_term"),
}


# Validation keywords kept on modelled fields (``type`` and ``format`` are the ones dropped).
_KEEP = frozenset({"required", "enum", "const", "pattern", "minimum", "maximum", "exclusiveMinimum",
                   "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems",
                   "maxItems", "uniqueItems", "contains", "minProperties", "maxProperties",
                   "additionalProperties", "dependentRequired", "allOf", "anyOf", "oneOf", "not",
                   "if", "then", "else", "$ref"})


def _reduce(schema: dict, node: Node, link: Link | None) -> dict:
    """The part of ``schema`` that our one-pass type check (``_check_service``) does not cover.

    That check already enforces, for every ORUK column and nested list or object we store, the
    same type the schema gives (a test holds the two in agreement). Dropping those ``type``
    keywords leaves jsonschema with required fields, enums and any property we do not model,
    which makes a 20,000-service file several times faster to check with the same result.
    """
    out = {k: v for k, v in schema.items() if k in _KEEP}
    known = set(node.columns) | (link.implied_keys if link else set())
    children = {c.key: c for c in node.children}
    properties = {}
    for name, sub in schema.get("properties", {}).items():
        if name in children:
            child = children[name]
            if child.ref:
                reduced = _reduce(sub, child.node, child)
            else:
                reduced = {k: v for k, v in sub.items() if k in _KEEP}
                items = _reduce(sub.get("items", {}), child.node, child)
                if items:
                    reduced["items"] = items
        elif name in known:
            reduced = {k: v for k, v in sub.items() if k in _KEEP}
        else:
            reduced = sub
        if reduced:
            properties[name] = reduced
    if properties:
        out["properties"] = properties
    return out


@functools.lru_cache(maxsize=1)
def _validators() -> tuple[Any, dict[str, Any]]:
    """The vendored ORUK 3.0 service schema, compiled once (no ``$schema`` in it: latest draft).

    Returns a validator for the service (reduced by ``_reduce``) with its shared parts
    (organization, location, taxonomy term) cut out, and one validator per shared part.
    Formats are not checked (see the module docstring).
    """
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    light = _reduce(schema, SERVICE, None)
    parts = {}
    for name, keys in _SHARED_PARTS.items():
        holder = light
        for k in keys[:-1]:
            holder = holder.get(k, {})
        parts[name] = Draft202012Validator(holder.pop(keys[-1], {}))
    return Draft202012Validator(light), parts


def _schema_errors(service: Any, cache: dict) -> Iterator[tuple[str, str]]:
    """(path, message) for every schema error in one service, reusing results for parts seen."""
    light, parts = _validators()
    for error in light.iter_errors(service):
        yield _schema_message(error)
    if not isinstance(service, dict):
        return
    found: list[tuple[str, str, Any]] = []
    org = service.get("organization")
    found.append(("organization", "organization", org))
    sals = service.get("service_at_locations")
    if isinstance(sals, list):
        for i, sal in enumerate(sals):
            if isinstance(sal, dict):
                found.append(("location", f"service_at_locations[{i}].location", sal.get("location")))
    attributes = service.get("attributes")
    if isinstance(attributes, list):
        for i, attr in enumerate(attributes):
            if isinstance(attr, dict):
                found.append(("taxonomy_term", f"attributes[{i}].taxonomy_term",
                              attr.get("taxonomy_term")))
    for part, prefix, obj in found:
        if not isinstance(obj, dict):
            continue
        entries = cache.setdefault((part, str(obj.get("id"))), [])
        for seen_obj, errors in entries:
            if seen_obj == obj:
                break
        else:
            errors = [_schema_message(e) for e in parts[part].iter_errors(obj)]
            entries.append((obj, errors))
        for path, message in errors:
            yield (f"{prefix}.{path}" if path else prefix), message


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


_TYPE_WORDS = {"string": "text", "number": "a number", "integer": "a whole number",
               "array": "a list", "object": "an object ({...})", "boolean": "true or false"}


def _schema_message(error: Any) -> tuple[str, str]:
    """(path, plain message) for one jsonschema error."""
    path = _path(error.absolute_path)
    if error.validator == "required":
        missing = re.match(r"'(.+)' is a required property", error.message)
        name = missing.group(1) if missing else "a field"
        return _join(path, name), "is missing; it must be filled in"
    if error.validator == "type":
        wanted = error.validator_value
        wanted = wanted if isinstance(wanted, list) else [wanted]
        return path, "must be " + " or ".join(_TYPE_WORDS.get(w, w) for w in wanted) + \
            f" (found {json.dumps(error.instance)[:60]})"
    if error.validator == "enum":
        return path, (f"{json.dumps(error.instance)[:60]} is not allowed; use one of: "
                      + ", ".join(str(v) for v in error.validator_value))
    return path, error.message


def _check_text(value: Any, path: str, add, depth: int = 0) -> None:
    """Every string anywhere: no control characters, no more than MAX_TEXT characters."""
    if depth > MAX_DEPTH:
        add(path, f"is nested more than {MAX_DEPTH} levels deep; please simplify it")
        return
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            add(path, f"is {len(value):,} characters long; the most allowed is {MAX_TEXT:,}. "
                      f"Please shorten it (nothing was cut)")
        bad = _CONTROL.search(value)
        if bad:
            add(path, f"contains a hidden control character (code {ord(bad.group())}) at "
                      f"position {bad.start() + 1}; please remove it")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k, _join(path, "(a field name)"), add, depth + 1)
            _check_text(v, _join(path, k), add, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_text(v, _join(path, i), add, depth + 1)


def iter_nodes(service: dict, descend: Callable[[Node, dict], bool] | None = None,
               ) -> Iterator[tuple[Node, dict, str, Link | None, Any, str]]:
    """Every record in a service: (node, object, path, link, parent object, parent path).

    Skips anything that is not an object (the schema check reports those). ``descend(node,
    obj)`` returning False skips what is nested inside ``obj`` (a centre already checked).
    """
    stack: list[tuple[Node, Any, str, Link | None, Any, str]] = [
        (SERVICE, service, "", None, None, "")]
    while stack:
        node, obj, path, link, parent, parent_path = stack.pop()
        if not isinstance(obj, dict):
            continue
        yield node, obj, path, link, parent, parent_path
        if descend is not None and not descend(node, obj):
            continue
        for child in reversed(node.children):
            value = obj.get(child.key)
            if child.ref:
                stack.append((child.node, value, _join(path, child.key), child, obj, path))
            elif isinstance(value, list):
                for i in reversed(range(len(value))):
                    stack.append((child.node, value[i], _join(_join(path, child.key), i),
                                  child, obj, path))


@functools.lru_cache(maxsize=1)
def _schedule_validator():
    return validate_schedule


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _RecordIds:
    """The ids of the (not shared) records checked so far, with where each was: in memory, or,
    given a connection, in a table there once each page is done, so a feed read page by page
    does not hold an entry per record in memory. A fixed 1 MB filter of the ids written there
    answers "never seen" (nearly every id) without asking the table."""

    _BITS = 1 << 23

    def __init__(self, conn: sqlite3.Connection | None = None):
        self.conn = conn
        self.recent: dict[tuple[str, str], tuple[tuple, tuple]] = {}
        self._filter = bytearray(self._BITS // 8) if conn is not None else bytearray()
        if conn is not None:
            conn.execute("CREATE TABLE IF NOT EXISTS checked_id (tbl TEXT, id TEXT, fk TEXT, "
                         "parent TEXT, row INTEGER, parent_path TEXT, PRIMARY KEY (tbl, id))")

    def _probes(self, key: tuple[str, str]) -> tuple[int, int]:
        h = hash(key) & 0xFFFFFFFFFFFF
        return h % self._BITS, (h >> 23) % self._BITS

    def get(self, table: str, oid: str) -> tuple[tuple, tuple] | None:
        found = self.recent.get((table, oid))
        if found is None and self.conn is not None and all(
                self._filter[b >> 3] & (1 << (b & 7)) for b in self._probes((table, oid))):
            row = self.conn.execute("SELECT fk, parent, row, parent_path FROM checked_id "
                                    "WHERE tbl = ? AND id = ?", [table, oid]).fetchone()
            found = ((row[0], row[1]), (row[2], row[3])) if row else None
        return found

    def put(self, table: str, oid: str, owner: tuple, place: tuple) -> None:
        self.recent[(table, oid)] = (owner, place)

    def flush(self) -> None:
        if self.conn is None:
            return
        self.conn.executemany(
            "INSERT OR REPLACE INTO checked_id VALUES (?, ?, ?, ?, ?, ?)",
            [(t, i, o[0], o[1], p[0], p[1]) for (t, i), (o, p) in self.recent.items()])
        for key in self.recent:
            for b in self._probes(key):
                self._filter[b >> 3] |= 1 << (b & 7)
        self.recent.clear()


def _check_service(service: Any, index: int, add, shared_seen: dict, ids: _RecordIds) -> None:
    """Our rules for one service (on top of the schema). ``shared_seen`` and ``ids`` track
    records across the file."""
    validate_schedule = _schedule_validator()
    if not isinstance(service, dict):
        add("", "must be an ORUK service object ({...})")
        return

    def descend(node: Node, obj: dict) -> bool:
        # A centre repeated unchanged in many services is checked once.
        if not node.shared:
            return True
        ident = obj.get("id")  # any JSON here: a list or object id must not crash the check
        key = (node.table, ident if isinstance(ident, str) else repr(ident))
        if shared_seen.get(key) == obj:
            return False
        shared_seen.setdefault(key, obj)
        return True

    for node, obj, path, link, parent, parent_path in iter_nodes(service, descend):
        child_keys = node.child_keys
        columns = node.column_set
        for key, value in obj.items():
            if key in child_keys:
                continue
            kind = type(value)
            if key in columns:  # the same rule the schema gives (a test keeps them in step)
                if key in NUMERIC_COLUMNS:
                    if kind is not int and kind is not float:
                        add(_join(path, key), f"must be a number (found {json.dumps(value)[:60]})")
                elif kind is not str:
                    add(_join(path, key), f"must be text (found {json.dumps(value)[:60]})")
            if kind is str:
                if len(value) > MAX_TEXT or _CONTROL.search(value):
                    _check_text(value, _join(path, key), add)
            elif kind is not int and kind is not float:
                _check_text(value, _join(path, key), add)
            if _CONTROL.search(key) or len(key) > MAX_TEXT:
                _check_text(key, _join(path, "(a field name)"), add)
        oid = obj.get("id")
        if not isinstance(oid, str) or not oid.strip():
            add(_join(path, "id"), "must be some text that names this record (an id)")
            continue
        for child in node.children:
            value = obj.get(child.key)
            if value is None:
                continue
            if child.ref:
                if not isinstance(value, dict):
                    add(_join(path, child.key), "must be an object ({...})")
                elif obj.get(child.ref) not in (None, value.get("id")):
                    add(_join(path, child.ref),
                        f"is {obj[child.ref]!r} but the nested {child.key} has id "
                        f"{value.get('id')!r}; they must match")
            elif not isinstance(value, list):
                add(_join(path, child.key), "must be a list ([...])")
            else:
                for i, item in enumerate(value):
                    if not isinstance(item, dict):
                        add(_join(_join(path, child.key), i), "must be an object ({...})")
        if link is not None and parent is not None:
            if link.fk and link.fk in obj and obj[link.fk] != parent.get("id"):
                add(_join(path, link.fk), f"must be {parent.get('id')!r}, the id of the record "
                                          f"it is inside (or left out)")
            if link.root and link.root in obj and obj[link.root] != service.get("id"):
                add(_join(path, link.root), f"must be {service.get('id')!r}, the service's id "
                                            f"(or left out)")
            for col, fixed in link.fixed:
                if col in obj and obj[col] != fixed:
                    add(_join(path, col), f"must be {fixed!r} here (or left out)")
        if not node.shared and node is not SERVICE:
            # The same id may appear again only as a repeat of the same shared parent record.
            owner = (link.fk, str(parent.get("id")) if parent else "")
            place = (index, parent_path)
            before = ids.get(node.table, oid)
            if before is not None and (before[0] != owner or before[1] == place):
                add(_join(path, "id"), f"{oid!r} is used by another {node.table.replace('_', ' ')}"
                                       f" in this file (row {before[1][0] + 1}); ids must be unique")
            ids.put(node.table, oid, owner, place)
        if node.table == "schedule" and validate_schedule is not None:
            for problem in validate_schedule(obj):
                add(path, problem)
        if node is LOCATION:
            for col, limit in (("latitude", 90), ("longitude", 180)):
                v = obj.get(col)
                if _is_number(v) and not -limit <= v <= limit:
                    add(_join(path, col), f"must be between -{limit} and {limit} (found {v})")
    low, high = service.get("minimum_age"), service.get("maximum_age")
    for col, v in (("minimum_age", low), ("maximum_age", high)):
        if _is_number(v) and v < 0:
            add(col, "must be 0 or more (ages are in years)")
    if _is_number(low) and _is_number(high) and low > high:
        add("minimum_age", f"is {low} but maximum_age is {high}; the minimum cannot be more "
                           f"than the maximum")


def validate_services(data: Any, *, progress: Any = None) -> list[RowError]:
    """Every problem in a list (or page) of ORUK services; an empty list means all is well.

    ``progress`` is an optional tqdm-like bar, updated once per service.
    """
    return ServiceChecker().check(services_from(data), progress=progress)


class ServiceChecker:
    """``validate_services`` a page at a time: the ids seen so far are kept between pages, so a
    feed read page by page gets the same answers as the whole list at once. Given ``conn``
    (a scratch database), the records' ids are kept there between pages, not in memory."""

    def __init__(self, conn: sqlite3.Connection | None = None) -> None:
        self.count = 0      # services checked so far: the next one's row index
        self._schema_cache: dict = {}
        self._seen_services: dict[str, int] = {}
        self._shared_seen: dict = {}
        self._ids = _RecordIds(conn)

    def check(self, services: list, *, progress: Any = None) -> list[RowError]:
        """The problems in the next services (row indexes count on from earlier pages)."""
        errors: list[RowError] = []
        for service in services:
            index = self.count
            self.count += 1
            sid = service.get("id") if isinstance(service, dict) else None
            sid = sid if isinstance(sid, str) else None
            found: dict[tuple[str, str], None] = {}

            def add(path: str, message: str) -> None:
                found.setdefault((path, message), None)

            for path, message in _schema_errors(service, self._schema_cache):
                add(path, message)
            _check_service(service, index, add, self._shared_seen, self._ids)
            if sid is not None:
                if sid in self._seen_services:
                    add("id", f"{sid!r} is also the id of row {self._seen_services[sid] + 1}; "
                              f"each service needs its own id")
                else:
                    self._seen_services[sid] = index
            reported: set[str] = set()
            for path, message in found:
                # One message per field: the schema's wording wins over ours for the same problem.
                key = path + ("(type)" if message.startswith("must be") else message)
                if key in reported:
                    continue
                reported.add(key)
                errors.append(RowError(sid, index, path, message))
            if progress is not None:
                progress.update(1)
        self._ids.flush()
        return errors


def check_references(conn: sqlite3.Connection, services: list[Mapping[str, Any]]) -> list[RowError]:
    """References to records that are neither in the file nor in the directory."""
    nested: dict[str, set[str]] = {"organization": set(), "location": set(), "taxonomy_term": set()}
    wanted: list[tuple[str, str, int, str, str]] = []
    for index, service in enumerate(services):
        inside, refs = references(service)
        for table, ident in inside:
            nested[table].add(ident)
        wanted += [(table, ref, index, path, service["id"]) for table, ref, path in refs]
    missing_by_table: dict[str, set[str]] = {}
    for table in nested:
        ids = {w[1] for w in wanted if w[0] == table and w[1] not in nested[table]}
        present = existing_ids(conn, table, ids)
        missing_by_table[table] = ids - set(present)
    return [missing_reference(sid, index, path, table, ref)
            for table, ref, index, path, sid in wanted if ref in missing_by_table[table]]


def references(service: Mapping[str, Any]) -> tuple[set[tuple[str, str]],
                                                      list[tuple[str, str, str]]]:
    """The shared records a (valid) service carries in full, as (table, id), and the ones it
    names by id only, as (table, id, path)."""
    inside: set[tuple[str, str]] = set()
    refs: list[tuple[str, str, str]] = []
    for node, obj, path, _link, _parent, _pp in iter_nodes(service):
        if node.shared:
            inside.add((node.table, obj["id"]))
        for child in node.children:
            if child.ref and obj.get(child.ref) is not None and not isinstance(
                    obj.get(child.key), dict):
                refs.append((child.node.table, obj[child.ref], _join(path, child.ref)))
    return inside, refs


_RECORD_WORDS = {"organization": "organization", "location": "centre or venue (location)",
                 "taxonomy_term": "taxonomy term"}


def missing_reference(sid: str, index: int, path: str, table: str, ref: str) -> RowError:
    """The problem of a service that names a record found nowhere."""
    return RowError(sid, index, path,
                    f"refers to the {_RECORD_WORDS[table]} {ref!r}, which is not in this file or "
                    f"in the directory; include the full {table.replace('_', ' ')} object")


def id_collisions(conn: sqlite3.Connection, services: list[Mapping[str, Any]]) -> list[RowError]:
    """Ids in the file already used by records of services the import does not replace."""
    service_ids = {s["id"] for s in services}
    errors = []
    for index, service in enumerate(services):
        for node, obj, path, _link, _parent, _pp in iter_nodes(service):
            if node.shared or node is SERVICE:
                continue
            row = conn.execute(f"SELECT * FROM [{node.table}] WHERE id = ?", [obj["id"]]).fetchone()
            if row is None:
                continue
            cols = [d[0] for d in conn.execute(f"SELECT * FROM [{node.table}] LIMIT 0").description]
            owner = dict(zip(cols, row)).get("service_id")
            if owner in service_ids:
                continue
            errors.append(RowError(service["id"], index, _join(path, "id"),
                                   f"{obj['id']!r} is already used by another record in the "
                                   f"directory{f' (service {owner!r})' if owner else ''}; "
                                   f"ids must be unique"))
    return errors
