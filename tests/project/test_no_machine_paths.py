"""No file names a path that exists on one machine only: a fresh clone anywhere must work.

Files refer to each other relative to the repository (``Path(__file__).parents[...]``, or the
current directory for scripts, which ``cd`` to the root first).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Not ours, or made by setup and tests.
SKIP_DIRS = {".git", ".venv", "node_modules", "var", "models", "test-output", "__pycache__",
             ".pytest_cache", ".hypothesis", ".rasa"}
#: Home folders and one machine's work areas. System paths (/usr/bin/chromium) are the same
#: on every Debian machine and are fine.
MACHINE_PATH = re.compile(r"(?<![\w.~$}])/(?:work|root|home|Users|mnt|srv)/[\w.-]")


def _files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        if any(part in SKIP_DIRS for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and path.suffix not in (".gz", ".db", ".png", ".ico", ".skops"):
            found.append(path)
    return found


def test_no_file_names_a_path_of_one_machine() -> None:
    offenders = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATH.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "paths of one machine:\n" + "\n".join(offenders)


def test_the_pattern_catches_what_it_should() -> None:
    slash = "/"  # written apart, so this file does not name the paths it tests for
    assert MACHINE_PATH.search(f'Path("{slash}work/shared/oruk/examples/service_full.json")')
    assert MACHINE_PATH.search(f"cd {slash}root/.pyenv/versions")
    assert MACHINE_PATH.search(f"see {slash}home/sam/signpost")
    assert not MACHINE_PATH.search("executable_path=/usr/bin/chromium")
    assert not MACHINE_PATH.search('"${PYENV_ROOT:-$HOME/.pyenv}/versions"')
    assert not MACHINE_PATH.search("~/.cache/signpost/models")
