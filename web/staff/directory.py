"""The staff area's one door into the directory: library calls on the directory's worker threads.

``await run(request, fn, *args)`` calls ``fn(db, *args)`` (a ``directory`` library function) off
the event loop, on the web tier's ``DirectoryPool``; a view that needs several calls at once
passes a function of its own, so they share one thread and one connection.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from aiohttp import web

from web import keys

T = TypeVar("T")


async def run(request: web.Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(db, *args, **kwargs)`` on a worker thread, with that thread's connection."""
    return await request.config_dict[keys.DIRECTORY].run(lambda d: fn(d.db, *args, **kwargs))


async def run_directory(request: web.Request, fn: Callable[..., T], *args: Any) -> T:
    """``fn(directory, *args)``, for calls that need the postcode index or the taxonomy too."""
    return await request.config_dict[keys.DIRECTORY].run(fn, *args)
