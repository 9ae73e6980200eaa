"""The action server (``python -m actions.server``): every action the domain names is served,
each built with the directory opened at start-up from the settings."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from actions.context import ActionContext
from actions.server import build_actions
from common.settings import Settings
from directory.db import Directory, open_db
from directory.oruk import import_oruk, load_json_file
from tests.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "directory" / "sample" / "sample_directory.json"


def domain_actions() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "domain").glob("*.yml"):
        names |= set((yaml.safe_load(path.read_text()) or {}).get("actions") or [])
    return {n for n in names if not n.startswith("utter_")}


def test_every_action_the_domain_names_is_built(tmp_path):
    directory = Directory.open(tmp_path / "directory.db", None)
    try:
        built = [action.name() for action in build_actions(ActionContext(directory, Settings()))]
    finally:
        directory.close()
    assert sorted(built) == sorted(domain_actions())


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real action server, started by the script ``make run`` uses, on a sample directory."""
    path = tmp_path_factory.mktemp("actions") / "directory.db"
    db = open_db(path)
    import_oruk(db, load_json_file(SAMPLE))
    db.close()
    port = free_port()
    env = {**os.environ, "SIGNPOST_DIRECTORY_DB": str(path), "SIGNPOST_ACTIONS_PORT": str(port),
           "SIGNPOST_GEO_DB": str(path.with_name("no-geo.db"))}
    proc = subprocess.Popen([str(ROOT / "scripts" / "start_actions.sh")], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the action server stopped: {proc.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_the_server_lists_every_action_and_runs_a_search(server):
    with urllib.request.urlopen(f"{server}/actions", timeout=10) as response:
        listed = {item["name"] for item in json.loads(response.read())}
    assert listed == domain_actions()
    tracker = {"sender_id": "t1", "slots": {"need": ["stay_and_play"], "place": "Darwen"},
               "latest_message": {"text": "stay and play in darwen", "intent": {}, "entities": []},
               "events": [], "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    reply = _post(f"{server}/webhook", {"next_action": "action_search_services",
                                        "tracker": tracker, "domain": {}, "version": "3.6.2"})
    services = [m["custom"] for m in reply["responses"] if m.get("custom")]
    assert services and services[0]["type"] == "services" and services[0]["services"]


def test_an_unknown_action_is_a_404_that_names_it(server):
    try:
        _post(f"{server}/webhook", {"next_action": "action_nobody_wrote", "tracker": {
            "sender_id": "t2", "slots": {}, "latest_message": {}, "events": []}, "version": "3.6.2"})
    except urllib.error.HTTPError as error:
        assert error.code == 404
        assert json.loads(error.read())["action_name"] == "action_nobody_wrote"
    else:
        pytest.fail("an unknown action was answered")
