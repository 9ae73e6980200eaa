"""``python -m directory``: a thin command line over the directory library.

Each command parses its options, calls one library function and prints the result. Only the
command's own output goes to stdout (so it can be piped); progress bars, notes and errors go
to stderr. Exit codes: 0 done, 1 the data was refused (nothing changed), 2 a usage problem
(unknown place, unknown need, bad option).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Sequence

from common.days import TIMES_OF_DAY, day_code
from common.settings import Settings
from directory import calendar_csv, csv_io, oruk, store, sync
from directory.db import Directory, open_db
from directory.feed_client import FeedLimits
from directory.probe import PROBE_LIMITS, probe_feed
from directory.schedules import LONDON
from directory.search import SearchQuery, UnknownPlace

SAMPLE_PATH = Path(__file__).with_name("sample") / "sample_directory.json"


def _err(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _is_csv(path: str) -> bool:
    return path.lower().endswith(".csv")


def _ensure_taxonomy(db) -> None:
    """A new directory gets the needs taxonomy first, so needs in a file can be checked."""
    if db.execute("SELECT count(*) FROM taxonomy_term WHERE taxonomy_id = ?",
                  [store.OUR_TAXONOMY_ID]).fetchone()[0] == 0:
        store.sync_taxonomy(db)
        _err("Added the needs taxonomy from directory/taxonomy.yml.")


# --------------------------------------------------------------------------------------------
# Commands

def cmd_import(args: argparse.Namespace) -> int:
    db = open_db(args.db)
    _ensure_taxonomy(db)
    try:
        if _is_csv(args.file):
            report = csv_io.import_csv(db, Path(args.file), replace=args.replace, progress=True)
        else:
            services = oruk.load_json_file(args.file)
            report = oruk.import_oruk(db, services, replace=args.replace, progress=True)
    except oruk.ImportFileError as exc:
        _err(str(exc))
        return 1
    except oruk.ImportRejected as exc:
        errors = exc.errors
        _err(f"Nothing was imported: {len(errors)} problem(s) in {args.file}.")
        for error in errors[: args.max_errors]:
            _err(f"  {error}")
        if len(errors) > args.max_errors:
            _err(f"  ...and {len(errors) - args.max_errors} more (use --max-errors to see them).")
        return 1
    print(report.summary())
    if report.imported >= 1000:
        _err(f"{report.imported} services in {report.seconds:.1f} s "
             f"({report.rate:,.0f} services a second).")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    db = open_db(args.db)
    _ensure_taxonomy(db)
    limits = FeedLimits(timeout_s=args.timeout, concurrency=args.concurrency,
                        per_page=args.per_page, max_pages=args.max_pages)
    report = sync.sync_feed(db, args.url, full=args.full, limits=limits, progress=True)
    if not report.ok:
        _err(report.summary())
        return 1
    print(report.summary())
    for error in report.rejected[: args.max_errors]:
        _err(f"  rejected: {error}")
    if len(report.rejected) > args.max_errors:
        _err(f"  ...and {len(report.rejected) - args.max_errors} more.")
    return 0


def cmd_probe(args: argparse.Namespace) -> int:
    limits = dataclasses.replace(PROBE_LIMITS, timeout_s=args.timeout)
    result = probe_feed(args.url, limits=limits)
    if result.error:
        _err(result.error)
        return 1
    print(result.table())
    failed = [c.name for c in result.failed() if c.required]
    if failed:
        _err(f"{result.url} fails {len(failed)} required check(s): {', '.join(failed)}.")
        return 1
    _err(f"{result.url} passes every required check.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    db = open_db(args.db, create=False)
    if args.file == "-":
        if args.csv:
            csv_io.export_csv(db, sys.stdout)
        else:
            json.dump(oruk.export_oruk(db), sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        _err(f"Exported {store.service_count(db)} services.")
        return 0
    if args.csv or _is_csv(args.file):
        count = csv_io.write_csv(db, args.file)
    else:
        services = oruk.export_oruk(db)
        oruk.write_json(services, args.file)
        count = len(services)
    print(f"Exported {count} services to {args.file}.")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    db = open_db(args.db)
    result = store.sync_taxonomy(db)
    print(f"Needs taxonomy: {result['terms']} needs, {result['phrases_added']} new phrases.")
    count = store.service_count(db)
    if count:
        print(f"The directory already has {count} services; the sample was not loaded.")
        return 0
    if args.no_sample:
        print("The sample was not loaded (--no-sample): services come from your feeds or "
              "imports.")
        return 0
    report = oruk.import_oruk(db, oruk.load_json_file(args.sample), progress=True)
    print(f"Loaded the sample directory: {report.imported} services.")
    return 0


def cmd_terms(args: argparse.Namespace) -> int:
    db = open_db(args.db)
    rows = list(db.execute(
        "SELECT t.id, t.name, t.taxonomy_id, "
        " (SELECT count(*) FROM attribute a WHERE a.taxonomy_term_id = t.id "
        "  AND a.link_entity = 'service') AS services, "
        " (SELECT count(*) FROM taxonomy_term_phrase p WHERE p.taxonomy_term_id = t.id) "
        "FROM taxonomy_term t ORDER BY (t.taxonomy_id IS NOT ?), t.rowid",
        [store.OUR_TAXONOMY_ID]))
    if args.json:
        print(json.dumps([{"id": r[0], "name": r[1], "taxonomy_id": r[2], "services": r[3],
                           "phrases": r[4]} for r in rows], ensure_ascii=False, indent=1))
        return 0
    if not rows:
        _err("The directory has no needs yet. Run: python -m directory seed")
        return 0
    width = max(len(r[0]) for r in rows)
    for term_id, name, taxonomy_id, services, phrases in rows:
        other = "" if taxonomy_id == store.OUR_TAXONOMY_ID else f"  [{taxonomy_id or 'other'}]"
        print(f"{term_id:<{width}}  {name}  ({services} services, {phrases} phrases){other}")
    return 0


def cmd_import_dates(args: argparse.Namespace) -> int:
    db = open_db(args.db)
    try:
        count = calendar_csv.import_dates_csv(db, Path(args.file), replace=args.replace)
    except oruk.ImportFileError as exc:
        _err(str(exc))
        return 1
    except oruk.ImportRejected as exc:
        _err(f"Nothing was imported: {len(exc.errors)} problem(s) in {args.file}.",
             *(f"  {e}" for e in exc.errors[:args.max_errors]))
        return 1
    print(f"Imported {count} {'period' if count == 1 else 'periods'} (terms and closures)"
          + (", replacing all others." if args.replace else "."))
    return 0


def cmd_export_dates(args: argparse.Namespace) -> int:
    db = open_db(args.db, create=False)
    if args.file == "-":
        calendar_csv.export_dates_csv(db, sys.stdout)
        return 0
    count = calendar_csv.write_dates_csv(db, args.file)
    _err(f"Exported {count} {'period' if count == 1 else 'periods'} (terms and closures) "
         f"to {args.file}.")
    return 0


def _moment(value: str) -> datetime:
    """An ISO 8601 date or date and time; without a zone it is London time."""
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date and time; use ISO 8601, like 2026-12-21 or "
            f"2026-12-21T09:00") from None
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment


def cmd_search(args: argparse.Namespace) -> int:
    directory = Directory.open(args.db, args.geo_db, nation=args.nation)
    db = directory.db
    if args.term:
        known = {r[0] for r in db.execute("SELECT id FROM taxonomy_term")}
        unknown = [t for t in args.term if t not in known]
        if unknown:
            _err(f"Unknown need: {', '.join(unknown)}. "
                 f"Known needs: {', '.join(sorted(known)) or 'none (run: python -m directory seed)'}")
            return 2
    try:
        query = SearchQuery(
            terms=args.term or [], text=args.text, near=args.near, radius_km=args.radius_km,
            age_months=args.age_months, pregnant=args.pregnant, days=args.day or [],
            time_of_day=args.time, free=args.free, accessible=args.accessible,
            language=args.language, limit=args.limit, offset=args.offset)
        results = directory.search(query, now=args.after)
    except UnknownPlace as exc:
        _err(str(exc))
        return 2
    except ValueError as exc:
        _err(str(exc))
        return 2
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1, default=str))
        return 0
    if not results:
        print("No services found. Try fewer filters or a wider area.")
        return 0
    for number, result in enumerate(results, start=args.offset + 1):
        print(_describe(number, result))
    return 0


def _describe(number: int, r: dict[str, Any]) -> str:
    """One result as a few readable lines."""
    where = ", ".join(p for p in (r.get("centre"), r.get("postcode")) if p)
    if r.get("distance_km") is not None:
        where += f" ({r['distance_km']:.1f} km)"
    lines = [f"{number}. {r.get('name')}" + (f" - {where}" if where else "")]
    details = [d for d in (r.get("schedule_text"), r.get("cost_text"), r.get("age_text")) if d]
    if details:
        lines.append("   " + " | ".join(details))
    if r.get("next_sessions"):
        lines.append("   Next: " + ", ".join(s[:16].replace("T", " ")
                                               for s in r["next_sessions"][:3]))
    contact = [c for c in (r.get("phone"), r.get("email")) if c]
    if contact:
        lines.append("   Contact: " + ", ".join(contact))
    if r.get("why"):
        why = r["why"] if isinstance(r["why"], str) else "; ".join(r["why"])
        lines.append(f"   Why: {why}")
    lines.append(f"   id: {r.get('id')}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Parser

def _day(value: str) -> str:
    code = day_code(value)
    if code is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day; use MO, TU, WE, TH, FR, SA or SU")
    return code


def build_parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m directory",
        description="Signpost's directory of children's centre services (Open Referral UK 3.0).")
    parser.add_argument("--db", default=settings.directory_db, metavar="PATH",
                        help=f"the directory database (default: $SIGNPOST_DIRECTORY_DB, "
                             f"{settings.directory_db})")
    parser.add_argument("--geo-db", default=settings.geo_db, metavar="PATH",
                        help=f"the postcode index, for search (default: $SIGNPOST_GEO_DB, "
                             f"{settings.geo_db})")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("import", help="import ORUK JSON or the staff CSV (all or nothing)")
    p.add_argument("file", help="a .json file (list of services or one page) or a .csv file")
    p.add_argument("--replace", action="store_true",
                   help="replace the whole directory instead of adding and updating by id")
    p.add_argument("--max-errors", type=int, default=50, metavar="N",
                   help="how many problems to list (default 50)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("sync", help="sync a council's ORUK 3.0 API into the directory "
                                    "(all or nothing; docs/feeds.md)")
    p.add_argument("url", help="the API base, where /services lives")
    p.add_argument("--full", action="store_true",
                   help="read every service, not only those changed since the last sync")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="give up on a request after this many seconds (default 30)")
    p.add_argument("--concurrency", type=int, default=4, metavar="N",
                   help="at most N requests at once (default 4)")
    p.add_argument("--per-page", type=int, default=100, metavar="N", help="page size asked for")
    p.add_argument("--max-pages", type=int, default=1000, metavar="N",
                   help="stop (changing nothing) after this many pages (default 1000)")
    p.add_argument("--max-errors", type=int, default=50, metavar="N",
                   help="how many rejected services to list (default 50)")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("probe", help="check what a council's ORUK 3.0 API can do (endpoints, "
                                     "paging, schemas, filters); docs/feeds.md")
    p.add_argument("url", help="the API base, where /services lives")
    p.add_argument("--timeout", type=float, default=15.0, metavar="S",
                   help="give up on a request after this many seconds (default 15)")
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("export", help="export every service as ORUK JSON (or CSV for .csv)")
    p.add_argument("file", help="where to write; .csv writes the staff layout; - for stdout")
    p.add_argument("--csv", action="store_true", help="write the staff CSV layout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import-dates", help="import term dates and closures (CSV, all or "
                                            "nothing)")
    p.add_argument("file", help="a .csv file in the dates layout (docs/csv.md)")
    p.add_argument("--replace", action="store_true",
                   help="drop every term and closure not in the file")
    p.add_argument("--max-errors", type=int, default=50, metavar="N",
                   help="how many problems to list (default 50)")
    p.set_defaults(func=cmd_import_dates)

    p = sub.add_parser("export-dates", help="export term dates and closures as CSV")
    p.add_argument("file", help="where to write; - for stdout")
    p.set_defaults(func=cmd_export_dates)

    p = sub.add_parser("seed", help="load the needs taxonomy, and the sample directory if empty")
    p.add_argument("--sample", default=str(SAMPLE_PATH), help=argparse.SUPPRESS)
    p.add_argument("--no-sample", action="store_true",
                   help="never load the sample (a council's own feeds or imports fill it)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("terms", help="list the needs (taxonomy terms)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_terms)

    p = sub.add_parser("search", help="find services that fit a family")
    p.add_argument("--term", action="append", metavar="NEED",
                   help="a need id such as stay_and_play (repeat for more)")
    p.add_argument("--text", metavar="WORDS", help="words to look for")
    p.add_argument("--near", metavar="PLACE", help="a postcode, outward code (BB3) or town")
    p.add_argument("--radius-km", type=float, metavar="KM", help="only this close to --near")
    age = p.add_mutually_exclusive_group()
    age.add_argument("--age-months", type=int, metavar="N", help="the child's age in months")
    age.add_argument("--pregnant", action="store_true", help="expecting a baby")
    p.add_argument("--day", action="append", type=_day, metavar="DAY",
                   help="MO TU WE TH FR SA SU (repeat for more)")
    p.add_argument("--time", choices=TIMES_OF_DAY)
    p.add_argument("--free", action="store_true", help="only free services")
    p.add_argument("--accessible", action="store_true", help="only step-free venues")
    p.add_argument("--language", metavar="CODE", help="a language code or name, e.g. pl")
    p.add_argument("--limit", type=int, default=10, metavar="N")
    p.add_argument("--offset", type=int, default=0, metavar="N", help=argparse.SUPPRESS)
    p.add_argument("--after", type=_moment, metavar="DATETIME",
                   help="search from this moment instead of now (ISO 8601: 2026-12-21 or "
                        "2026-12-21T09:00; London time unless a zone is given)")
    p.add_argument("--json", action="store_true", help="print a JSON array of results")
    p.set_defaults(func=cmd_search, nation=settings.nation)
    return parser


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    args = build_parser(settings or Settings.from_env()).parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as exc:
        _err(str(exc))
        return 2
    except BrokenPipeError:  # `... | head` closed the pipe: not an error
        return 0
