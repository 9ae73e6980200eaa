"""The directory's tables: Open Referral UK 3.0, stored in SQLite through sqlite-utils.

Table and column names follow the ORUK 3.0 table schemas (``schema/`` of the OpenReferralUK
uk-profile repository; the compiled service schema is vendored in ``directory/schemas/``) so the
database reads naturally in any SQLite tool or Datasette. Columns that are ours, not ORUK's,
are few and named plainly (``service.version`` for edit conflicts, ``taxonomy_term_phrase``
for the words parents use).

Every schema change is a new function appended to ``MIGRATIONS``; ``migrate()`` runs the ones a
database has not seen yet and records them in ``_migrations``. Never edit a migration that has
shipped: add another.
"""

from __future__ import annotations

from typing import Callable

import sqlite_utils

from directory.needs import write_inferred_needs

Migration = Callable[[sqlite_utils.Database], None]

TEXT, INT, REAL = str, int, float


def _create(db: sqlite_utils.Database, name: str, columns: dict, pk="id", fks=()) -> None:
    db[name].create(columns, pk=pk, foreign_keys=list(fks), if_not_exists=True)


def m001_oruk_tables(db: sqlite_utils.Database) -> None:
    """The ORUK 3.0 core tables used by a children's centre directory."""
    _create(db, "organization", {
        "id": TEXT, "name": TEXT, "description": TEXT, "email": TEXT, "website": TEXT,
        "logo": TEXT, "uri": TEXT, "parent_organization_id": TEXT,
    })
    _create(db, "service", {
        "id": TEXT, "organization_id": TEXT, "name": TEXT, "description": TEXT, "url": TEXT,
        "email": TEXT, "status": TEXT, "fees": TEXT, "accreditations": TEXT,
        "minimum_age": REAL, "maximum_age": REAL, "assured_date": TEXT, "assurer_email": TEXT,
        "alert": TEXT, "last_modified": TEXT,
        # Ours: bumped on every write so two editors never silently overwrite each other.
        "version": INT,
    }, fks=[("organization_id", "organization", "id")])
    _create(db, "location", {
        "id": TEXT, "location_type": TEXT, "name": TEXT, "description": TEXT,
        "latitude": REAL, "longitude": REAL, "external_identifier": TEXT,
        "external_identifier_type": TEXT,
    })
    _create(db, "address", {
        "id": TEXT, "location_id": TEXT, "attention": TEXT, "address_1": TEXT, "city": TEXT,
        "region": TEXT, "state_province": TEXT, "postal_code": TEXT, "country": TEXT,
        "address_type": TEXT,
    }, fks=[("location_id", "location", "id")])
    _create(db, "service_at_location", {
        "id": TEXT, "service_id": TEXT, "location_id": TEXT,
    }, fks=[("service_id", "service", "id"), ("location_id", "location", "id")])
    _create(db, "schedule", {
        "id": TEXT, "service_id": TEXT, "service_at_location_id": TEXT, "valid_from": TEXT,
        "valid_to": TEXT, "dtstart": TEXT, "until": TEXT, "timezone": TEXT, "wkst": TEXT,
        "freq": TEXT, "interval": INT, "byday": TEXT, "bymonthday": TEXT, "byweekno": TEXT,
        "byyearday": TEXT, "description": TEXT, "opens_at": TEXT, "closes_at": TEXT,
        "schedule_link": TEXT, "attending_type": TEXT, "notes": TEXT,
    }, fks=[("service_id", "service", "id"), ("service_at_location_id", "service_at_location", "id")])
    _create(db, "cost_option", {
        "id": TEXT, "service_id": TEXT, "valid_from": TEXT, "valid_to": TEXT, "option": TEXT,
        "amount": REAL, "currency": TEXT, "amount_description": TEXT,
    }, fks=[("service_id", "service", "id")])
    _create(db, "contact", {
        "id": TEXT, "organization_id": TEXT, "service_id": TEXT, "service_at_location_id": TEXT,
        "location_id": TEXT, "name": TEXT, "title": TEXT, "department": TEXT, "email": TEXT,
    }, fks=[("service_id", "service", "id")])
    _create(db, "phone", {
        "id": TEXT, "location_id": TEXT, "service_id": TEXT, "organization_id": TEXT,
        "contact_id": TEXT, "service_at_location_id": TEXT, "number": TEXT, "extension": REAL,
        "type": TEXT, "description": TEXT,
    }, fks=[("service_id", "service", "id"), ("contact_id", "contact", "id")])
    _create(db, "accessibility", {
        "id": TEXT, "location_id": TEXT, "description": TEXT, "details": TEXT, "url": TEXT,
        "accessibility": TEXT,
    }, fks=[("location_id", "location", "id")])
    _create(db, "language", {
        "id": TEXT, "service_id": TEXT, "location_id": TEXT, "phone_id": TEXT, "name": TEXT,
        "code": TEXT, "note": TEXT,
    }, fks=[("service_id", "service", "id")])
    _create(db, "taxonomy", {
        "id": TEXT, "name": TEXT, "description": TEXT, "uri": TEXT, "version": TEXT,
    })
    _create(db, "taxonomy_term", {
        "id": TEXT, "code": TEXT, "name": TEXT, "description": TEXT, "parent_id": TEXT,
        "taxonomy": TEXT, "taxonomy_id": TEXT, "language": TEXT, "term_uri": TEXT,
    })
    # ORUK links terms to services through attribute rows (link_type "service").
    _create(db, "attribute", {
        "id": TEXT, "link_id": TEXT, "taxonomy_term_id": TEXT, "link_type": TEXT,
        "link_entity": TEXT, "value": TEXT, "label": TEXT,
    }, fks=[("taxonomy_term_id", "taxonomy_term", "id")])
    _create(db, "service_area", {
        "id": TEXT, "service_id": TEXT, "service_at_location_id": TEXT, "name": TEXT,
        "description": TEXT, "extent": TEXT, "extent_type": TEXT, "uri": TEXT,
    }, fks=[("service_id", "service", "id")])
    # Ours: the words parents use for a need. Seeded from directory/taxonomy.yml, editable by
    # staff; the bot reads them at run time, so a new phrase works without retraining.
    _create(db, "taxonomy_term_phrase", {
        "id": INT, "taxonomy_term_id": TEXT, "phrase": TEXT, "source": TEXT,
    }, fks=[("taxonomy_term_id", "taxonomy_term", "id")])
    for table, cols in [
        ("service", ["organization_id"]), ("service", ["status"]),
        ("address", ["location_id"]), ("address", ["postal_code"]),
        ("service_at_location", ["service_id"]), ("service_at_location", ["location_id"]),
        ("schedule", ["service_id"]), ("schedule", ["service_at_location_id"]),
        ("cost_option", ["service_id"]), ("contact", ["service_id"]),
        ("phone", ["service_id"]), ("phone", ["contact_id"]), ("phone", ["location_id"]),
        ("accessibility", ["location_id"]), ("language", ["service_id"]),
        ("attribute", ["link_id"]), ("attribute", ["taxonomy_term_id"]),
        ("service_area", ["service_id"]), ("taxonomy_term_phrase", ["taxonomy_term_id"]),
    ]:
        db[table].create_index(cols, if_not_exists=True)
    db["taxonomy_term_phrase"].create_index(["taxonomy_term_id", "phrase"], unique=True,
                                            if_not_exists=True)
    # Full-text search over what a parent might type: name, description, need names, phrases.
    # Kept in step by directory.store.reindex_service(); ``service_id`` is not searched.
    if "service_fts" not in db.table_names():
        db.execute(
            "CREATE VIRTUAL TABLE service_fts USING fts5("
            "service_id UNINDEXED, name, description, terms, tokenize='porter unicode61')"
        )


