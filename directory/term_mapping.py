"""A feed's own categories, read as Signpost needs: shipped, automatic or chosen by staff.

A council's feed tags its services with its own taxonomy ("Baby and toddler groups", "Early
Help", an Open Eligibility code) or with none. Signpost searches by its 12 needs
(``directory/taxonomy.yml``, the one source of truth), so each foreign term gets rows in
``term_mapping`` (term -> need, a score 0..1, a ``source`` and a ``status``):

- ``shipped``: a known national taxonomy's term (DfE family hubs categories, Open
  Eligibility, the LGA service list), mapped by hand in ``term_mappings.yml`` (score 1), by
  its name or, for the LGA list, its identifier;
- ``auto``: worked out when the term is first seen, from the need phrases parents use found in
  the term's name (score 0.9), or from how many of the term's services say that need in their
  own name and description (the share of them, so "Wellbeing" on 8 services of which 6 talk
  about "postnatal depression" scores 0.75 for parent wellbeing);
- ``staff``: chosen on the staff page; ``status`` ``accepted``. A term staff say meets no need
  keeps one row with ``need_id = ''`` and ``status = 'rejected'``, so it is never guessed again.

A mapping counts for search when staff accepted it, it was shipped, or it is automatic with a
score of ``USE_FROM`` or more. ``directory.needs.write_inferred_needs`` adds the mapped needs
of a service's terms to what it reads from the service's words; the feed's own terms and
``attribute`` rows are never changed, so an export gives them back as the feed sent them.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import sqlite_utils
import yaml

from directory import audit
from directory.needs import (USE_FROM, core_phrases, infer_needs, infer_service_needs,
                             mapped_needs, write_inferred_needs)
from directory.shape import _chunks
from directory.store import OUR_TAXONOMY_ID, write_transaction
from directory.taxonomy import load_taxonomy

PROPOSE_FROM = 0.2

SHIPPED_PATH = Path(__file__).with_name("term_mappings.yml")


ESD_URI = re.compile(r"(?:https?://)?id\.esd\.org\.uk/service/(\d+)/?$", re.IGNORECASE)


class Shipped(NamedTuple):
    """The shipped mappings: by term name (casefolded) and by LGA service identifier."""
    by_name: dict[str, tuple[str, ...]]
    by_esd: dict[str, tuple[str, ...]]

    def values(self) -> list[tuple[str, ...]]:
        return [*self.by_name.values(), *self.by_esd.values()]


def load_shipped(path: Path = SHIPPED_PATH) -> Shipped:
    """Every taxonomy in ``term_mappings.yml``, matched on the name (the file says why), and
    the LGA list's entries on their identifier too. A name two taxonomies share must mean the
    same needs in both; a clash is refused here rather than one silently winning."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    shipped = Shipped({}, {})
    where: dict[str, str] = {}
    for taxonomy, terms in data["taxonomies"].items():
        for name, entry in terms.items():
            needs = tuple(entry["needs"] if isinstance(entry, dict) else entry)
            key = name.strip().casefold()
            if key in shipped.by_name and shipped.by_name[key] != needs:
                raise ValueError(f"{path.name}: {name!r} maps to {shipped.by_name[key]} in "
                                 f"{where[key]} but {needs} in {taxonomy}.")
            shipped.by_name[key], where[key] = needs, taxonomy
            if isinstance(entry, dict) and "esd" in entry:
                shipped.by_esd[str(entry["esd"])] = needs
    return shipped


SHIPPED: Shipped = load_shipped()


def esd_identifier(term_id: str, code: str | None, term_uri: str | None,
                   taxonomy: str | None) -> str | None:
    """The LGA service number a feed's term carries, if any: in its id, code or term_uri as
    ``http://id.esd.org.uk/service/927``, or as a bare code in a taxonomy named for esd
    ("esdServiceTypes"). A bare number elsewhere is not one (Open Eligibility codes are
    numbers too)."""
    for value in (term_uri, code, term_id):
        match = ESD_URI.match((value or "").strip())
        if match:
            return match.group(1)
    if (code or "").strip().isdigit() and "esd" in (taxonomy or "").casefold():
        return code.strip()
    return None


def shipped_needs(term: sqlite3.Row | tuple) -> tuple[str, ...] | None:
    """Needs a national taxonomy says this term (id, name, code, term_uri, taxonomy) means."""
    term_id, name, code, term_uri, taxonomy = term
    esd = esd_identifier(term_id, code, term_uri, taxonomy)
    return ((esd and SHIPPED.by_esd.get(esd))
            or SHIPPED.by_name.get((name or "").strip().casefold()))


_TERM_COLUMNS = "id, name, code, term_uri, taxonomy"


def _foreign_terms(conn: sqlite3.Connection, term_ids: Iterable[str] | None) -> list[tuple]:
    if term_ids is None:
        return conn.execute(f"SELECT {_TERM_COLUMNS} FROM taxonomy_term WHERE "
                            "coalesce(taxonomy_id, '') != ?", [OUR_TAXONOMY_ID]).fetchall()
    rows: list[tuple] = []
    for chunk in _chunks(list(term_ids)):
        rows += conn.execute(f"SELECT {_TERM_COLUMNS} FROM taxonomy_term WHERE id IN "
                             f"({','.join('?' * len(chunk))}) AND coalesce(taxonomy_id, '') != ?",
                             [*chunk, OUR_TAXONOMY_ID]).fetchall()
    return rows


