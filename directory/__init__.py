"""Signpost's directory: the children's centres' core offer in the Open Referral UK 3.0 shape.

A library first (``search()``, ``import_oruk()``, ``export_oruk()``), with a thin command line on
top (``python -m directory``). It has no Rasa or aiohttp imports, so the action server (Python
3.10) and the web tier (Python 3.11) both use it directly.
"""
