"""The committed stylesheet is the one its source builds (so `make run` needs no Node)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_signpost_css_matches_its_scss_source(tmp_path):
    sass = ROOT / "node_modules" / ".bin" / "sass"
    if not sass.exists():
        pytest.skip("node_modules is not installed (scripts/setup.sh node)")
    script = json.loads((ROOT / "package.json").read_text())["scripts"]["build:css"]
    argv = shlex.split(script)
    argv[0] = str(sass)
    argv[-1] = str(tmp_path / "built.css")
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    committed = (ROOT / "web" / "static" / "signpost.css").read_text()
    assert (tmp_path / "built.css").read_text() == committed, "run `npm run build:css` and commit"


def test_the_stylesheet_uses_no_gov_uk_only_font_and_loads_nothing_from_elsewhere():
    css = (ROOT / "web" / "static" / "signpost.css").read_text()
    assert "GDS Transport" not in css
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls and all(u.strip("'\"").startswith("/static/") for u in urls)
    assert "@import" not in css