def propose(conn: sqlite3.Connection, term: tuple,
            phrases: dict[str, tuple[str, ...]]) -> dict[str, tuple[float, str]]:
    """Need -> (score, source) for one foreign term (id, name, code, term_uri, taxonomy; see
    the module docstring)."""
    term_id, name = term[0], term[1]
    shipped = shipped_needs(term)
    if shipped:
        return {need: (1.0, "shipped") for need in shipped}
    scores: dict[str, tuple[float, str]] = {
        need: (0.9, "auto") for need in infer_needs([name or ""], phrases)}
    rows = conn.execute("SELECT s.name, s.description FROM attribute a JOIN service s ON s.id = "
                        "a.link_id WHERE a.taxonomy_term_id = ? AND a.link_entity = 'service'",
                        [term_id]).fetchall()
    if rows:
        said: dict[str, int] = defaultdict(int)
        for sname, description in rows:
            for need in infer_service_needs(sname, description, [], phrases):
                said[need] += 1
        for need, n in said.items():
            share = round(n / len(rows), 2)
            if share > scores.get(need, (0.0, ""))[0]:
                scores[need] = (share, "auto")
    return {need: s for need, s in scores.items() if s[0] >= PROPOSE_FROM}


def refresh_mappings(conn: sqlite3.Connection, term_ids: Iterable[str] | None = None) -> int:
    """Work out mappings for foreign terms that staff have not decided on (inside the caller's
    transaction); returns how many terms were looked at."""
    phrases = core_phrases(conn, load_taxonomy())
    decided = {r[0] for r in conn.execute(
        "SELECT DISTINCT taxonomy_term_id FROM term_mapping WHERE source = 'staff'")}
    terms = [t for t in _foreign_terms(conn, term_ids) if t[0] not in decided]
    for term in terms:
        conn.execute("DELETE FROM term_mapping WHERE taxonomy_term_id = ?", [term[0]])
        conn.executemany(
            "INSERT INTO term_mapping (taxonomy_term_id, need_id, score, source, status) "
            "VALUES (?, ?, ?, ?, 'proposed')",
            [(term[0], need, score, source)
             for need, (score, source) in propose(conn, term, phrases).items()])
    return len(terms)


def _services_with(conn: sqlite3.Connection, term_id: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT link_id FROM attribute WHERE taxonomy_term_id = ? AND "
        "link_entity = 'service'", [term_id])]


def set_mapping(db: sqlite_utils.Database, term_id: str, need_ids: list[str], by: str) -> None:
    """Staff decide what a term means (no needs: it meets none); its services follow at once."""
    known = load_taxonomy().ids
    unknown = [n for n in need_ids if n not in known]
    if unknown:
        raise ValueError(f"Unknown need: {', '.join(unknown)}.")
    if not _foreign_terms(db.conn, [term_id]):
        raise ValueError("That is not a category from a council feed.")
    with write_transaction(db) as conn:
        before = [r[0] for r in conn.execute("SELECT need_id FROM term_mapping WHERE "
                                             "taxonomy_term_id = ?", [term_id])]
        audit.record(db, actor=by, action="update", table="term_mapping", record_id=term_id,
                     before={"needs": before}, after={"needs": need_ids})
        conn.execute("DELETE FROM term_mapping WHERE taxonomy_term_id = ?", [term_id])
        rows = [(term_id, n, 1.0, "staff", "accepted", by) for n in need_ids] or \
               [(term_id, "", 1.0, "staff", "rejected", by)]
        conn.executemany("INSERT INTO term_mapping (taxonomy_term_id, need_id, score, source, "
                         "status, changed_by) VALUES (?, ?, ?, ?, ?, ?)", rows)
        write_inferred_needs(conn, _services_with(conn, term_id))


def mapping_table(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every foreign term with its services and mappings, for the staff page."""
    rows = db.execute(
        "SELECT t.id, t.name, t.taxonomy, (SELECT count(DISTINCT a.link_id) FROM attribute a "
        "WHERE a.taxonomy_term_id = t.id AND a.link_entity = 'service') FROM taxonomy_term t "
        "WHERE coalesce(t.taxonomy_id, '') != ? ORDER BY t.taxonomy, t.name",
        [OUR_TAXONOMY_ID]).fetchall()
    maps: dict[str, list[dict]] = defaultdict(list)
    for term_id, need, score, source, status in db.execute(
            "SELECT taxonomy_term_id, need_id, score, source, status FROM term_mapping "
            "ORDER BY score DESC"):
        maps[term_id].append({"need": need, "score": score, "source": source, "status": status})
    used = mapped_needs(db.conn)
    return [{"id": tid, "name": name, "taxonomy": tax, "services": n,
             "mappings": maps.get(tid, []), "used": used.get(tid, [])}
            for tid, name, tax, n in rows]


def services_without_need(db: sqlite_utils.Database) -> list[dict[str, str]]:
    """Active services no search by need can find: no Signpost term and nothing inferred."""
    return [{"id": r[0], "name": r[1]} for r in db.execute(
        "SELECT s.id, s.name FROM service s WHERE coalesce(s.status, 'active') = 'active' "
        "AND NOT EXISTS (SELECT 1 FROM attribute a JOIN taxonomy_term t ON t.id = "
        "a.taxonomy_term_id WHERE a.link_id = s.id AND t.taxonomy_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM inferred_need i WHERE i.service_id = s.id) "
        "ORDER BY s.name", [OUR_TAXONOMY_ID])]
