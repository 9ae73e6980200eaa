"""The directory, read from the web tier without blocking the event loop.

SQLite connections belong to the thread that opened them, so the web tier opens one connection
at start-up inside a single worker thread and runs every directory call there. Searches are
quick (milliseconds), so one thread keeps up, and the event loop stays free for chat traffic.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path
from typing import Any, Callable, TypeVar

import sqlite_utils

T = TypeVar("T")


class DirectoryReader:
    """Run ``fn(db, ...)`` on the directory's own thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                           thread_name_prefix="directory")
        self._db: sqlite_utils.Database | None = None

    async def open(self) -> None:
        from directory.db import open_db

        def _open() -> None:
            self._db = open_db(self.path)

        await asyncio.get_running_loop().run_in_executor(self._pool, _open)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def _call() -> T:
            if self._db is None:
                raise RuntimeError("The directory is not open yet")
            return fn(self._db, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._pool, _call)

    async def close(self) -> None:
        def _close() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        await asyncio.get_running_loop().run_in_executor(self._pool, _close)
        self._pool.shutdown(wait=True)
