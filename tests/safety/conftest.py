"""tests/safety runs in both environments: ``bot/`` needs Rasa (Python 3.10), ``web/`` needs the
web tier (Python 3.11); the files at the top (the rules, redaction) are pure Python and run in both.
"""

import importlib.util

collect_ignore = ["web"] if importlib.util.find_spec("rasa") is not None else ["bot"]
