"""No SQL outside ``directory/``: the web tier, the actions and the NLU components call the
library. The Rasa tracker store and the web tier's chat sessions keep their own SQL, on their own
databases (the retention job deletes old tracker events)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN_DATABASES = {"bot/tracker_store.py", "web/sessions.py", "web/retention.py"}
SQL = re.compile(r"""\.(?:execute|executemany|executescript)\(|(?:\bdb|\bconn|\])\.query\(|["'](?:SELECT|INSERT|UPDATE|DELETE|PRAGMA) """)


def test_only_the_library_speaks_sql_to_the_directory():
    found = []
    for folder in ("web", "actions", "bot", "common"):
        for path in (ROOT / folder).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if name in OWN_DATABASES:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if SQL.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "SQL outside directory/:\n" + "\n".join(found)


def test_the_pattern_finds_sql():
    assert SQL.search('rows = db.query("SELECT id FROM location")')
    assert SQL.search("conn.execute(sql, params)")
    assert not SQL.search("form.query()")
