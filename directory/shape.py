"""The shape of an ORUK service, described once: which tables its nested parts live in.

``SERVICE`` is the tree of a full service object (the ``GET /services/{id}`` shape): each
``Node`` is one kind of record (its table, the ORUK keys stored as columns, what nests in it),
each ``Link`` says how a nested key joins a child to its parent. ``directory.store`` writes and
reads services by walking it, ``directory.validation`` checks them against it; neither needs
the other to know the shape. See ``directory/store.py`` for the rules the tree follows.
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

NUMERIC_COLUMNS = frozenset({"minimum_age", "maximum_age", "latitude", "longitude", "amount",
                             "extension", "interval"})
# Keys a caller may send that are ours, not ORUK's, and never stored as data.
SERVICE_META_KEYS = frozenset({"version"})
_CHUNK = 500


@dataclass(frozen=True, eq=False)
class Node:
    """One kind of record: its table, the ORUK keys stored as columns, and what nests in it."""

    table: str
    columns: tuple[str, ...]
    children: tuple["Link", ...] = ()
    shared: bool = False

    @functools.cached_property
    def child_keys(self) -> frozenset[str]:
        return frozenset(link.key for link in self.children)

    @functools.cached_property
    def column_set(self) -> frozenset[str]:
        return frozenset(self.columns)


@dataclass(frozen=True, eq=False)
class Link:
    """How a nested key joins a child to its parent.

    ``fk``: the child's column holding the parent's id (owned lists). ``ref``: the parent's
    column holding the child's id (one shared object). ``fixed``: constant columns (which entity
    an attribute belongs to). ``root``: column that also gets the service id. ``null``: columns
    that must be NULL for rows of this link (service-level vs location-level schedules).
    """

    key: str
    node: Node
    fk: str | None = None
    ref: str | None = None
    fixed: tuple[tuple[str, str], ...] = ()
    root: str | None = None
    null: tuple[str, ...] = ()

    @property
    def implied_keys(self) -> set[str]:
        """Keys in the child object that only repeat what nesting already says."""
        keys = {c for c, _ in self.fixed}
        if self.fk:
            keys.add(self.fk)
        if self.root:
            keys.add(self.root)
        return keys


TAXONOMY_TERM = Node("taxonomy_term", ("id", "code", "name", "description", "parent_id",
                                       "taxonomy", "taxonomy_id", "language", "term_uri", "term"),
                     shared=True)
ATTRIBUTE = Node("attribute", ("id", "taxonomy_term_id", "link_type", "value", "label"),
                 (Link("taxonomy_term", TAXONOMY_TERM, ref="taxonomy_term_id"),))


def _attributes(entity: str) -> Link:
    return Link("attributes", ATTRIBUTE, fk="link_id", fixed=(("link_entity", entity),))


LANGUAGE = Node("language", ("id", "name", "code", "note"))
PHONE = Node("phone", ("id", "number", "extension", "type", "description"),
             (Link("languages", LANGUAGE, fk="phone_id"),))
CONTACT = Node("contact", ("id", "name", "title", "department", "email"),
               (Link("phones", PHONE, fk="contact_id"), _attributes("contact")))
SCHEDULE = Node("schedule", ("id", "valid_from", "valid_to", "dtstart", "until", "timezone",
                             "wkst", "freq", "interval", "byday", "bymonthday", "byweekno",
                             "byyearday", "description", "opens_at", "closes_at",
                             "schedule_link", "attending_type", "notes"))
SERVICE_AREA = Node("service_area", ("id", "name", "description", "extent", "extent_type", "uri",
                                     "service_area"))
ADDRESS = Node("address", ("id", "attention", "address_1", "city", "region", "state_province",
                           "postal_code", "country", "address_type"), (_attributes("address"),))
ACCESSIBILITY = Node("accessibility", ("id", "description", "details", "url", "accessibility"),
                     (_attributes("accessibility"),))
LOCATION = Node("location", ("id", "location_type", "name", "description", "latitude",
                             "longitude", "external_identifier", "external_identifier_type"), (
    Link("addresses", ADDRESS, fk="location_id"),
    Link("accessibility", ACCESSIBILITY, fk="location_id"),
    Link("phones", PHONE, fk="location_id"),
    Link("languages", LANGUAGE, fk="location_id"),
    Link("contacts", CONTACT, fk="location_id"),
    # The centre's opening hours (HSDS 3.0 ``location.schedules``; not in the ORUK UK profile).
    Link("schedules", SCHEDULE, fk="location_id"),
    _attributes("location"),
), shared=True)
SERVICE_AT_LOCATION = Node("service_at_location", ("id", "location_id"), (
    Link("location", LOCATION, ref="location_id"),
    Link("schedules", SCHEDULE, fk="service_at_location_id", root="service_id"),
    Link("phones", PHONE, fk="service_at_location_id"),
    Link("contacts", CONTACT, fk="service_at_location_id"),
    Link("service_areas", SERVICE_AREA, fk="service_at_location_id"),
    _attributes("service_at_location"),
))
ORGANIZATION_IDENTIFIER = Node("organization_identifier", ("id", "identifier_scheme",
                                                           "identifier_type", "identifier"),
                               (_attributes("organization_identifier"),))
ORGANIZATION = Node("organization", ("id", "name", "description", "email", "website", "logo",
                                     "uri", "parent_organization_id"), (
    Link("organization_identifiers", ORGANIZATION_IDENTIFIER, fk="organization_id"),
    Link("phones", PHONE, fk="organization_id"),
    Link("contacts", CONTACT, fk="organization_id"),
    _attributes("organization"),
), shared=True)
FUNDING = Node("funding", ("id", "source"))
COST_OPTION = Node("cost_option", ("id", "valid_from", "valid_to", "option", "amount", "currency",
                                   "amount_description"))
SERVICE = Node("service", ("id", "organization_id", "name", "description", "url", "email",
                           "status", "fees", "accreditations", "minimum_age", "maximum_age",
                           "assured_date", "assurer_email", "alert", "last_modified"), (
    Link("organization", ORGANIZATION, ref="organization_id"),
    Link("schedules", SCHEDULE, fk="service_id", null=("service_at_location_id",)),
    Link("service_areas", SERVICE_AREA, fk="service_id"),
    Link("service_at_locations", SERVICE_AT_LOCATION, fk="service_id"),
    Link("languages", LANGUAGE, fk="service_id"),
    Link("funding", FUNDING, fk="service_id"),
    Link("cost_options", COST_OPTION, fk="service_id"),
    Link("contacts", CONTACT, fk="service_id"),
    Link("phones", PHONE, fk="service_id"),
    _attributes("service"),
))


def _walk_links(node: Node) -> Iterator[tuple[Node, Link]]:
    """Every (parent, link) pair in the tree below ``node`` (the tree has no cycles)."""
    for link in node.children:
        yield node, link
        yield from _walk_links(link.node)


def _table_columns() -> dict[str, tuple[str, ...]]:
    """Every column each table is written with, in one fixed order (``extra`` last)."""
    cols: dict[str, list[str]] = {SERVICE.table: list(SERVICE.columns) + ["version"]}
    for parent, link in _walk_links(SERVICE):
        out = cols.setdefault(link.node.table, list(link.node.columns))
        for c in [link.fk, link.root, *(c for c, _ in link.fixed), *link.null]:
            if c and c not in out:
                out.append(c)
    return {t: tuple(c + ["extra"]) for t, c in cols.items()}


TABLE_COLUMNS = _table_columns()
# Tables that hold directory content (cleared by a --replace import). Taxonomies stay.
CONTENT_TABLES = ("attribute", "language", "phone", "contact", "schedule", "service_area",
                  "cost_option", "funding", "organization_identifier", "accessibility", "address",
                  "service_at_location", "service", "location", "organization")



def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def existing_ids(conn: sqlite3.Connection, table: str, ids: Iterable[str],
                 column: str = "id", value: str = "id") -> dict[str, Any]:
    """Which of ``ids`` are already in ``table``: a dict id -> ``value`` column."""
    found: dict[str, Any] = {}
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        for key, val in conn.execute(
                f"SELECT [{column}], [{value}] FROM [{table}] WHERE [{column}] IN ({marks})", chunk):
            found[key] = val
    return found
