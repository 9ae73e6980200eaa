"""Start a whole Signpost stack for tests and benchmarks: action server, Rasa and (optionally)
the web tier, on free loopback ports, with a temporary directory seeded from the sample (or
``directory_file``, any ORUK JSON file) and a temporary tracker database.

    with Stack(web=True) as stack:
        stack.rasa_url      # http://127.0.0.1:<port>  (REST channel: /webhooks/rest/webhook)
        stack.web_url       # http://127.0.0.1:<port>  (only with web=True)
        stack.restart_rasa()  # conversations survive: they live in stack.tracker_db
        stack.kill("actions"); stack.restart("actions")   # crash a tier, bring it back

Runs under either virtual environment; each server is started with its own (``.venv/rasa`` for
Rasa and the actions, ``.venv/web`` for the web tier) through the same scripts ``make run`` uses.
Rasa takes 20-60 s to load a model, so start one stack per test session.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: tests/ must not shadow the top-level packages
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "tests"]
    sys.path.insert(0, str(ROOT))
DEFAULT_MODEL = ROOT / "models" / "signpost.tar.gz"
SAMPLE = ROOT / "directory" / "sample" / "sample_directory.json"


class StackError(RuntimeError):
    """A server did not start; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_directory(path: Path, sample: Path = SAMPLE) -> None:
    """A fresh directory database holding the sample services."""
    from directory.db import open_db
    from directory.oruk import import_oruk, load_json_file

    db = open_db(path)
    try:
        if not db["service"].count:
            import_oruk(db, load_json_file(sample))
    finally:
        db.conn.close()


def _get(url: str, timeout: float = 2.0) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status


def post_json(url: str, body: Any, timeout: float = 30.0) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode() or "null")


