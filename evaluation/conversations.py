"""End-to-end conversation evaluation: does the parent end up looking at a right service?

For each directory (the sample; Wakefield, which the bot never saw; the same Wakefield services
with no Signpost terms) this starts a whole stack (``tests/stack.py``: action server and Rasa with
the trained model, a fresh directory seeded from that directory's ORUK file), fills the set's
place placeholders from ``places.yml`` and sends every message of ``tests/conversations/``
through Rasa's REST channel, one new conversation (sender id) each:

- **single messages** (``single_needs.yml``): the first reply is judged. A message that names no
  place gets one more turn, the directory's town, when the first reply shows no services (a
  parent asked "Where should I look?" says where).
- **conversations** (``multi_turn.yml``): every turn is sent; only the last reply is judged.

The same set is run through a baseline with no conversation (``evaluation.baseline``: BM25 over
the services' own text, the same place and age filters). Figures, per directory and system:
top-3 hit on single messages (English and other languages), multi-turn pass rate, dead ends
(two generic prompts in a row: ``evaluation.judging``) and median turns to a first result. The
issue's targets are checked and printed; the figures go to ``test-output/conversation-eval.json``
and every transcript to ``test-output/conversation-eval-transcripts.jsonl``.

    python -m evaluation.conversations [--directory sample] [--show] [--only s001]
                                       [--model models/signpost.tar.gz] [--baseline-only]

Exit status 0 whether or not the targets are met (the figures are the product; a gate on them
belongs to the tests), 2 when a stack could not start.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from tqdm import tqdm

from common.settings import Settings
from directory.db import Directory as LibraryDirectory, open_db
from directory.oruk import import_oruk, load_json_file
from directory.store import sync_taxonomy
from evaluation import baseline
from evaluation.answer_key import AnswerKey, load_answer_key
from evaluation.conversation_set import (ENGLISH, FOLLOW_UP_PLACE, Conversation, Directory,
                                         directories, fill, load_set, without_places)
from evaluation.judging import (ReplyKinds, Verdict, gives_phone, has_dead_end, judge_reply,
                               judge_services)

ROOT = Path(__file__).resolve().parents[1]
OUTPUT_DIR = ROOT / "test-output"
FIGURES_FILE = "conversation-eval.json"
TRANSCRIPTS_FILE = "conversation-eval-transcripts.jsonl"

TARGET_TOP3 = 0.95
TARGET_ABOVE_BASELINE = 0.20
TARGET_MULTI = 1.0
TARGET_DEAD_ENDS = 0
TARGET_MEDIAN_TURNS = 2

Say = Callable[[str, str], list[dict[str, Any]]]


@dataclass
class Outcome:
    """One item of the set, run by one system over one directory, and how it was judged."""

    directory: str
    system: str  # "bot" or "baseline"
    id: str
    kind: str  # "single" or "multi"
    language: str
    pattern: str | None
    messages: list[str]
    right: bool
    shown: list[str] = field(default_factory=list)  # names of the first three services
    right_service: str | None = None
    on_a_day_asked: bool | None = None
    turns_to_result: int | None = None  # the first turn that showed services (or a phone)
    dead_end: bool = False
    final_kind: str = ""
    kinds: list[str] = field(default_factory=list)  # each reply's kind, turn by turn
    replies: list[list[dict[str, Any]]] = field(default_factory=list)
    error: str | None = None


# --- running the bot --------------------------------------------------------------------------

def talk(say: Say, conversation: Conversation, directory: Directory, key: AnswerKey,
         kinds: ReplyKinds, sender: str) -> Outcome:
    """Send one item of the set, turn by turn, and judge the last reply."""
    messages = [fill(turn, directory.places) for turn in conversation.turns]
    replies: list[list[dict[str, Any]]] = []
    error = None
    try:
        for text in messages:
            replies.append(say(sender, text))
        if (conversation.kind == "single" and not conversation.names_place
                and not _shows_services(kinds, replies[-1])):
            messages.append(directory.places[FOLLOW_UP_PLACE])
            replies.append(say(sender, messages[-1]))
    except (urllib.error.URLError, OSError, ValueError) as err:
        error = f"{type(err).__name__}: {err}"
    verdict = (judge_reply(replies[-1], conversation.expected, key)
               if replies and error is None else Verdict(False))
    turn_kinds = [kinds.kind(reply) for reply in replies]
    # A result: services, or for a parent who asked for a person, a number to ring.
    first = next((i + 1 for i, (kind, reply) in enumerate(zip(turn_kinds, replies))
                  if kind == "services" or (conversation.expected.human and gives_phone(reply))),
                 None)
    return Outcome(
        directory=directory.name, system="bot", id=conversation.id, kind=conversation.kind,
        language=conversation.language, pattern=conversation.pattern, messages=messages,
        right=verdict.right, shown=[_name(key, sid) for sid in verdict.shown],
        right_service=_name(key, verdict.right_id) if verdict.right_id else None,
        on_a_day_asked=verdict.on_a_day_asked, turns_to_result=first,
        dead_end=has_dead_end([kinds.is_generic(reply) for reply in replies]),
        final_kind="error" if error else (turn_kinds[-1] if turn_kinds else "nothing"),
        kinds=turn_kinds, replies=replies, error=error)


def _shows_services(kinds: ReplyKinds, reply: Sequence[Mapping[str, Any]]) -> bool:
    return kinds.kind(reply) == "services"


def _name(key: AnswerKey, service_id: str | None) -> str:
    service = key.get(service_id or "")
    return service.name if service else str(service_id)


def prepare_directory(path: Path, oruk_file: Path) -> None:
    """A directory database as ``python -m directory seed`` makes one for ``make run``: the
    needs taxonomy with its phrases first, then the services of ``oruk_file``."""
    db = open_db(path)
    try:
        sync_taxonomy(db)
        import_oruk(db, load_json_file(oruk_file))
    finally:
        db.conn.close()


def run_bot(directory: Directory, conversations: Sequence[Conversation], key: AnswerKey, *,
            model: str | None = None) -> list[Outcome]:
    """Start a stack seeded with ``directory`` and talk through the whole set."""
    from tests.stack import Stack, StackError  # starts servers: only when the bot is measured

    kinds = ReplyKinds()
    run = uuid.uuid4().hex[:8]
    started = time.monotonic()
    print(f"[eval] {directory.title}: starting a stack (Rasa loads the model in 20-180 s) ...",
          file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="signpost-eval-stack-") as workdir:
        # The stack seeds only an empty directory: this one is already seeded like make run's.
        prepare_directory(Path(workdir) / "directory.db", directory.oruk_file)
        with Stack(model=model, workdir=workdir, directory_file=directory.oruk_file) as stack:
            print(f"[eval] {directory.title}: stack up in {time.monotonic() - started:.0f} s",
                  file=sys.stderr, flush=True)
            outcomes = []
            for conversation in tqdm(conversations, desc=f"bot, {directory.name}",
                                     unit="conv", file=sys.stderr, leave=False):
                outcome = talk(stack.say, conversation, directory, key, kinds,
                               f"eval-{run}-{directory.name}-{conversation.id}")
                if outcome.error and not stack.is_running("rasa"):
                    raise StackError("Rasa stopped during the evaluation.\n"
                                     + stack.log_tail("rasa"))
                outcomes.append(outcome)
    return outcomes


# --- running the baseline ---------------------------------------------------------------------

def run_baseline(directory: Directory, conversations: Sequence[Conversation],
                 key: AnswerKey) -> list[Outcome]:
    """The search box over a fresh copy of ``directory``: one query per item."""
    with tempfile.TemporaryDirectory(prefix="signpost-eval-") as tmp:
        path = Path(tmp) / "directory.db"
        prepare_directory(path, directory.oruk_file)
        library = LibraryDirectory.open(path, Settings.from_env().geo_db)
        try:
            areas: dict[tuple, dict[str, float | None]] = {}  # the same place and age, once
            return [ask_baseline(library, c, directory, key, areas) for c in conversations]
        finally:
            library.close()


def ask_baseline(library: LibraryDirectory, conversation: Conversation, directory: Directory, key: AnswerKey,
                 areas: dict[tuple, dict[str, float | None]] | None = None) -> Outcome:
    """Everything the parent typed goes in the box at once; the place they named last (or
    their town) in the place field; the age or pregnancy the set records, if any."""
    place = directory.places[conversation.last_place or FOLLOW_UP_PLACE]
    text = baseline.conversation_text([without_places(t) for t in conversation.turns])
    area = (place, conversation.age_months, conversation.pregnant)
    areas = {} if areas is None else areas
    if area not in areas:
        areas[area] = baseline.candidates(library, near=place, age_months=conversation.age_months,
                                          pregnant=conversation.pregnant)
    ranked = baseline.rank(library, text, areas[area])
    # A search box cannot put a parent through to a person.
    verdict = (Verdict(False, tuple(ranked[:3])) if conversation.expected.human
               else judge_services(ranked, conversation.expected, key))
    return Outcome(
        directory=directory.name, system="baseline", id=conversation.id, kind=conversation.kind,
        language=conversation.language, pattern=conversation.pattern,
        messages=[text, place], right=verdict.right,
        shown=[_name(key, sid) for sid in verdict.shown],
        right_service=_name(key, verdict.right_id) if verdict.right_id else None,
        on_a_day_asked=verdict.on_a_day_asked,
        turns_to_result=(1 if ranked else None) if conversation.kind == "single" else None,
        final_kind="services" if ranked else "nothing")


# --- figures ----------------------------------------------------------------------------------

def _rate(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    right = sum(o.right for o in outcomes)
    return {"n": len(outcomes), "right": right,
            "rate": round(right / len(outcomes), 4) if outcomes else None}


def _median_turns(outcomes: Sequence[Outcome]) -> float | None:
    """Median turn of the first result; an item that never shows one counts as never (inf)."""
    if not outcomes:
        return None
    value = statistics.median(o.turns_to_result or math.inf for o in outcomes)
    return None if math.isinf(value) else value


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures of one system over one directory."""
    singles = [o for o in outcomes if o.kind == "single"]
    multi = [o for o in outcomes if o.kind == "multi"]
    english = [o for o in singles if o.language == ENGLISH]
    other = [o for o in singles if o.language != ENGLISH]
    days = [o for o in outcomes if o.on_a_day_asked is not None]
    patterns = sorted({o.pattern for o in multi if o.pattern})
    is_bot = any(o.system == "bot" for o in outcomes)
    return {
        "single": {**_rate(singles), "english": _rate(english), "other_languages": _rate(other),
                   "by_language": {lang: _rate([o for o in singles if o.language == lang])
                                   for lang in sorted({o.language for o in other})}},
        "multi": {**_rate(multi), "by_pattern": {p: _rate([o for o in multi if o.pattern == p])
                                                 for p in patterns}},
        "dead_ends": ({"conversations": sum(o.dead_end for o in outcomes),
                       "single": sum(o.dead_end for o in singles),
                       "multi": sum(o.dead_end for o in multi)} if is_bot else None),
        "median_turns_to_result": {"single": _median_turns(singles),
                                   "multi": _median_turns(multi) if is_bot else None},
        "right_day": {"asked": len(days), "on_a_day_asked": sum(bool(o.on_a_day_asked)
                                                                for o in days)},
        "failures_by_final_reply": dict(Counter(o.final_kind for o in outcomes
                                                if not o.right).most_common()),
        "errors": sum(1 for o in outcomes if o.error),
    }


