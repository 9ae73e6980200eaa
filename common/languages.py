"""The other languages Signpost recognises, read from ``common/languages.yml`` and checked.

The file is the one list of languages: the NLU language detector is built from its codes, the
detector reads ages ("2 lata") with its age words, and the actions take the interpreter sentence
from it. ``load_languages()`` refuses a broken file with a message that names the language and
the fix, because a typo in a sentence would otherwise reach a parent who cannot read English.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

DEFAULT_PATH = Path(__file__).with_name("languages.yml")
_CODE = re.compile(r"^[a-z]{2}$")
_FIELDS = ("code", "name", "own_name", "script", "direction", "interpreter", "source", "review")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_ALLOWED_PLACEHOLDERS = {"phone", "name"}
#: Unicode "left-to-right isolate" and "pop directional isolate": a phone number inside them
#: keeps its digit groups in order in right-to-left text.
LRI, PDI = "\u2066", "\u2069"


class LanguagesError(ValueError):
    """``languages.yml`` is broken; the message says where and how to fix it."""


@dataclass(frozen=True)
class Language:
    """One language besides English, and what the bot says to a parent who writes in it."""

    code: str
    name: str
    own_name: str
    script: str
    direction: str
    interpreter: str
    source: str
    review: str
    years: tuple[str, ...] = ()
    months: tuple[str, ...] = ()

    def interpreter_sentence(self, phone: str) -> str:
        """The sentence with the main line's number in it, kept readable in right-to-left text."""
        number = f"{LRI}{phone}{PDI}" if self.direction == "rtl" else phone
        return self.interpreter.format(phone=number, name=self.name)


def _words(value: Any, where: str, errors: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        errors.append(f"{where} must be a list of words")
        return ()
    return tuple(w.strip() for w in value)


def parse_languages(raw: Any, source: str = "languages.yml") -> dict[str, Language]:
    """Languages by code from parsed YAML, collecting every problem before raising."""
    if not isinstance(raw, dict) or not isinstance(raw.get("languages"), list):
        raise LanguagesError(f"{source}: expected 'languages:' with a list of languages under it.")
    errors: list[str] = []
    languages: dict[str, Language] = {}
    for position, entry in enumerate(raw["languages"], start=1):
        where = f"language {position}"
        if not isinstance(entry, dict):
            errors.append(f"{where} must be a mapping with {', '.join(_FIELDS)}")
            continue
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE.match(code) or code == "en":
            errors.append(f"{where}: 'code' must be a two-letter ISO 639-1 code other than 'en' "
                          f"(like 'pl'), not {code!r}")
            continue
        where = f"language '{code}'"
        if code in languages:
            errors.append(f"{where} is listed twice")
            continue
        missing = [f for f in _FIELDS if not isinstance(entry.get(f), str) or not entry[f].strip()]
        if missing:
            errors.append(f"{where} is missing {', '.join(repr(m) for m in missing)} (each is some text)")
            continue
        if entry["direction"] not in ("ltr", "rtl"):
            errors.append(f"{where}: 'direction' must be ltr or rtl, not {entry['direction']!r}")
        sentence = entry["interpreter"].strip()
        placeholders = set(_PLACEHOLDER.findall(sentence))
        if "phone" not in placeholders:
            errors.append(f"{where}: the interpreter sentence must contain {{phone}}, where the "
                          f"family hubs' number goes")
        if placeholders - _ALLOWED_PLACEHOLDERS:
            errors.append(f"{where}: the interpreter sentence may only use {{phone}} and {{name}}, "
                          f"not {', '.join(sorted(placeholders - _ALLOWED_PLACEHOLDERS))}")
        ages = entry.get("age_words") or {}
        if not isinstance(ages, dict):
            errors.append(f"{where}: 'age_words' must have 'years' and 'months' lists")
            ages = {}
        languages[code] = Language(
            code=code,
            name=entry["name"].strip(),
            own_name=entry["own_name"].strip(),
            script=entry["script"].strip(),
            direction=entry["direction"],
            interpreter=sentence,
            source=" ".join(entry["source"].split()),
            review=entry["review"].strip(),
            years=_words(ages.get("years"), f"{where}: 'age_words.years'", errors),
            months=_words(ages.get("months"), f"{where}: 'age_words.months'", errors),
        )
    if errors:
        listed = "\n".join(f"  - {e}" for e in errors)
        raise LanguagesError(f"{source} has {len(errors)} problem(s):\n{listed}")
    return languages


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> Mapping[str, Language]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LanguagesError(f"Cannot read the languages file {path}: {exc.strerror or exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LanguagesError(f"{path} is not valid YAML: {exc}") from exc
    return parse_languages(raw, source=path)


def load_languages(path: str | Path | None = None) -> Mapping[str, Language]:
    """The languages in ``languages.yml`` (next to this module by default), by code. Cached."""
    resolved = Path(path) if path is not None else DEFAULT_PATH
    return _load_cached(str(resolved.resolve()))
