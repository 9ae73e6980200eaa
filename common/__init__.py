"""Code that both Python environments import: the Rasa side (``bot/``, ``actions/``, Python 3.10)
and the web tier (``web/``, Python 3.11).

- ``common.settings``: every ``SIGNPOST_*`` setting, read once per process by its entry point.
- ``common.days``: day codes and names, the words people write for days, times of day.
- ``common.redaction``: what is kept of a conversation (names, contacts, numbers taken out).
- ``common.languages``: the languages besides English the bot recognises and the interpreter
  sentence in each (``languages.yml``, read when asked, never at import).

Nothing here imports Rasa, rasa-sdk or aiohttp, and nothing here opens a file or a database.
"""
