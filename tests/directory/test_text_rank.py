"""BM25 over a service's own name and description (``directory.text_rank``), for the baseline
the conversation evaluation compares the bot with."""

from __future__ import annotations

import pytest

from directory.db import open_db
from directory.oruk import import_oruk, load_json_file
from directory.store import delete_service, sync_taxonomy
from directory.text_rank import bm25_scores, query_words


def _seeded(path, sample_path):
    """As ``python -m directory seed`` makes it: the taxonomy and its phrases, then the sample."""
    database = open_db(path)
    sync_taxonomy(database)
    import_oruk(database, load_json_file(sample_path))
    return database


@pytest.fixture(scope="module")
def db(tmp_path_factory, sample_path):
    database = _seeded(tmp_path_factory.mktemp("text_rank") / "directory.db", sample_path)
    yield database
    database.conn.close()


def _names(db, scores: dict[str, float]) -> list[str]:
    ranked = sorted(scores, key=lambda sid: -scores[sid])
    return [db.execute("SELECT name FROM service WHERE id = ?", [sid]).fetchone()[0]
            for sid in ranked]


def test_the_service_whose_own_text_says_the_words_comes_first(db):
    assert _names(db, bm25_scores(db, "sensory room"))[0] == "Inclusive Play in the Sensory Room"


def test_the_stemmer_applies_to_the_parents_words(db):
    assert "Baby Clinic at Blackburn Central Family Hub" in _names(
        db, bm25_scores(db, "weighed"))  # its description says "Weigh your baby"


def test_signpost_terms_and_phrases_are_not_service_text(db):
    # "playgroup" is a stay_and_play phrase: the live search finds it through the terms column,
    # the baseline must not (a council feed has no Signpost phrases).
    assert db.execute("SELECT count(*) FROM service_fts WHERE service_fts MATCH 'playgroup'"
                      ).fetchone()[0] > 0
    assert bm25_scores(db, "playgroup") == {}


def test_stop_words_alone_find_nothing_and_syntax_is_plain_text(db):
    assert query_words("Is THE baby, and the BABY?") == ["baby"]
    assert bm25_scores(db, "the and of it") == {}
    bm25_scores(db, 'NEAR( "* OR ) sensory:')  # FTS5 syntax typed by a parent is just words


def test_only_the_services_asked_about_are_scored(db):
    everything = bm25_scores(db, "baby")
    some = sorted(everything)[:3]
    assert set(bm25_scores(db, "baby", some)) == set(some)


def test_the_index_is_a_snapshot_until_refreshed(tmp_path, sample_path):
    db = _seeded(tmp_path / "directory.db", sample_path)
    clinic = db.execute("SELECT id FROM service WHERE name = ?",
                        ["Inclusive Play in the Sensory Room"]).fetchone()[0]
    assert clinic in bm25_scores(db, "sensory room")
    delete_service(db, clinic)
    assert clinic in bm25_scores(db, "sensory room")  # the copy made on first use
    assert clinic not in bm25_scores(db, "sensory room", refresh=True)
    db.conn.close()
