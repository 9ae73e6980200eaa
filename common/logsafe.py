"""Logging a fault without what a parent typed.

An exception's message often repeats the input that caused it (``UnknownPlace("zz9 my road")``,
an FTS5 syntax error quoting the search), so ``exc_info=True`` would put a parent's words in the
logs. ``log_fault`` logs the exception's type and where it happened (file, line, function and
source line of each frame), never its message or any value.
"""

from __future__ import annotations

import logging
import traceback


def where(error: BaseException) -> str:
    """The frames of ``error``'s traceback, as 'file:line in function' lines (no values)."""
    frames = traceback.extract_tb(error.__traceback__)
    return " <- ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}"
                       for frame in reversed(frames))


def log_fault(logger: logging.Logger, message: str, error: BaseException,
              level: int = logging.WARNING) -> None:
    """Log ``message`` with the exception's type and location, and nothing a user wrote."""
    logger.log(level, "%s (%s at %s)", message, type(error).__name__, where(error) or "?")
