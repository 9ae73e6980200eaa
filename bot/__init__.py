"""What Rasa loads, in the Rasa environment (``.venv/rasa``, Python 3.10): the NLU components
(``bot/nlu``), the redacting tracker store (``bot/tracker_store.py``) and the Rasa launcher
(``bot/rasa_server.py``, started by ``scripts/start_rasa.sh``). The safety rules (``bot/safety``)
are here for now; the web tier imports them too."""