class Stack:
    """A running set of Signpost servers; use as a context manager or call start()/stop()."""

    def __init__(self, *, model: Path | str | None = None, web: bool = False,
                 workdir: Path | str | None = None, env: dict[str, str] | None = None,
                 startup_timeout: float = 600.0,
                 directory_file: Path | str | None = None, rasa_replicas: int = 1) -> None:
        self.model = Path(model or os.environ.get("SIGNPOST_MODEL") or DEFAULT_MODEL)
        self.with_web = web
        self.startup_timeout = startup_timeout
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="signpost-stack-"))
        self.directory_file = Path(directory_file or SAMPLE)
        self.directory_db = self.workdir / "directory.db"
        self.tracker_db = self.workdir / "tracker.db"
        self.chat_sessions_db = self.workdir / "chat_sessions.db"
        self.logs = self.workdir / "logs"
        self.rasa_port, self.actions_port = free_port(), free_port()
        # Further Rasa servers ("rasa-2", ...) share the tracker store: give them
        # SIGNPOST_RASA_ENDPOINTS=deploy/endpoints.yml and the engines' variables in ``env``.
        self.rasa_ports = {"rasa": self.rasa_port}
        self.rasa_ports.update({f"rasa-{n}": free_port() for n in range(2, rasa_replicas + 1)})
        self.web_port = free_port() if web else None
        self.extra_env = dict(env or {})
        self._procs: dict[str, subprocess.Popen] = {}

    # --- addresses ----------------------------------------------------------------------------
    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def web_url(self) -> str:
        if self.web_port is None:
            raise StackError("This stack was started without the web tier (web=False)")
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def replica_webhook(self, name: str) -> str:
        """The REST channel of one Rasa server ("rasa", "rasa-2", ...)."""
        return f"http://127.0.0.1:{self.rasa_ports[name]}/webhooks/rest/webhook"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")}
        geo = os.environ.get("SIGNPOST_GEO_DB") or str(ROOT / "var" / "geo.db")
        env.update({
            "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
            "SIGNPOST_DIRECTORY_DB": str(self.directory_db),
            "SIGNPOST_TRACKER_DB": str(self.tracker_db),
            "SIGNPOST_CHAT_SESSIONS_DB": str(self.chat_sessions_db),
            "SIGNPOST_GEO_DB": geo,
            "SIGNPOST_RASA_PORT": str(self.rasa_port),
            "SIGNPOST_ACTIONS_PORT": str(self.actions_port),
            "SIGNPOST_ACTIONS_WEBHOOK": f"{self.actions_url}/webhook",  # deploy/endpoints.yml
            "SIGNPOST_MODEL": str(self.model),
            "SIGNPOST_SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
        })
        if self.web_port is not None:
            env["SIGNPOST_PORT"] = str(self.web_port)
        env.update(self.extra_env)
        return env

    # --- lifecycle ----------------------------------------------------------------------------
    def _commands(self) -> dict[str, list[str]]:
        commands = {"actions": [str(ROOT / "scripts" / "start_actions.sh")]}
        commands.update({name: [str(ROOT / "scripts" / "start_rasa.sh")]
                         for name in self.rasa_ports})
        if self.with_web:
            commands["web"] = [str(ROOT / ".venv" / "web" / "bin" / "python"), "-m", "web"]
        return commands

    def _ready(self, name: str) -> bool:
        if name == "actions":
            return _get(f"{self.actions_url}/health") == 200
        if name in self.rasa_ports:
            return self._rasa_answers(name)
        return _get(f"{self.web_url}/healthz") == 200

    def start(self) -> "Stack":
        if not self.model.exists():
            raise StackError(f"No trained model at {self.model}. Run 'make train' first.")
        self.logs.mkdir(parents=True, exist_ok=True)
        seed_directory(self.directory_db, self.directory_file)
        try:
            for name, argv in self._commands().items():  # start all, then wait: loads overlap
                self._spawn(name, argv)
            for name in self._commands():
                self._wait(name, lambda name=name: self._ready(name))
        except BaseException:
            self.stop()
            raise
        return self

    def kill(self, name: str) -> None:
        """SIGKILL one tier ("actions", "rasa" or "web"), as a crash or the OOM killer would."""
        proc = self._procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    def is_running(self, name: str) -> bool:
        proc = self._procs.get(name)
        return proc is not None and proc.poll() is None

    def restart(self, name: str) -> None:
        """Start one tier again (after ``kill`` or not) on the same port and databases."""
        self._terminate(name)
        self._spawn(name, self._commands()[name])
        self._wait(name, lambda: self._ready(name))

    def restart_rasa(self) -> None:
        """Stop and start the Rasa server only (same port, same tracker database)."""
        self.restart("rasa")

    def stop(self) -> None:
        for name in list(self._procs)[::-1]:
            self._terminate(name)
        if self._own_workdir and not os.environ.get("SIGNPOST_KEEP_STACK"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- talking to it ------------------------------------------------------------------------
    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        """One message over Rasa's REST channel; returns the bot's messages."""
        return post_json(self.rest_webhook, {"sender": sender, "message": text})

    # --- helpers ------------------------------------------------------------------------------
    def _rasa_answers(self, name: str = "rasa") -> bool:
        # The REST channel answers only once the model is loaded and the tracker store is open.
        return isinstance(post_json(self.replica_webhook(name),
                                    {"sender": "stack-readiness-probe", "message": "/greet"},
                                    timeout=10), list)

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "ab")
        env = self.env()
        if name in self.rasa_ports:
            env["SIGNPOST_RASA_PORT"] = str(self.rasa_ports[name])
        self._procs[name] = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def _terminate(self, name: str) -> None:
        proc = self._procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def _wait(self, name: str, ready) -> None:
        deadline = time.monotonic() + self.startup_timeout
        proc = self._procs[name]
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise StackError(f"The {name} server stopped (exit {proc.returncode}).\n"
                                 + self.log_tail(name))
            try:
                if ready():
                    return
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                pass
            time.sleep(0.5)
        raise StackError(f"The {name} server was not ready after {self.startup_timeout:.0f} s.\n"
                         + self.log_tail(name))

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.logs / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


if __name__ == "__main__":  # python tests/stack.py: start a stack and keep it up until Ctrl-C
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", action="store_true", help="also start the web tier")
    parser.add_argument("--model", help="trained model (default models/signpost.tar.gz)")
    args = parser.parse_args()
    # `kill PID` must stop the servers too, not leave them running without their parent.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with Stack(model=args.model, web=args.web) as running:
        print(f"Rasa    {running.rasa_url}\nActions {running.actions_url}")
        if args.web:
            print(f"Web     {running.web_url}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
