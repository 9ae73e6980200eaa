"""``scripts/setup.sh`` on a fresh machine: the steps ``make test`` relies on install what is missing.

Nothing here depends on what this machine has installed: each test runs the script with a PATH of
stand-in commands (``apt-get``, ``sudo``, ``id``) that record how they were called, and points the
script at a Chromium binary that does not exist (or does) under a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "scripts" / "setup.sh"


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path: Path):
    """A PATH without chromium, with an ``apt-get`` that records its calls and "installs" it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    chromium = tmp_path / "usr-bin" / "chromium"
    _stub(bin_dir, "apt-get",
          f'echo "apt-get $*" >> "{calls}"\n'
          f'case "$*" in *install*chromium*) mkdir -p "{chromium.parent}"; '
          f'printf "#!/bin/sh\\n" > "{chromium}"; chmod +x "{chromium}";; esac\n')
    _stub(bin_dir, "sudo", f'echo "sudo $*" >> "{calls}"\nexec "$@"\n')

    def run(*, uid: int = 0, chromium_there: bool = False) -> tuple[subprocess.CompletedProcess, list[str]]:
        _stub(bin_dir, "id", f'echo {uid}\n')
        if chromium_there:
            chromium.parent.mkdir(parents=True, exist_ok=True)
            chromium.write_text("#!/bin/sh\n")
            chromium.chmod(0o755)
        # Only the stand-ins and the basic tools: no chromium anywhere on this PATH.
        path = ":".join([str(bin_dir), "/usr/bin", "/bin"])
        env = {"PATH": path, "HOME": str(tmp_path), "CHROMIUM_BIN": str(chromium)}
        done = subprocess.run(["bash", str(SETUP), "chromium"], env=env, capture_output=True,
                              text=True, timeout=60)
        logged = calls.read_text().splitlines() if calls.exists() else []
        return done, logged

    return run


def test_chromium_missing_is_installed_with_apt_get(machine) -> None:
    done, calls = machine(uid=0)
    assert done.returncode == 0, done.stderr
    assert calls == ["apt-get update -qq", "apt-get install -y -qq chromium"]
    assert "Installing Debian's chromium" in done.stderr


def test_chromium_missing_is_installed_through_sudo_when_not_root(machine) -> None:
    done, calls = machine(uid=1000)
    assert done.returncode == 0, done.stderr
    assert "apt-get install -y -qq chromium" in calls
    assert any(call.startswith("sudo ") and "apt-get install" in call for call in calls)


def test_chromium_already_there_installs_nothing(machine) -> None:
    done, calls = machine(chromium_there=True)
    assert done.returncode == 0, done.stderr
    assert calls == []


def test_a_failed_install_says_so_and_fails(machine, tmp_path: Path) -> None:
    _stub(tmp_path / "bin", "apt-get", 'exit 0\n')  # "succeeds" but installs nothing
    done, _ = machine()
    assert done.returncode != 0
    assert "no " in done.stderr and "chromium" in done.stderr


def test_the_step_names_setup_knows_are_the_ones_make_uses() -> None:
    makefile = (ROOT / "Makefile").read_text()
    used = {line.split("scripts/setup.sh", 1)[1].split()[0]
            for line in makefile.splitlines() if "scripts/setup.sh " in line}
    script = SETUP.read_text()
    for step in used:
        assert f"\n  {step}) " in script, f"make calls `scripts/setup.sh {step}`, which setup.sh lacks"
