"""Rasa custom actions, served by the action server (``python -m actions.server``, started by
``scripts/start_actions.sh``) in the Rasa environment (``.venv/rasa``, Python 3.10)."""
