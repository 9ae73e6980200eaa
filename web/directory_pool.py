"""The directory, used from the web tier without blocking the event loop.

SQLite connections belong to the thread that uses them, so the web tier runs every directory
call on a small pool of worker threads, each with its own connection (a ``Directory`` sharing one
postcode index and one taxonomy). Reads run side by side (WAL); a staff import on one thread
does not hold up a parent's search on another, and the event loop stays free for chat traffic.
Created at start-up by ``web.app`` (``cleanup_ctx``) and shared through ``web.keys.DIRECTORY``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

from directory.closed_days import DEFAULT_NATION
from directory.db import Directory
from directory.geo import Geo, open_geo
from directory.taxonomy import Taxonomy, load_taxonomy

T = TypeVar("T")

#: Worker threads: a few parents searching, staff saving and an import at once.
THREADS = 4


class DirectoryPool:
    """Run ``fn(directory, ...)`` on a worker thread, with that thread's ``Directory``."""

    def __init__(self, path: Path, geo_path: Path | None, *, threads: int = THREADS,
                 nation: str = DEFAULT_NATION) -> None:
        self.path = Path(path)
        self.nation = nation
        self.geo_path = geo_path
        self._threads = threads
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._opened: list[Directory] = []
        self._lock = threading.Lock()
        self.geo: Geo | None = None
        self.taxonomy: Taxonomy | None = None

    async def open(self) -> None:
        """Start the threads and open one connection now, so a broken database fails start-up."""
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=self._threads,
                                                           thread_name_prefix="directory")
        self.taxonomy = load_taxonomy()
        self.geo = open_geo(self.geo_path)
        await self.run(lambda directory: None)

    def _directory(self) -> Directory:
        directory = getattr(self._local, "directory", None)
        if directory is None:
            # check_same_thread=False only so close() can close it from another thread; each
            # connection is used by its own worker thread alone.
            directory = Directory.open(self.path, self.geo_path, geo=self.geo,
                                       taxonomy=self.taxonomy, check_same_thread=False,
                                       nation=self.nation)
            self._local.directory = directory
            with self._lock:
                self._opened.append(directory)
        return directory

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(directory, *args, **kwargs)`` off the event loop."""
        if self._pool is None:
            raise RuntimeError("The directory is not open yet")

        def call() -> T:
            return fn(self._directory(), *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(call))

    async def close(self) -> None:
        if self._pool is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._pool.shutdown, True)
            self._pool = None
        with self._lock:
            for directory in self._opened:
                directory.close(geo=False)
            self._opened.clear()
        if self.geo is not None:
            self.geo.close()
            self.geo = None
