"""Typed keys for what the web tier shares between handlers (``app[keys.RASA]``)."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.safety.check import SafetyCheck
from bot.web.config import Settings
from bot.web.directory_reader import DirectoryReader
from bot.web.rasa_client import RasaClient
from bot.web.ratelimit import ChatLimits
from bot.web.sessions import ChatSessions

SETTINGS = web.AppKey("settings", Settings)
HTTP = web.AppKey("http", aiohttp.ClientSession)
RASA = web.AppKey("rasa", RasaClient)
DIRECTORY = web.AppKey("directory", DirectoryReader)
SESSIONS = web.AppKey("sessions", ChatSessions)
LIMITS = web.AppKey("limits", ChatLimits)
SAFETY = web.AppKey("safety", SafetyCheck)