def m002_staff_area(db: sqlite_utils.Database) -> None:
    """Staff accounts and sessions, the append-only audit log, anonymised demand and call-backs.

    They live in the directory database so that one backup holds everything.
    """
    _create(db, "staff_user", {
        "id": INT, "username": TEXT, "password_hash": TEXT, "role": TEXT,
        # JSON list of location ids an editor may change; admins ignore it.
        "centre_ids": TEXT, "created_at": TEXT, "password_changed_at": TEXT,
        "failed_logins": INT, "locked_until": TEXT, "active": INT,
    })
    db["staff_user"].create_index(["username"], unique=True, if_not_exists=True)
    # Only a hash of the cookie is stored: a copy of the database cannot sign anyone in.
    _create(db, "staff_session", {
        "token_hash": TEXT, "user_id": INT, "csrf_token": TEXT, "created_at": TEXT,
        "last_seen": TEXT, "expires_at": TEXT,
    }, pk="token_hash", fks=[("user_id", "staff_user", "id")])
    _create(db, "audit_log", {
        "id": INT, "at": TEXT, "actor": TEXT, "action": TEXT, "table_name": TEXT,
        "record_id": TEXT, "before": TEXT, "after": TEXT,
    })
    db["audit_log"].create_index(["table_name", "record_id"], if_not_exists=True)
    db["audit_log"].create_index(["at"], if_not_exists=True)
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
    # One row per search, anonymised: no message text, no session id, postcode district only.
    _create(db, "search_demand", {
        "id": INT, "date": TEXT, "needs": TEXT, "district": TEXT, "days": TEXT,
        "time_of_day": TEXT, "age_band": TEXT, "result_count": INT, "source": TEXT,
    })
    db["search_demand"].create_index(["date"], if_not_exists=True)
    _create(db, "callback", {
        "id": INT, "created_at": TEXT, "first_name": TEXT, "phone": TEXT, "email": TEXT,
        "good_time": TEXT, "summary": TEXT, "centre_id": TEXT, "status": TEXT,
        "closed_by": TEXT, "closed_at": TEXT,
    })
    db["callback"].create_index(["status"], if_not_exists=True)


