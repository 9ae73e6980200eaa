"""What families ask for: anonymised rows, summaries, charts and a CSV with no free text."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from directory import demand
from directory.search import SearchQuery
from tests.web.staff.helpers import sign_in

SECRET_TEXT = "my partner shouts at me and I need help with my 2 year old"


def record_examples(db) -> None:
    today = date.today()
    demand.record_search(db, SearchQuery(terms=["stay_and_play", "father_friendly"], near="BB3 1AB",
                                         days=["SA"], time_of_day="morning", age_months=26,
                                         text=SECRET_TEXT), 3, "bot")
    demand.record_search(db, SearchQuery(terms=["childminder_support"], near="bb2 4ha", days=["SU"],
                                         time_of_day="evening", text="childminder on sunday night"), 0, "bot")
    demand.record_search(db, SearchQuery(terms=["antenatal"], near="Darwen", pregnant=True), 2,
                         "search_page")
    demand.record_search(db, SearchQuery(terms=["stay_and_play"], near="BB3"), 0, "bot",
                         today=today - timedelta(days=60))


def test_a_row_keeps_only_coarse_facts(db):
    record_examples(db)
    rows = demand.rows_between(db, date.today(), date.today())
    assert rows[0] == {"date": date.today().isoformat(), "needs": "father_friendly,stay_and_play",
                       "district": "BB3", "days": "SA", "time_of_day": "morning",
                       "age_band": "2 years", "result_count": 3, "source": "bot"}
    assert rows[1]["district"] == "BB2"
    assert rows[2]["district"] is None and rows[2]["age_band"] == "pregnant"  # a town name is not kept
    columns = {c[1] for c in db.execute("PRAGMA table_info(search_demand)")}
    assert not columns & {"text", "message", "session_id", "sender_id", "postcode", "created_at"}


@pytest.mark.parametrize("place, district", [("BB3 1AB", "BB3"), ("bb31ab", "BB3"), ("M1", "M1"),
                                             ("SW1A 1AA", "SW1A"), ("Darwen", None),
                                             ("near the park", None), (None, None)])
def test_only_the_postcode_district_is_kept(place, district):
    assert demand.postcode_district(place) == district


def test_summary_counts_needs_districts_days_and_unmet_need(db):
    record_examples(db)
    s = demand.summarise(db, date.today() - timedelta(days=7), date.today())
    assert s.total == 3 and s.found_nothing == 1
    assert dict(s.by_need)["Stay and play"] == 1
    assert dict(s.by_district) == {"BB3": 1, "BB2": 1, "(no postcode given)": 1}
    assert s.by_day == [("Saturday", 1), ("Sunday", 1)]
    assert dict(s.unmet_by_need) == {"Childminder support": 1}
    assert dict(s.unmet_by_district) == {"BB2": 1}
    older = demand.summarise(db, date.today() - timedelta(days=90), date.today())
    assert older.total == 4 and dict(older.unmet_by_district) == {"BB2": 1, "BB3": 1}


async def test_the_demand_page_shows_tables_and_server_drawn_charts(client, db):
    record_examples(db)
    await sign_in(client, "eddie")
    response = await client.get("/staff/demand")
    page = await response.text()
    assert response.status == 200
    assert "<strong>3</strong> searches" in page and "<strong>1</strong> found nothing" in page
    assert page.count("<svg") >= 5 and "<script" not in page.split("<main")[1]
    assert "Childminder support" in page and "BB2" in page


async def test_the_demand_csv_has_no_free_text(client, db):
    record_examples(db)
    await sign_in(client, "eddie")
    start = (date.today() - timedelta(days=90)).isoformat()
    response = await client.get(f"/staff/demand.csv?from={start}&to={date.today().isoformat()}")
    assert response.status == 200 and response.content_type == "text/csv"
    body = await response.text()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 4 and list(rows[0]) == list(demand.CSV_COLUMNS)
    for word in ("partner", "shouts", "help", "sunday night", "Darwen", "1AB", "4HA"):
        assert word.lower() not in body.lower()
    allowed = {
        "needs": lambda v: all(n in {"stay_and_play", "father_friendly", "childminder_support", "antenatal"}
                               for n in v.split(",") if n),
        "district": lambda v: v == "" or v.isalnum() and len(v) <= 4,
        "days": lambda v: all(d in demand.DAYS for d in v.split(",") if d),
        "time_of_day": lambda v: v in ("", *demand.TIMES_OF_DAY),
        "age_band": lambda v: v in ("", *demand.AGE_BANDS),
        "result_count": str.isdigit, "source": lambda v: v in ("bot", "search_page"),
        "date": lambda v: bool(date.fromisoformat(v)),
    }
    for row in rows:
        for column, check in allowed.items():
            assert check(row[column]), (column, row[column])


async def test_a_bad_period_is_explained(client):
    await sign_in(client, "eddie")
    page = await (await client.get("/staff/demand?from=yesterday")).text()
    assert 'id="from-error"' in page
