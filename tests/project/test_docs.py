"""Docs that cannot drift (as sqlite-utils does for its CLI): every command, option, make target,
``SIGNPOST_*`` variable, route, test folder and file path the code has is in the docs, and
everything the docs name exists.

The docs are README.md, ``docs/*.md`` and ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from common.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _all_docs() -> str:
    return "\n".join(_text(p) for p in DOCS)


def _code_spans(text: str) -> list[str]:
    """Everything in backticks or fenced code blocks: where commands are written."""
    blocks = re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.S)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return blocks + inline


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its subparsers here, and only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _long_options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings
            if o.startswith("--") and o != "--help" and a.help != argparse.SUPPRESS}


# --- command lines ----------------------------------------------------------------------------

def _sections(text: str) -> dict[str, str]:
    """``## name ...`` headings of docs/cli.md -> the text of their section."""
    parts = re.split(r"(?m)^## ", text)
    return {part.split()[0]: part for part in parts[1:]}


def test_every_directory_command_and_option_is_documented_and_no_other():
    from directory.cli import build_parser

    parser = build_parser(Settings())
    commands = _subcommands(parser)
    text = _text(ROOT / "docs" / "cli.md")
    sections = _sections(text)
    assert set(sections) == set(commands), "## sections of docs/cli.md != `python -m directory` commands"
    for option in _long_options(parser):
        assert f"`{option}" in text, f"docs/cli.md does not explain {option}"
    for name, sub in commands.items():
        options = _long_options(sub)
        mentioned = set(re.findall(r"(--[a-z][a-z-]*)", sections[name])) - _long_options(parser)
        assert options <= mentioned, f"{name}: {options - mentioned} not in docs/cli.md"
        assert mentioned <= options, f"{name}: docs/cli.md names {mentioned - options}, which it lacks"


@pytest.mark.parametrize("module, doc, how", [
    ("web.staff.__main__", "docs/staff.md", 'make staff ARGS="{command}'),
    ("directory.geo", "docs/geography.md", "python -m directory.geo {command}"),
])
def test_every_command_of_the_other_command_lines_is_documented_and_no_other(module, doc, how):
    import importlib

    parser = importlib.import_module(module).build_parser(Settings())
    commands = _subcommands(parser)
    text = _text(ROOT / doc)
    prefix = re.escape(how.split("{command}")[0])
    documented = set(re.findall(prefix + r"([a-z]+(?:-[a-z]+)*)", text))
    assert documented == set(commands), f"{doc} documents {documented}, the command line has {set(commands)}"
    for name, sub in commands.items():
        for option in _long_options(sub):
            assert option in text, f"{doc} does not mention {name} {option}"


# --- make targets -----------------------------------------------------------------------------

def _make_targets() -> set[str]:
    text = _text(ROOT / "Makefile")
    return set(re.findall(r"(?m)^([a-z][a-z-]*):", text))


def test_every_make_target_is_documented_and_every_documented_one_exists():
    targets = _make_targets()
    used = {m for span in _code_spans(_all_docs()) for m in re.findall(r"\bmake ([a-z][a-z-]*)", span)}
    assert targets - used == set(), f"make targets no doc mentions: {targets - used}"
    assert used - targets == set(), f"documented make targets that do not exist: {used - targets}"


# --- settings ---------------------------------------------------------------------------------

VARIABLE = re.compile(r"SIGNPOST_[A-Z0-9_]*[A-Z0-9]\b")
CODE_FILES = ("*.py", "*.sh", "*.yml", "*.yaml", "Makefile", "Dockerfile.*", "Caddyfile", "*.conf*")
SKIP = {".git", ".venv", "node_modules", "var", "models", "test-output", "__pycache__"}


def _code_variables() -> set[str]:
    found: set[str] = set()
    for pattern in CODE_FILES:
        for path in ROOT.rglob(pattern):
            if SKIP & set(path.relative_to(ROOT).parts) or not path.is_file():
                continue
            found |= set(VARIABLE.findall(path.read_text(encoding="utf-8", errors="replace")))
    return found


