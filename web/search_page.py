"""``GET /search``: find services with a plain form — no JavaScript needed.

The same facts as the chat's service cards, in the same words (``directory.cards``), as
accessible HTML. An unknown place gets a clear message and the nearest names we know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from web import keys
from web.client_address import client_address
from web.report import BUTTONS as REPORT_BUTTONS
from common.days import DAY_NAMES, TIMES_OF_DAY, WEEKEND
from common.languages import load_languages
from directory.cards import card
from directory.demand import record_search
from directory.geo import UnknownPlace
from directory.db import Directory
from directory.search import SearchQuery

routes = web.RouteTableDef()

PAGE_SIZE = 10

#: (value, label, months used for the search); "pregnant" searches antenatal-friendly services.
AGES = (
    ("pregnant", "Expecting a baby", None),
    ("0", "Under 1 year old", 6),
    ("1", "1 year old", 18),
    ("2", "2 years old", 30),
    ("3", "3 years old", 42),
    ("4", "4 years old", 54),
    ("5", "5 years old", 66),
    ("6-11", "6 to 11 years old", 102),
    ("12+", "12 or older", 156),
)
DAYS = (("", "Any day"),) + tuple((code, name) for code, name in DAY_NAMES.items()) + (
    ("weekend", "Saturday or Sunday"),)
TIMES = (("", "Any time"),) + tuple((name, name.capitalize()) for name in TIMES_OF_DAY)


def language_options() -> tuple[tuple[str, str], ...]:
    """"Any language" and the languages Signpost knows (``common/languages.yml``), by code."""
    return (("", "Any language"),) + tuple((code, language.name)
                                           for code, language in load_languages().items())


@dataclass
class Form:
    """What the parent asked for, as typed, plus anything wrong with it."""

    need: str = ""
    near: str = ""
    age: str = ""
    day: str = ""
    time: str = ""
    free: bool = False
    access: bool = False
    language: str = ""
    text: str = ""
    offset: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def submitted(self) -> bool:
        return any([self.need, self.near, self.age, self.day, self.time, self.free, self.access,
                    self.language, self.text])

    def query(self) -> SearchQuery:
        months = dict((value, m) for value, _, m in AGES).get(self.age)
        days = list(WEEKEND) if self.day == "weekend" else ([self.day] if self.day else [])
        return SearchQuery(terms=[self.need] if self.need else [], text=self.text or None,
                           near=self.near or None, age_months=months,
                           pregnant=self.age == "pregnant", days=days,
                           time_of_day=self.time or None, free=self.free,
                           accessible=self.access, language=self.language or None,
                           limit=PAGE_SIZE, offset=self.offset)

    def link(self, **changes: Any) -> str:
        values = {"need": self.need, "near": self.near, "age": self.age, "day": self.day,
                  "time": self.time, "free": "1" if self.free else "",
                  "access": "1" if self.access else "", "language": self.language,
                  "text": self.text,
                  "offset": str(self.offset or "")}
        values.update({k: str(v) for k, v in changes.items()})
        return "/search?" + urlencode({k: v for k, v in values.items() if v})


def read_form(params: Any, need_ids: set[str]) -> Form:
    def get(name: str, limit: int = 100) -> str:
        return str(params.get(name, "")).strip()[:limit]

    yes = ("1", "on", "yes", "true")
    form = Form(need=get("need"), near=get("near"), age=get("age"), day=get("day"),
                time=get("time"), free=get("free") in yes, access=get("access") in yes,
                language=get("language"), text=get("text", 1000))
    try:
        form.offset = max(0, min(int(get("offset") or 0), 1000))
    except ValueError:
        form.offset = 0
    if form.need and form.need not in need_ids:
        form.errors["need"] = "Choose what you are looking for from the list"
    if form.age and form.age not in {value for value, _, _ in AGES}:
        form.errors["age"] = "Choose your child's age from the list"
    if form.day and form.day not in {value for value, _ in DAYS}:
        form.errors["day"] = "Choose a day from the list"
    if form.time and form.time not in {value for value, _ in TIMES}:
        form.errors["time"] = "Choose a time of day from the list"
    if form.language and form.language not in {value for value, _ in language_options()}:
        form.errors["language"] = "Choose a language from the list"
    return form


def _search_and_record(directory: Directory, query: SearchQuery, first_page: bool):
    results = directory.search(query)
    if first_page:
        record_search(directory.db, query, len(results), "search_page")
    return results


@routes.get("/search", name="search")
async def search_page(request: web.Request) -> web.Response:
    taxonomy = request.app[keys.DIRECTORY].taxonomy
    needs = [(term.id, term.name) for term in taxonomy.terms]
    form = read_form(request.query, {term_id for term_id, _ in needs})
    settings = request.app[keys.SETTINGS]
    context: dict[str, Any] = {
        "form": form, "needs": needs, "days": DAYS, "times": TIMES,
        "languages": language_options(),
        "age_options": [("", "Any age")] + [(value, label) for value, label, _ in AGES],
        "results": None, "unknown_place": None, "more_link": None, "compact": False,
        "slow_down": False, "family_hubs_phone": settings.family_hubs_phone,
        "report_buttons": REPORT_BUTTONS, "this_search": form.link(),
        "family_hubs_tel": re.sub(r"[^\d+]", "", settings.family_hubs_phone)}
    status = 200
    if form.submitted and not form.errors:
        verdict = await request.app[keys.LIMITS].client_only(client_address(request))
        if not verdict.allowed:
            context["slow_down"] = True
            response = aiohttp_jinja2.render_template("search.html", request, context, status=429)
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response
        try:
            results = await request.app[keys.DIRECTORY].run(
                _search_and_record, form.query(), form.offset == 0)
        except UnknownPlace as error:
            form.errors["near"] = str(error)
            context["unknown_place"] = {
                "place": error.place,
                "suggestions": [(name, form.link(near=name, offset="")) for name in error.suggestions],
            }
            status = 200
        else:
            context["results"] = [card(result) for result in results]
            if len(results) == PAGE_SIZE:
                context["more_link"] = form.link(offset=form.offset + PAGE_SIZE)
    response = aiohttp_jinja2.render_template("search.html", request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
