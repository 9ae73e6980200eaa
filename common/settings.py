"""Every ``SIGNPOST_*`` setting, in one object read once per process.

Each entry point (``python -m web``, ``python -m actions.server``, the Rasa launcher, the command
lines) calls ``Settings.from_env()`` once and passes the object, or the parts of it a module
needs, down. Nothing below the entry points reads the environment. The defaults are the ones
``make run`` uses, so a bare checkout works; README.md lists every variable.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

DEFAULT_MAIN_LINE = "01254 666444"
DEFAULT_MAIN_LINE_HOURS = "Monday to Friday, 9am to 5pm"
DEFAULT_SOCIAL_CARE_PHONE = "01254 666400"
#: The nations whose bank holidays differ (GOV.UK's names); ``directory.closed_days`` reads them.
NATIONS = ("england-and-wales", "scotland", "northern-ireland")
DEFAULT_NATION = "england-and-wales"


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secure_cookies(env: Mapping[str, str]) -> bool:
    """``SIGNPOST_SECURE_COOKIES``: on unless set to 0, which only plain HTTP on loopback may do
    (a staff cookie without ``Secure`` would cross the network in clear text)."""
    raw = env.get("SIGNPOST_SECURE_COOKIES", "").strip().lower()
    if raw in ("", "1", "true", "yes", "on"):
        return True
    if raw not in ("0", "false", "no", "off"):
        raise SettingsError(f"SIGNPOST_SECURE_COOKIES must be 1 or 0, not {raw!r}.")
    host = env.get("SIGNPOST_HOST", "127.0.0.1")
    if not _is_loopback(host):
        raise SettingsError("SIGNPOST_SECURE_COOKIES=0 is only for plain HTTP on this computer "
                            f"(SIGNPOST_HOST=127.0.0.1), not on {host!r}: serve HTTPS and "
                            "leave it on.")
    return False


@dataclass(frozen=True)
class Settings:
    #: The directory (SQLite): services, centres, staff accounts, call-backs.
    directory_db: Path = Path("var/directory.db")
    #: The postcode and place index, built at setup (``python -m directory.geo build``).
    geo_db: Path = Path("var/geo.db")
    #: Conversations (Rasa's SQL tracker store); the retention job deletes old ones.
    tracker_db: Path = Path("var/tracker.db")
    #: Issued chat session ids (hashed), so a chat carries on after a web-tier restart.
    chat_sessions_db: Path = Path("var/chat_sessions.db")
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    #: Where the action server listens (always 127.0.0.1 outside a container network).
    actions_port: int = 5055
    #: Sites allowed to embed the chat widget in a frame (Content-Security-Policy frame-ancestors).
    embed_origins: list[str] = field(default_factory=list)
    #: Seconds to wait for Rasa before the parent gets the friendly fallback.
    rasa_timeout: float = 8.0
    #: Shown in safety replies: the local children's social care front door.
    social_care_phone: str = DEFAULT_SOCIAL_CARE_PHONE
    family_hubs_phone: str = DEFAULT_MAIN_LINE
    #: When the family hubs main line is answered (shown with the number).
    family_hubs_hours: str = DEFAULT_MAIN_LINE_HOURS
    #: The learned safety detector, built by scripts/prepare.sh (None: var/safety/detector.json).
    safety_model: Path | None = None
    #: Days conversations are kept.
    retention_days: int = 30
    #: Staff cookies carry ``Secure``: off only for plain HTTP on loopback (``make run``).
    secure_cookies: bool = True
    #: Chat rate limits (``limits`` notation, moving window): per chat session and per client address.
    rate_limit_session: str = "30/minute"
    rate_limit_client: str = "120/minute"
    #: New chat sessions one client address may start (a script sending ``session_id: null``).
    rate_limit_new_sessions: str = "20/hour"
    #: Requests to the public ORUK API (``/oruk``) per client address.
    rate_limit_api: str = "120/minute"
    #: Reverse proxies (addresses or CIDRs) whose ``X-Forwarded-For`` is believed (web/client_address.py).
    trusted_proxies: list[str] = field(default_factory=list)
    #: Whose bank holidays have no sessions: england-and-wales, scotland or northern-ireland.
    nation: str = DEFAULT_NATION
    #: Every admin must use a second factor (an authenticator app) to sign in.
    staff_admin_totp: bool = False
    #: Days an open call-back request is kept before the retention job deletes it.
    callback_open_days: int = 90
    #: Councils' ORUK API bases the web tier syncs at start and every ``feed_every`` seconds.
    feed_urls: list[str] = field(default_factory=list)
    feed_every: float = 3600.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """The settings in ``env`` (default: this process's environment), with the defaults above."""
        env = dict(os.environ if env is None else env)

        def number(name: str, default: str, kind: type = int):
            raw = env.get(name, default)
            try:
                return kind(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a number, not {raw!r}.") from None

        retention_days = number("SIGNPOST_RETENTION_DAYS", "30")
        if retention_days < 1:
            raise SettingsError("SIGNPOST_RETENTION_DAYS must be 1 or more.")
        callback_open_days = number("SIGNPOST_CALLBACK_OPEN_DAYS", "90")
        if callback_open_days < 1:
            raise SettingsError("SIGNPOST_CALLBACK_OPEN_DAYS must be 1 or more.")
        nation = env.get("SIGNPOST_NATION", "").strip().lower() or DEFAULT_NATION
        if nation not in NATIONS:
            raise SettingsError(f"SIGNPOST_NATION must be one of {', '.join(NATIONS)}, "
                                f"not {nation!r}.")
        trusted_proxies = _list(env.get("SIGNPOST_TRUSTED_PROXIES", ""))
        for proxy in trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(f"SIGNPOST_TRUSTED_PROXIES: {proxy!r} is not an IP address "
                                    "or CIDR range (like 10.0.0.2 or 172.16.0.0/12).") from None
        feed_every = number("SIGNPOST_FEED_EVERY", "3600", float)
        if feed_every < 60:
            raise SettingsError("SIGNPOST_FEED_EVERY is in seconds and must be 60 or more.")
        return cls(
            directory_db=Path(env.get("SIGNPOST_DIRECTORY_DB", "var/directory.db")),
            geo_db=Path(env.get("SIGNPOST_GEO_DB", "var/geo.db")),
            tracker_db=Path(env.get("SIGNPOST_TRACKER_DB", "var/tracker.db")),
            chat_sessions_db=Path(env.get("SIGNPOST_CHAT_SESSIONS_DB", "var/chat_sessions.db")),
            host=env.get("SIGNPOST_HOST", "127.0.0.1"),
            port=number("SIGNPOST_PORT", "8080"),
            # The *_URL forms are for deployments where Rasa runs elsewhere (deploy/compose.yaml).
            rasa_url=env.get("SIGNPOST_RASA_URL")
            or f"http://127.0.0.1:{number('SIGNPOST_RASA_PORT', '5005')}",
            actions_url=env.get("SIGNPOST_ACTIONS_URL")
            or f"http://127.0.0.1:{number('SIGNPOST_ACTIONS_PORT', '5055')}",
            actions_port=number("SIGNPOST_ACTIONS_PORT", "5055"),
            embed_origins=_list(env.get("SIGNPOST_EMBED_ORIGINS", "")),
            rasa_timeout=number("SIGNPOST_RASA_TIMEOUT", "8", float),
            social_care_phone=env.get("SIGNPOST_SOCIAL_CARE_PHONE", "").strip()
            or DEFAULT_SOCIAL_CARE_PHONE,
            family_hubs_phone=env.get("SIGNPOST_FAMILY_HUBS_PHONE", DEFAULT_MAIN_LINE),
            family_hubs_hours=env.get("SIGNPOST_FAMILY_HUBS_HOURS", DEFAULT_MAIN_LINE_HOURS),
            safety_model=Path(env["SIGNPOST_SAFETY_MODEL"]) if env.get("SIGNPOST_SAFETY_MODEL") else None,
            retention_days=retention_days,
            secure_cookies=_secure_cookies(env),
            rate_limit_session=env.get("SIGNPOST_RATE_LIMIT_SESSION", "30/minute"),
            rate_limit_client=env.get("SIGNPOST_RATE_LIMIT_CLIENT", "120/minute"),
            rate_limit_new_sessions=env.get("SIGNPOST_RATE_LIMIT_NEW_SESSIONS", "20/hour"),
            rate_limit_api=env.get("SIGNPOST_RATE_LIMIT_API", "120/minute"),
            trusted_proxies=trusted_proxies,
            nation=nation,
            staff_admin_totp=env.get("SIGNPOST_STAFF_ADMIN_TOTP", "") in ("1", "true", "yes"),
            callback_open_days=callback_open_days,
            feed_urls=[u.rstrip("/") for u in _list(env.get("SIGNPOST_FEED_URLS", ""))],
            feed_every=feed_every,
        )
