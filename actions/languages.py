"""A parent who writes in another language: which one, and the interpreter sentence in it.

The NLU's language detector (``bot/nlu/language_detector.py``) tags such a message with a
``language`` entity (``pl``, ``ur``...). The search action calls these functions: it adds
``interpreter_sentence`` to its reply, so a parent who cannot read the English results still
learns, in their own words, how to get a person who speaks their language; and it passes
``search_language`` to the directory search as ``prefer_language``, so services run in that
language come first. The sentences live in ``common/languages.yml``; the number is the family
hubs' main line from ``Settings`` (``SIGNPOST_FAMILY_HUBS_PHONE``), never written in the file.
"""

from __future__ import annotations

from typing import Any, Mapping

from common.languages import Language, load_languages

LANGUAGE_ENTITY = "language"
LANGUAGE_SLOT = "language"


def interpreter_sentence(language_code: str | None, phone: str,
                         languages: Mapping[str, Language] | None = None) -> str | None:
    """The offer of an interpreter in the language ``language_code``, with ``phone`` in it.

    None for English, for no language and for a language ``common/languages.yml`` does not
    list: the caller then says nothing extra rather than something the parent cannot read.
    """
    if not language_code:
        return None
    language = (languages if languages is not None else load_languages()).get(
        language_code.strip().lower())
    return language.interpreter_sentence(phone) if language else None


def message_language(latest_message: Mapping[str, Any] | None) -> str | None:
    """The language code the detector put on a message (``tracker.latest_message``), or None
    when the message was read as English."""
    for entity in (latest_message or {}).get("entities") or []:
        if entity.get("entity") == LANGUAGE_ENTITY and isinstance(entity.get("value"), str):
            return entity["value"]
    return None


def search_language(latest_message: Mapping[str, Any] | None,
                    languages: Mapping[str, Language] | None = None) -> str | None:
    """What the search action passes as ``SearchQuery.prefer_language``: the language of the
    parent's latest message when it is one we know, else None (no preference, English)."""
    code = message_language(latest_message)
    known = languages if languages is not None else load_languages()
    return code if code in known else None


def language_name(language_code: str | None,
                  languages: Mapping[str, Language] | None = None) -> str | None:
    """"Polish (Polski)" for ``pl``: for staff screens and logs, None when unknown."""
    language = (languages if languages is not None else load_languages()).get(language_code or "")
    return f"{language.name} ({language.own_name})" if language else None