def m003_oruk_lossless(db: sqlite_utils.Database) -> None:
    """What a lossless ORUK round trip needs beyond m001 (written by directory/store.py).

    Every ORUK table gets ``extra``: JSON of keys an import carried that are not columns, kept
    verbatim and written back on export. Adds the ORUK ``funding`` and
    ``organization_identifier`` tables, the ``term`` and ``service_area`` columns, and indexes
    for every link a service's rows hang from, so replacing one service's rows stays fast.
    """
    for table in ("organization", "service", "location", "address", "service_at_location",
                  "schedule", "cost_option", "contact", "phone", "accessibility", "language",
                  "taxonomy_term", "attribute", "service_area"):
        if "extra" not in db[table].columns_dict:
            db[table].add_column("extra", str)
    if "term" not in db["taxonomy_term"].columns_dict:
        db["taxonomy_term"].add_column("term", str)
    if "service_area" not in db["service_area"].columns_dict:
        db["service_area"].add_column("service_area", str)
    _create(db, "funding", {"id": TEXT, "service_id": TEXT, "source": TEXT, "extra": TEXT},
            fks=[("service_id", "service", "id")])
    _create(db, "organization_identifier", {
        "id": TEXT, "organization_id": TEXT, "identifier_scheme": TEXT, "identifier_type": TEXT,
        "identifier": TEXT, "extra": TEXT,
    }, fks=[("organization_id", "organization", "id")])
    for table, cols in [
        ("attribute", ["link_id", "link_entity"]), ("funding", ["service_id"]),
        ("organization_identifier", ["organization_id"]),
        ("contact", ["location_id"]), ("contact", ["organization_id"]),
        ("contact", ["service_at_location_id"]), ("phone", ["service_at_location_id"]),
        ("phone", ["organization_id"]), ("language", ["phone_id"]), ("language", ["location_id"]),
        ("service_area", ["service_at_location_id"]),
    ]:
        db[table].create_index(cols, if_not_exists=True)


