"""Web-tier settings, read once from the environment with safe defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class Settings:
    directory_db: Path = Path("var/directory.db")
    geo_db: Path = Path("var/geo.db")
    #: Issued chat session ids (hashed), so a chat carries on after a web-tier restart.
    chat_sessions_db: Path = Path("var/chat_sessions.db")
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    #: Sites allowed to embed the chat widget in a frame (Content-Security-Policy frame-ancestors).
    embed_origins: list[str] = field(default_factory=list)
    #: Seconds to wait for Rasa before the parent gets the friendly fallback.
    rasa_timeout: float = 8.0
    #: Shown in safety replies: the local children's social care front door.
    social_care_phone: str = "01254 666400"
    family_hubs_phone: str = "01254 666444"
    #: When the family hubs main line is answered (shown with the number).
    family_hubs_hours: str = "Monday to Friday, 9am to 5pm"
    retention_days: int = 30
    secure_cookies: bool = False
    #: Chat rate limits (``limits`` notation, moving window): per chat session and per client address.
    rate_limit_session: str = "30/minute"
    rate_limit_client: str = "120/minute"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        return cls(
            directory_db=Path(env.get("SIGNPOST_DIRECTORY_DB", "var/directory.db")),
            geo_db=Path(env.get("SIGNPOST_GEO_DB", "var/geo.db")),
            chat_sessions_db=Path(env.get("SIGNPOST_CHAT_SESSIONS_DB", "var/chat_sessions.db")),
            host=env.get("SIGNPOST_HOST", "127.0.0.1"),
            port=int(env.get("SIGNPOST_PORT", "8080")),
            # The *_URL forms are for deployments where Rasa runs elsewhere (deploy/compose.yaml).
            rasa_url=env.get("SIGNPOST_RASA_URL")
            or f"http://127.0.0.1:{int(env.get('SIGNPOST_RASA_PORT', '5005'))}",
            actions_url=env.get("SIGNPOST_ACTIONS_URL")
            or f"http://127.0.0.1:{int(env.get('SIGNPOST_ACTIONS_PORT', '5055'))}",
            embed_origins=_list(env.get("SIGNPOST_EMBED_ORIGINS", "")),
            rasa_timeout=float(env.get("SIGNPOST_RASA_TIMEOUT", "8")),
            social_care_phone=env.get("SIGNPOST_SOCIAL_CARE_PHONE", "01254 666400"),
            family_hubs_phone=env.get("SIGNPOST_FAMILY_HUBS_PHONE", "01254 666444"),
            family_hubs_hours=env.get("SIGNPOST_FAMILY_HUBS_HOURS", "Monday to Friday, 9am to 5pm"),
            retention_days=int(env.get("SIGNPOST_RETENTION_DAYS", "30")),
            secure_cookies=env.get("SIGNPOST_SECURE_COOKIES", "") in ("1", "true", "yes"),
            rate_limit_session=env.get("SIGNPOST_RATE_LIMIT_SESSION", "30/minute"),
            rate_limit_client=env.get("SIGNPOST_RATE_LIMIT_CLIENT", "120/minute"),
        )
