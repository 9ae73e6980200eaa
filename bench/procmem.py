"""Resident memory of a running process and everything it started, read from ``/proc`` (Linux).

Used by ``bench/all.py`` and ``bench/load.py`` to report each tier's memory. RSS counts pages
shared between processes once per process, so a tree's sum is an upper bound — which is the
safe way round for "does the whole stack fit in 1.5 GB".
"""

from __future__ import annotations

from pathlib import Path


def _status(pid: int) -> dict[str, str]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (children, grandchildren, ...)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_memory_mb(pid: int) -> dict[str, float]:
    """``{"rss_mb", "peak_rss_mb"}`` summed over ``pid`` and its descendants (0 if it is gone)."""
    rss = peak = 0.0
    for each in [pid, *children(pid)]:
        try:
            status = _status(each)
        except OSError:
            continue
        rss += int(status.get("VmRSS", "0 kB").split()[0]) / 1024
        peak += int(status.get("VmHWM", "0 kB").split()[0]) / 1024
    return {"rss_mb": round(rss, 1), "peak_rss_mb": round(peak, 1)}