def test_every_signpost_variable_is_documented_and_every_documented_one_is_read():
    in_code = _code_variables()
    in_docs = set(VARIABLE.findall(_all_docs()))
    assert in_code - in_docs == set(), f"variables the docs do not mention: {in_code - in_docs}"
    assert in_docs - in_code == set(), f"documented variables nothing reads: {in_docs - in_code}"


def test_every_setting_is_in_the_readme_table():
    readme = _text(ROOT / "README.md")
    table = {m for m in re.findall(r"(?m)^\| `(SIGNPOST_[A-Z_]+)`", readme)}
    read_by_settings = set(VARIABLE.findall(_text(ROOT / "common" / "settings.py")))
    assert read_by_settings <= table, f"README's table lacks {read_by_settings - table}"


# --- web routes -------------------------------------------------------------------------------

def test_the_route_table_in_docs_web_md_is_the_app_s():
    from aiohttp import web as aiohttp_web

    from web.app import create_app

    app = create_app(Settings())
    served: set[tuple[str, str]] = set()
    for resource in app.router.resources():
        info = resource.get_info()
        if isinstance(resource, aiohttp_web.PrefixedSubAppResource):
            served.add(("*", resource.canonical + "/…"))
        elif "prefix" in info:  # static files
            served.add(("*", info["prefix"].rstrip("/") + "/…"))
        else:
            for route in resource:
                if route.method != "HEAD":
                    served.add((route.method, resource.canonical))
    text = _text(ROOT / "docs" / "web.md")
    table = text.split("## Routes", 1)[1].split("\n\n", 2)[1]
    documented = set()
    for cell in re.findall(r"(?m)^\| `([^`]+)`", table):
        method, _, path = cell.partition(" ") if " " in cell else ("*", "", cell)
        documented.add((method, path))
    assert documented == served, (f"only in docs/web.md: {documented - served}; "
                                  f"only in the app: {served - documented}")


# --- test folders -----------------------------------------------------------------------------

def test_every_test_folder_is_described_and_run():
    folders = {p.parent.relative_to(ROOT).parts[1] for p in (ROOT / "tests").glob("*/**/test_*.py")}
    text = _text(ROOT / "docs" / "architecture.md").split("## Tests", 1)[1]
    described = set(re.findall(r"`tests/([a-z_]+)/`", text))
    assert folders - described == set(), f"docs/architecture.md does not describe {folders - described}"
    assert described - folders == set(), f"docs/architecture.md describes missing {described - folders}"
    script = _text(ROOT / "scripts" / "test.sh")
    for folder in folders:
        assert f"tests/{folder}" in script, f"scripts/test.sh never runs tests/{folder}"


# --- paths ------------------------------------------------------------------------------------

TOP = sorted(p.name for p in ROOT.iterdir() if not p.name.startswith(".")
             and p.name not in SKIP)
#: Made by setup, training, the tests or a deployment, so not in a fresh clone.
MADE = ("var/", "models/", "node_modules/", "test-output/", ".venv/", "deploy/.env",
        "bench/results/")
PATH = re.compile(r"^(?:" + "|".join(re.escape(t) for t in TOP) + r")(?:/[\w.*\-]+)*/?$")


def _documented_paths() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        text = _text(doc)
        for span in re.findall(r"`([^`\n]+)`", text):
            for token in span.split():
                token = token.strip(",;:()")
                if PATH.match(token) and "/" in token and not token.startswith(MADE):
                    found.append((doc.name, token))
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if not target.startswith(("http:", "https:", "mailto:")):
                found.append((doc.name, str((doc.parent / target).resolve().relative_to(ROOT))))
    return found


def test_every_file_the_docs_name_exists():
    missing = [f"{doc}: {path}" for doc, path in _documented_paths()
               if not (list(ROOT.glob(path.rstrip("/"))) if "*" in path else (ROOT / path).exists())]
    assert not missing, "the docs name files that do not exist:\n" + "\n".join(missing)


def test_the_checks_above_can_fail():
    """The path and variable patterns find what they should (so a pass means something)."""
    assert PATH.match("web/staff/auth.py") and PATH.match("tests/web/staff/")
    assert not PATH.match("python -m web") and not PATH.match("GET /oruk/services")
    assert VARIABLE.findall("`SIGNPOST_RATE_LIMIT_*` and SIGNPOST_PORT") == ["SIGNPOST_PORT"]
