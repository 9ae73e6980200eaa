"""Open Referral UK 3.0 import and export: check a whole file, then write it in one transaction.

An import is all or nothing. Every service is checked first (the vendored ORUK 3.0 JSON Schema,
then our own rules); a file with any problem changes nothing and the caller gets every problem
as a ``RowError`` naming the service, the field path and what is wrong in plain words.

Checks beyond the ORUK schema:

- ids are read back through ``directory.oruk_ids.restore_ids`` first: a UUID we published for a
  stored record (our export) means that record, and a ``taxonomy_term_id`` may name a term by
  its ``code``; so re-importing our own export updates the same services, never copies them.
- ids are non-empty text and unique in the file (a service id once; a schedule, contact, phone,
  ... id in one place only). The schema's ``format: uuid`` is NOT enforced: ORUK ids are UUIDs
  by convention, but our taxonomy term ids (``stay_and_play``) and many councils' ids are not,
  and rejecting them would lose real data. Other ``format`` values are not enforced either.
- schedules make sense (``directory.schedules.validate_schedule``), ages are 0 or more with
  minimum ≤ maximum, latitude/longitude are on the globe.
- text is stored verbatim, HTML and SQL included (it is only ever bound as a parameter and
  escaped on output), but a NUL or other control character (anything below space except tab,
  newline and carriage return) or a string over 20,000 characters is rejected, never cut.
- references to records not in the file (``organization_id``, ``location_id``,
  ``taxonomy_term_id``) must already be in the directory.
- the ``closures`` and ``term_dates`` extension keys (term dates and closures,
  ``directory.calendar_oruk``) are checked and written in the same transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from directory import calendar_oruk, oruk_ids, store
from directory.shape import existing_ids
from directory.store import ServiceInvalid, write_transaction
# The checks live in directory.validation (store.save_service uses them too); the names an
# importer needs are here as well, so ``oruk.validate_services(data)`` reads as the API it is.
from directory.validation import (ImportFileError, RowError, check_references, id_collisions,
                                  services_from, validate_services)

_PROGRESS_FROM = 500


class ImportRejected(ServiceInvalid):
    """The file had problems; nothing was changed. ``errors`` is a list of ``RowError``."""


@dataclass
class ImportReport:
    """What an import did."""

    imported: int
    created: int
    updated: int
    replaced: bool
    seconds: float
    service_ids: list[str] = field(default_factory=list, repr=False)
    unchanged: int = 0  # a spreadsheet's services that matched what is stored, left alone

    def summary(self) -> str:
        """"Imported 90 services (12 new, 78 updated)." in plain words."""
        parts = [f"{self.created} new", f"{self.updated} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        what = "service" if self.imported == 1 else "services"
        head = f"Imported {self.imported} {what} ({', '.join(parts)})"
        return head + (", replacing the whole directory." if self.replaced else ".")

    @property
    def rate(self) -> float:
        return self.imported / self.seconds if self.seconds else float("inf")


# --------------------------------------------------------------------------------------------
# Reading files

def load_json_file(path: str | Path) -> list[dict]:
    """Read an ORUK JSON file: a list of services or one page ``{"contents": [...]}``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"There is no file at {path}.") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text (byte {exc.start} cannot be read). "
                              f"Save it as UTF-8 and try again.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}. Nothing was imported.") from None
    except RecursionError:
        raise ImportFileError(f"{path} is nested too deeply to be ORUK data. "
                              f"Nothing was imported.") from None
    return services_from(data, source=str(path))


# --------------------------------------------------------------------------------------------
# Import and export

def _bar(total: int, desc: str, progress: bool):
    if not progress or total < _PROGRESS_FROM:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=" services", file=sys.stderr, leave=False)


def import_oruk(db: sqlite_utils.Database, data: Any, *, replace: bool = False,
                progress: bool = False) -> ImportReport:
    """Check then write ORUK services in one transaction; ``ImportRejected`` changes nothing.

    ``data`` is a list of full services or a page ``{"contents": [...]}``. By default each
    service is added or replaced by id; ``replace=True`` first empties the directory (services,
    centres, organizations; the taxonomy and staff phrases stay).
    """
    started = time.perf_counter()
    # Copies: the extension keys are taken off before the store sees the services.
    services = [dict(s) if isinstance(s, dict) else s for s in services_from(data)]
    services = oruk_ids.restore_ids(db.conn, services)
    own_closures, shared_periods, period_errors = calendar_oruk.take_from_services(services)
    if replace and not services:
        raise ImportRejected([RowError(None, 0, "", "The file has no services, so replacing "
                                                   "would empty the whole directory. Nothing "
                                                   "was changed.")])
    bar = _bar(len(services), "Checking", progress)
    try:
        errors = validate_services(services, progress=bar) + period_errors
    finally:
        if bar is not None:
            bar.close()
    if errors:
        raise ImportRejected(errors)
    bar = _bar(len(services), "Importing", progress)
    try:
        with write_transaction(db) as conn:
            if replace:
                store.clear_directory(conn)
            errors = check_references(conn, services)
            if errors:
                raise ImportRejected(errors)
            versions = existing_ids(conn, "service", [s["id"] for s in services],
                                          value="version")
            store.write_services(conn, services, versions=versions, progress=bar)
            errors = calendar_oruk.link_problems(conn, own_closures, shared_periods)
            if errors:
                raise ImportRejected(errors)
            calendar_oruk.write_from_services(conn, own_closures, shared_periods)
    except sqlite3.IntegrityError as exc:
        errors = id_collisions(db.conn, services) or [
            RowError(None, 0, "", f"The directory refused the data ({exc}). Nothing was changed.")]
        raise ImportRejected(errors) from None
    finally:
        if bar is not None:
            bar.close()
    if len(services) >= 1000:
        # A big import leaves the full-text index in many segments; merged into one, each
        # word a family searches for is found about five times faster (bench/directory.py).
        with write_transaction(db) as conn:
            conn.execute("INSERT INTO service_fts(service_fts) VALUES ('optimize')")
    return ImportReport(
        imported=len(services), created=len(services) - len(versions), updated=len(versions),
        replaced=replace, seconds=time.perf_counter() - started,
        service_ids=[s["id"] for s in services])


def export_oruk(db: sqlite_utils.Database) -> list[dict]:
    """Every service as full ORUK 3.0 objects, in the order they were added, with the
    ``closures`` and ``term_dates`` that apply to each (``directory.calendar_oruk``).
    Every id is published as a UUID, stable from one export to the next
    (``directory.oruk_ids``); importing the file again updates the same records."""
    services = store.get_services(db)
    for s in services:
        s.pop("version", None)
    calendar_oruk.add_to_services(db, services)
    return oruk_ids.publish(services)


def write_json(services: list[dict], path: str | Path) -> None:
    """Write services as pretty UTF-8 JSON (atomically: a temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(services, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    tmp.replace(path)