def m004_search_indexes(db: sqlite_utils.Database) -> None:
    """Indexes that let directory/search.py stop reading early at 100,000 services.

    - needs: ``attribute`` by (service, term) and (term, service), both covering;
    - place: ``location`` by latitude and longitude, for the bounding box around a family;
    - time: one partial index per day on ``schedule`` (rows whose ``byday`` names that day),
      ordered by the opening time in minutes, so "the next Saturday sessions" are read in order.
      The expressions are the ones ``directory.search.minutes_sql()``/``day_test_sql()`` write;
      SQLite only uses an index on an expression the query spells the same way.
    """
    minutes = ("(CAST(trim(opens_at) AS INTEGER) * 60 + "
               "CAST(substr(trim(opens_at), instr(trim(opens_at), ':') + 1, 2) AS INTEGER))")
    db["attribute"].create_index(["link_id", "taxonomy_term_id"], if_not_exists=True)
    db["attribute"].create_index(["taxonomy_term_id", "link_id"], if_not_exists=True)
    db["location"].create_index(["latitude", "longitude"], if_not_exists=True)
    for code in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"):
        db.execute(f"CREATE INDEX IF NOT EXISTS idx_schedule_on_{code.lower()} "
                   f"ON schedule({minutes}, service_id) WHERE instr(upper(byday), '{code}') > 0")
    db.execute(f"CREATE INDEX IF NOT EXISTS idx_schedule_timed_no_byday "
               f"ON schedule({minutes}, service_id) WHERE coalesce(trim(byday), '') = '' "
               f"AND coalesce(trim(freq), '') != '' AND coalesce(trim(opens_at), '') != ''")


def m005_parents_words(db: sqlite_utils.Database) -> None:
    """What ranking by a parent's own words needs (``directory/needs.py``, ``directory/words.py``).

    - ``inferred_need``: the needs of a service that carries no Signpost need term, read from its
      name, description and council categories when it is written (``directory.store``), so a
      search by need finds it with an index probe, as it finds a tagged service;
    - ``address.city`` without case, so "what's on in Ossett" can tell that "ossett" is a place
      (and not a word to search for) with one index probe.
    """
    _create(db, "inferred_need", {"service_id": TEXT, "taxonomy_term_id": TEXT}, pk=None)
    db["inferred_need"].create_index(["taxonomy_term_id", "service_id"], unique=True,
                                     if_not_exists=True)
    db["inferred_need"].create_index(["service_id"], if_not_exists=True)
    db.execute("CREATE INDEX IF NOT EXISTS idx_address_city_nocase "
               "ON address(city COLLATE NOCASE)")
    write_inferred_needs(db.conn, None)


def m006_calendar(db: sqlite_utils.Database) -> None:
    """Term dates and closures (``directory/closed_days.py``).

    ``calendar_period``: a ``term`` of the authority, or a ``closure`` of the whole authority
    (no ``location_id`` or ``service_id``), one centre (``location_id``) or one service
    (``service_id``). ``valid_from`` and ``valid_to`` are ISO dates, both days included (the
    ORUK schedule field names). Not ORUK: exported as the ``closures`` and ``term_dates``
    extension keys of a service (docs/csv.md).
    """
    _create(db, "calendar_period", {
        "id": TEXT, "kind": TEXT, "valid_from": TEXT, "valid_to": TEXT, "description": TEXT,
        "location_id": TEXT, "service_id": TEXT,
    })
    db["calendar_period"].create_index(["valid_from"], if_not_exists=True)
    db["calendar_period"].create_index(["service_id"], if_not_exists=True)
    db["calendar_period"].create_index(["location_id"], if_not_exists=True)


def m007_opening_hours(db: sqlite_utils.Database) -> None:
    """A centre's opening hours: ``schedule`` rows that belong to a location.

    ``schedule.location_id`` is the Open Referral (HSDS 3.0) column; the ORUK 3.0 UK profile has
    no place for a centre's hours, so ours follows HSDS. A location's schedules are not sessions:
    their ``service_id`` is NULL, so no search reads them as a service's times.
    """
    if "location_id" not in db["schedule"].columns_dict:
        db["schedule"].add_column("location_id", str)
    db["schedule"].create_index(["location_id"], if_not_exists=True)


