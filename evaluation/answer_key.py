"""Which services are right for which needs, per directory: the answer key the judge reads.

- The second directory (Wakefield) and its copy with no Signpost terms share one key,
  ``second_answer_key.yml``, written with the directory: the needs that truly fit each service.
  The copy's services carry none of those terms, so the bot cannot read the key from them.
- The sample directory has no separate key: each service's true needs are its Signpost
  taxonomy terms (``signpost-core-offer``) in ``sample_directory.json``.

Each keyed service also keeps its own name and description (a right answer may be found by the
words a parent used) and the days its sessions can fall on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from directory import schedules
from directory.oruk import load_json_file
from directory.taxonomy import TAXONOMY_ID
from evaluation.conversation_set import Directory


@dataclass(frozen=True)
class KeyedService:
    """One service as the judge sees it."""

    id: str
    name: str
    description: str
    needs: frozenset[str]
    days: frozenset[str]  # MO..SU its sessions can fall on
    any_day: bool = False  # by appointment: fits whatever day a parent asks for

    def runs_on(self, days: frozenset[str]) -> bool:
        return self.any_day or bool(self.days & days)


AnswerKey = Mapping[str, KeyedService]


def signpost_needs(service: Mapping[str, Any]) -> frozenset[str]:
    """The service's terms in our taxonomy (``signpost-core-offer``), from its attributes."""
    return frozenset(
        a.get("taxonomy_term_id") or (a.get("taxonomy_term") or {}).get("id")
        for a in service.get("attributes") or []
        if (a.get("taxonomy_term") or {}).get("taxonomy_id") == TAXONOMY_ID)


def _schedules(service: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from service.get("schedules") or []
    for link in service.get("service_at_locations") or []:
        yield from link.get("schedules") or []


def _days(service: Mapping[str, Any]) -> tuple[frozenset[str], bool]:
    days: set[str] = set()
    any_day = False
    for schedule in _schedules(service):
        if schedules.is_by_appointment(schedule):
            any_day = True
            continue
        try:
            days |= schedules.weekdays(schedule)
        except schedules.ScheduleError:
            continue  # the search skips a row it cannot read; so does the judge
    return frozenset(days), any_day


def keyed(service: Mapping[str, Any], needs: frozenset[str]) -> KeyedService:
    days, any_day = _days(service)
    return KeyedService(id=str(service["id"]), name=str(service.get("name") or ""),
                        description=str(service.get("description") or ""), needs=needs,
                        days=days, any_day=any_day)


def load_answer_key(directory: Directory) -> dict[str, KeyedService]:
    """Every service of ``directory`` by id, with its true needs."""
    services = load_json_file(directory.oruk_file)
    if directory.answer_key_file is None:
        return {str(s["id"]): keyed(s, signpost_needs(s)) for s in services}
    key = _read_key(directory.answer_key_file)
    missing = [str(s["id"]) for s in services if str(s["id"]) not in key]
    if missing:
        raise ValueError(f"{directory.answer_key_file.name} has no entry for {len(missing)} "
                         f"services of {directory.oruk_file.name}, such as {missing[0]}")
    return {str(s["id"]): keyed(s, key[str(s["id"])]) for s in services}


def _read_key(path: Path) -> dict[str, frozenset[str]]:
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("services") or {}
    return {str(sid): frozenset(entry.get("needs") or []) for sid, entry in entries.items()}
