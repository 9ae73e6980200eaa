"""The public web tier and the staff area: one aiohttp process (``python -m web``) in the web
environment (``.venv/web``, Python 3.11). It talks to Rasa over loopback and to the directory
through the library (``directory/``), off the event loop."""
