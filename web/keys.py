"""Typed keys for what the web tier shares between handlers (``app[keys.RASA]``).

Sub-apps (``/staff``, ``/oruk``) read the root app's resources through ``request.config_dict``.
"""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.safety.check import SafetyCheck
from common.settings import Settings
from web.directory_pool import DirectoryPool
from web.rasa_client import RasaClient
from web.ratelimit import ChatLimits
from web.sessions import ChatSessions

SETTINGS = web.AppKey("settings", Settings)
HTTP = web.AppKey("http", aiohttp.ClientSession)
RASA = web.AppKey("rasa", RasaClient)
DIRECTORY = web.AppKey("directory", DirectoryPool)
SESSIONS = web.AppKey("sessions", ChatSessions)
LIMITS = web.AppKey("limits", ChatLimits)
SAFETY = web.AppKey("safety", SafetyCheck)