def check_targets(figures: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, each with whether it is met on every directory the bot ran over."""
    ran = {name: f for name, f in figures.items() if f.get("bot")}

    def each(test: Callable[[Mapping[str, Any]], tuple[bool, str]]) -> tuple[bool, str]:
        results = {name: test(f) for name, f in ran.items()}
        detail = "; ".join(f"{name} {shown}" for name, (_, shown) in results.items())
        return bool(results) and all(ok for ok, _ in results.values()), detail

    def top3(f: Mapping[str, Any]) -> tuple[bool, str]:
        rate = f["bot"]["single"]["rate"]
        return rate >= TARGET_TOP3, _pct(rate)

    def above(f: Mapping[str, Any]) -> tuple[bool, str]:
        gap = f["bot"]["single"]["rate"] - f["baseline"]["single"]["rate"]
        return gap >= TARGET_ABOVE_BASELINE - 1e-9, f"{gap * 100:+.1f} points"

    def multi(f: Mapping[str, Any]) -> tuple[bool, str]:
        rate = f["bot"]["multi"]["rate"]
        return rate >= TARGET_MULTI, _pct(rate)

    def dead(f: Mapping[str, Any]) -> tuple[bool, str]:
        count = f["bot"]["dead_ends"]["conversations"]
        return count <= TARGET_DEAD_ENDS, str(count)

    def turns(f: Mapping[str, Any]) -> tuple[bool, str]:
        medians = f["bot"]["median_turns_to_result"]
        ok = all(m is not None and m <= TARGET_MEDIAN_TURNS for m in medians.values())
        return ok, f"{_turns(medians['single'])} / {_turns(medians['multi'])}"

    targets = [
        (f"top-3 hit on single messages >= {TARGET_TOP3:.0%} on every directory", top3),
        (f"top-3 hit >= {TARGET_ABOVE_BASELINE * 100:.0f} points above the baseline", above),
        (f"multi-turn pass rate {TARGET_MULTI:.0%}", multi),
        (f"dead ends {TARGET_DEAD_ENDS}", dead),
        (f"median turns to a first result <= {TARGET_MEDIAN_TURNS} (single / multi)", turns),
    ]
    checked = []
    for name, test in targets:
        met, detail = each(test)
        checked.append({"target": name, "met": met, "detail": detail})
    return checked


# --- printing ---------------------------------------------------------------------------------

def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def _turns(value: float | None) -> str:
    return "never" if value is None else f"{value:g}"


def render(figures: Mapping[str, Mapping[str, Any]], titles: Mapping[str, str],
           targets: Sequence[Mapping[str, Any]], counts: tuple[int, int]) -> str:
    """The one table ``make eval`` prints, then the targets."""
    header = (f"{'directory':<38} {'system':<9} {'top-3 hit':>9} {'English':>8} {'other':>7} "
              f"{'multi-turn':>10} {'dead ends':>9} {'turns s/m':>10}")
    lines = [f"End-to-end conversations (issue 11): {counts[0]} single messages, "
             f"{counts[1]} conversations; right = a right service in the first three shown",
             "", header, "-" * len(header)]
    for name, systems in figures.items():
        for system in ("bot", "baseline"):
            f = systems.get(system)
            if not f:
                continue
            dead = f["dead_ends"]["conversations"] if f["dead_ends"] is not None else "-"
            medians = f["median_turns_to_result"]
            turns = (f"{_turns(medians['single'])} / {_turns(medians['multi'])}"
                     if system == "bot" else f"{_turns(medians['single'])} / -")
            lines.append(
                f"{titles[name] if system == 'bot' or not systems.get('bot') else '':<38} "
                f"{system:<9} {_pct(f['single']['rate']):>9} "
                f"{_pct(f['single']['english']['rate']):>8} "
                f"{_pct(f['single']['other_languages']['rate']):>7} "
                f"{_pct(f['multi']['rate']):>10} {dead!s:>9} {turns:>10}")
    lines += ["",
              "top-3 hit: single messages (English, other languages); multi-turn: conversations "
              "whose last answer is right;",
              "dead ends: conversations with two generic prompts in a row; turns s/m: median "
              "turn of the first result,",
              "single messages / conversations (never: most never got one). The baseline is "
              "BM25 over the services' own",
              f"name and description within {baseline.RADIUS_KM:g} km, with the same age "
              "filter, and cannot put a parent through to a person."]
    if targets:
        lines += ["", "Targets (issue 11):"]
        lines += [f"  [{'met' if t['met'] else 'NOT met':>7}] {t['target']}: {t['detail']}"
                  for t in targets]
    return "\n".join(lines)


def render_failures(outcomes: Sequence[Outcome], *, every: bool) -> str:
    """How the bot's answers went wrong: counts by final reply, and with ``every`` each one."""
    lines = []
    for name in dict.fromkeys(o.directory for o in outcomes):
        failed = [o for o in outcomes if o.directory == name and not o.right]
        counts = Counter(o.final_kind for o in failed).most_common()
        lines.append(f"{name}: {len(failed)} wrong final answers, by what the bot said last: "
                     + ", ".join(f"{kind} {count}" for kind, count in counts))
        if every:
            for o in failed:
                said = " | ".join(o.messages)
                shown = "; ".join(o.shown) if o.shown else "no services"
                lines.append(f"  {o.id:<5} [{o.pattern or o.language}] {said}\n"
                             f"        -> {' > '.join(o.kinds)}: {shown}"
                             + (f"  ({o.error})" if o.error else ""))
    return "\n".join(lines)


# --- the command ------------------------------------------------------------------------------

def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def write_outputs(out_dir: Path, report: Mapping[str, Any],
                  outcomes: Iterable[Outcome]) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    figures_path, transcripts_path = out_dir / FIGURES_FILE, out_dir / TRANSCRIPTS_FILE
    figures_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    with transcripts_path.open("w", encoding="utf-8") as handle:
        for outcome in outcomes:
            handle.write(json.dumps(asdict(outcome), ensure_ascii=False) + "\n")
    return figures_path, transcripts_path


def _absolute_geo_index() -> None:
    """The stacks (other processes, which read Settings from their environment) and the
    baseline read the postcode index: make its path absolute before either starts."""
    value = Settings.from_env().geo_db
    if not value.is_absolute():
        os.environ["SIGNPOST_GEO_DB"] = str(ROOT / value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    known = [d.name for d in directories()]
    parser.add_argument("--directory", action="append", choices=known,
                        help="run over this directory only (repeatable; default: all)")
    parser.add_argument("--model", help="trained model (default models/signpost.tar.gz, or "
                                        "SIGNPOST_MODEL)")
    parser.add_argument("--only", action="append", metavar="ID",
                        help="only these items of the set, such as s001 or m004 (repeatable)")
    parser.add_argument("--show", action="store_true", help="list every wrong answer")
    parser.add_argument("--baseline-only", action="store_true",
                        help="the baseline alone: no stacks, a few seconds")
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR,
                        help=f"where the JSON goes (default {OUTPUT_DIR.relative_to(ROOT)}/)")
    args = parser.parse_args(argv)
    _absolute_geo_index()

    conversations = load_set()
    if args.only:
        wanted = set(args.only)
        conversations = [c for c in conversations if c.id in wanted]
        unknown = wanted - {c.id for c in conversations}
        if unknown:
            parser.error(f"no such item in the set: {', '.join(sorted(unknown))}")
    chosen = [d for d in directories() if not args.directory or d.name in args.directory]

    started = time.monotonic()
    figures: dict[str, dict[str, Any]] = {}
    seconds: dict[str, float] = {}
    outcomes: list[Outcome] = []
    for directory in chosen:
        key = load_answer_key(directory)
        figures[directory.name] = {}
        if not args.baseline_only:
            began = time.monotonic()
            try:
                found = run_bot(directory, conversations, key, model=args.model)
            except Exception as err:  # noqa: BLE001 - StackError and friends: say why, stop
                print(f"[eval] The stack for {directory.title} did not run: {err}",
                      file=sys.stderr)
                return 2
            seconds[directory.name] = round(time.monotonic() - began, 1)
            figures[directory.name]["bot"] = summarise(found)
            outcomes += found
        found = run_baseline(directory, conversations, key)
        figures[directory.name]["baseline"] = summarise(found)
        outcomes += found

    targets = [] if args.baseline_only or args.only else check_targets(figures)
    counts = (sum(c.kind == "single" for c in conversations),
              sum(c.kind == "multi" for c in conversations))
    titles = {d.name: d.title for d in chosen}
    report = {
        "what": "issue 11 end-to-end conversation evaluation (evaluation/conversations.py)",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "model": None if args.baseline_only else str(
            args.model or os.environ.get("SIGNPOST_MODEL") or ROOT / "models" / "signpost.tar.gz"),
        "items": {"single": counts[0], "multi": counts[1]},
        "baseline": {"ranking": "FTS5 bm25() over service name and description",
                     "radius_km": baseline.RADIUS_KM},
        "targets": targets,
        "all_targets_met": bool(targets) and all(t["met"] for t in targets),
        "directories": {name: {"title": titles[name], **systems}
                        for name, systems in figures.items()},
        "seconds": {"bot_per_directory": seconds,
                    "total": round(time.monotonic() - started, 1)},
    }
    print(render(figures, titles, targets, counts))
    bot_outcomes = [o for o in outcomes if o.system == "bot"]
    if bot_outcomes:
        print("\nWhy the bot's answers were wrong (its last reply):")
        print(render_failures(bot_outcomes, every=args.show))
    figures_path, transcripts_path = write_outputs(args.output, report, outcomes)
    print(f"\nFigures: {figures_path}\nTranscripts: {transcripts_path}\n"
          f"Took {report['seconds']['total']:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