def m008_listing_reports(db: sqlite_utils.Database) -> None:
    """"This is wrong" reports from parents (``directory/reports.py``), read by centre staff.

    ``details`` is the parent's own words, kept only with ``consent``; ``service_name`` is the
    name the parent saw, so a report still reads right after the service is renamed or removed.
    """
    _create(db, "listing_report", {
        "id": INT, "created_at": TEXT, "service_id": TEXT, "service_name": TEXT,
        "location_id": TEXT, "reason": TEXT, "details": TEXT, "consent": INT, "status": TEXT,
        "done_by": TEXT, "done_at": TEXT,
    })
    db["listing_report"].create_index(["status", "created_at"], if_not_exists=True)


def m009_staff_second_factor(db: sqlite_utils.Database) -> None:
    """The staff second factor (``directory/staff_totp.py``), and call-backs by centre.

    ``staff_user.totp_secret``: the base32 secret of a confirmed authenticator app (NULL: none);
    ``totp_pending``: a secret shown on the enrolment page and not yet confirmed with a code;
    ``totp_last_step``: the 30-second step of the last code accepted, so no code works twice.
    ``failed_logins`` and ``locked_until`` (m002) are no longer used: guessing is throttled
    in the web tier instead of locking accounts.
    """
    columns = db["staff_user"].columns_dict
    for name, kind in (("totp_secret", TEXT), ("totp_pending", TEXT), ("totp_last_step", INT)):
        if name not in columns:
            db["staff_user"].add_column(name, kind)
    db["callback"].create_index(["status", "created_at"], if_not_exists=True)
def m010_feeds(db: sqlite_utils.Database) -> None:
    """Councils' ORUK feeds synced into the directory (``directory/sync.py``).

    ``feed``: one row per feed address, with its last sync, result (``ok``/``failed``), the
    report as JSON and the newest ``last_modified`` seen (sent as ``modified_after`` next time).
    ``feed_service``: which feed each stored service came from, and the feed's own id for it.
    ``feed_override``: staff corrections to a feed's services, kept through later syncs.
    ``term_mapping``: which Signpost need a feed's taxonomy term means (``directory/term_mapping.py``).
    """
    _create(db, "feed", {"url": TEXT, "last_sync_at": TEXT, "last_result": TEXT,
                         "report": TEXT, "watermark": TEXT}, pk="url")
    _create(db, "feed_service", {"service_id": TEXT, "feed_url": TEXT, "remote_id": TEXT},
            pk="service_id")
    db["feed_service"].create_index(["feed_url"], if_not_exists=True)
    # A staff correction to a feed's service (one top-level field), laid over every later sync.
    _create(db, "feed_override", {"service_id": TEXT, "field": TEXT, "value": TEXT,
                                  "changed_by": TEXT, "changed_at": TEXT},
            pk=("service_id", "field"))
    _create(db, "term_mapping", {"taxonomy_term_id": TEXT, "need_id": TEXT, "score": REAL,
                                 "source": TEXT, "status": TEXT, "changed_by": TEXT},
            pk=("taxonomy_term_id", "need_id"))


MIGRATIONS: list[Migration] = [m001_oruk_tables, m002_staff_area, m003_oruk_lossless,
                               m004_search_indexes, m005_parents_words, m006_calendar,
                               m007_opening_hours, m008_listing_reports,
                               m009_staff_second_factor, m010_feeds]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Bring ``db`` up to the newest schema; return the names of migrations applied."""
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
    done = {row["name"] for row in db["_migrations"].rows}
    applied = []
    for migration in MIGRATIONS:
        if migration.__name__ in done:
            continue
        with db.conn:
            migration(db)
            db["_migrations"].insert(
                {"name": migration.__name__,
                 "applied_at": db.execute("select datetime('now')").fetchone()[0]}
            )
        applied.append(migration.__name__)
    return applied
