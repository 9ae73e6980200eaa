"""``python -m directory``: each command's output on stdout, everything else on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from directory import store
from directory.cli import main
from directory.db import open_db

from tests.directory.oruk_data import make_services

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "directory.db"
    monkeypatch.setenv("SIGNPOST_DIRECTORY_DB", str(path))
    return path


@pytest.fixture
def seeded(db_path, capsys):
    assert main(["seed"]) == 0
    capsys.readouterr()
    return db_path


def _run(*args: str, env_db: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), SIGNPOST_DIRECTORY_DB=str(env_db))
    return subprocess.run([sys.executable, "-m", "directory", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_seed_loads_the_sample_once_and_never_overwrites(db_path, capsys, sample_services):
    assert main(["seed"]) == 0
    out = capsys.readouterr().out
    assert f"Loaded the sample directory: {len(sample_services)} services." in out
    db = open_db(db_path)
    first = sample_services[0]
    edited = store.get_service(db, first["id"])
    edited["name"] = "Edited by staff"
    store.save_service(db, edited)
    db.close()
    assert main(["seed"]) == 0
    assert "was not loaded" in capsys.readouterr().out
    assert store.get_service(open_db(db_path), first["id"])["name"] == "Edited by staff"


def test_import_prints_only_the_summary_on_stdout(tmp_path):
    data = tmp_path / "services.json"
    data.write_text(json.dumps(make_services(600)))
    result = _run("import", str(data), env_db=tmp_path / "d.db")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 600 services (600 new, 0 updated).\n"


def test_import_of_a_bad_file_lists_row_errors_and_exits_1(seeded, tmp_path, capsys):
    services = make_services(3)
    services[2]["status"] = "maybe"
    del services[1]["name"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(services))
    assert main(["import", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Nothing was imported: 2 problem(s)" in captured.err
    assert "Row 2" in captured.err and "name" in captured.err
    assert "Row 3" in captured.err and "status" in captured.err
    assert store.service_count(open_db(seeded)) == 90


def test_import_of_malformed_json_says_where(seeded, tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('[{"id": "a",}]')
    assert main(["import", str(path)]) == 1
    assert "line 1, column" in capsys.readouterr().err


def test_import_replace_and_csv_by_extension(seeded, tmp_path, capsys):
    csv_path = tmp_path / "centres.csv"
    assert main(["export", str(csv_path)]) == 0
    assert capsys.readouterr().out == f"Exported 90 services to {csv_path}.\n"
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    small = tmp_path / "small.csv"
    small.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    assert main(["import", "--replace", str(small)]) == 0
    assert "replacing the whole directory" in capsys.readouterr().out
    assert store.service_count(open_db(seeded)) == 2


def test_export_json_round_trips_through_import(seeded, tmp_path, capsys):
    out = tmp_path / "export.json"
    assert main(["export", str(out)]) == 0
    exported = json.loads(out.read_text())
    assert len(exported) == 90 and "version" not in exported[0]
    other = tmp_path / "other.db"
    assert main(["--db", str(other), "import", str(out)]) == 0
    assert "Imported 90 services (90 new, 0 updated)." in capsys.readouterr().out
    again = tmp_path / "again.json"
    assert main(["--db", str(other), "export", str(again)]) == 0
    assert json.loads(again.read_text()) == exported


def test_export_to_stdout_is_just_the_json(seeded, capsys):
    assert main(["export", "-"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 90
    assert "Exported 90 services" in captured.err


def test_terms_lists_every_need(seeded, capsys, taxonomy):
    assert main(["terms"]) == 0
    out = capsys.readouterr().out
    for term in taxonomy.terms:
        assert term.id in out
    assert main(["terms", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["id"] for t in listed] == taxonomy.ids
    assert all(t["services"] > 0 for t in listed)


def test_search_json_gives_the_contract_fields(seeded, capsys):
    assert main(["search", "--term", "stay_and_play", "--near", "Darwen", "--limit", "3",
                 "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert 1 <= len(results) <= 3
    for r in results:
        assert "stay_and_play" in r["taxonomy_terms"]
        for key in ("id", "name", "centre", "postcode", "distance_km", "next_sessions", "free",
                    "min_age", "max_age"):
            assert key in r
        assert r["distance_km"] is not None


def test_search_without_json_is_a_readable_list(seeded, capsys):
    assert main(["search", "--term", "father_friendly", "--day", "sa", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. ")
    assert "Saturday" in out


def test_search_unknown_place_suggests_close_matches_and_exits_2(seeded, capsys):
    assert main(["search", "--near", "Darwn"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Darwen" in captured.err


def test_search_unknown_need_exits_2_with_the_known_needs(seeded, capsys):
    assert main(["search", "--term", "swimming"]) == 2
    err = capsys.readouterr().err
    assert "swimming" in err and "stay_and_play" in err


def test_age_and_pregnant_cannot_be_given_together(seeded, capsys):
    with pytest.raises(SystemExit) as raised:
        main(["search", "--age-months", "6", "--pregnant"])
    assert raised.value.code == 2


def test_db_option_wins_over_the_environment(db_path, tmp_path, capsys):
    other = tmp_path / "chosen.db"
    assert main(["--db", str(other), "seed"]) == 0
    assert other.exists() and not db_path.exists()
