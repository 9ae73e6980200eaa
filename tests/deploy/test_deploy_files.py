"""The deployment files say what docs/operations.md says, even though Docker can't run here.

``deploy/compose.yaml`` is parsed as YAML and ``deploy/Dockerfile.*`` line by line: the
topology (postgres, redis, two Rasa servers behind an internal balancer, actions, web, a TLS
proxy), start order with health checks, nothing but the proxy reachable from outside, pinned
Python versions, the lock files installed, a non-root user, and the command each tier runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def dockerfile(name: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (DEPLOY / f"Dockerfile.{name}").read_text())
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            steps.append((instruction.upper(), rest.strip()))
    return steps


def test_compose_has_the_scaled_out_topology(compose) -> None:
    services = compose["services"]
    for name in ("postgres", "redis", "rasa-1", "rasa-2", "rasa-lb", "actions", "web", "proxy"):
        assert name in services, name
    assert services["rasa-1"]["image"] == services["rasa-2"]["image"] == "signpost-rasa"


def test_every_long_running_service_has_a_healthcheck_and_waits_for_what_it_needs(compose) -> None:
    services = compose["services"]
    for name, service in services.items():
        if service.get("restart") == "no":  # the one-off prepare step
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    needs = {"rasa-1": {"postgres", "redis", "actions"}, "rasa-2": {"postgres", "redis", "actions"},
             "rasa-lb": {"rasa-1", "rasa-2"}, "web": {"rasa-lb", "actions", "prepare"},
             "proxy": {"web"}, "actions": {"prepare"}}
    for name, wanted in needs.items():
        depends = services[name]["depends_on"]
        assert wanted <= set(depends), f"{name} should wait for {wanted - set(depends)}"
        for dep in wanted:
            condition = depends[dep]["condition"]
            expected = ("service_completed_successfully" if dep == "prepare"
                        else "service_healthy")
            assert condition == expected, (name, dep, condition)


def test_only_the_proxy_is_reachable_from_outside(compose) -> None:
    services = compose["services"]
    networks = compose["networks"]
    assert networks["internal"]["internal"] is True
    for name, service in services.items():
        if name == "proxy":
            assert sorted(service["ports"]) == ["443:443", "80:80"]
            assert service["networks"] == ["public"]
            continue
        assert "ports" not in service, f"{name} publishes a port"
        assert "internal" in service["networks"], name
    for name in ("rasa-1", "rasa-2", "rasa-lb", "actions", "postgres", "redis"):
        assert services[name]["networks"] == ["internal"], f"{name} must only be on the internal network"


def test_rasa_shares_conversations_through_postgres_and_redis(compose) -> None:
    endpoints = yaml.safe_load((DEPLOY / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["type"] == "bot.tracker_store.RedactingSQLTrackerStore"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "bot.lock_store.AtomicRedisLockStore"
    env = compose["services"]["rasa-1"]["environment"]
    assert env["SIGNPOST_TRACKER_HOST"] == "postgres" and env["SIGNPOST_REDIS_HOST"] == "redis"
    assert env["SIGNPOST_ACTIONS_WEBHOOK"] == "http://actions:5055/webhook"
    balancer = (DEPLOY / "rasa-lb.conf").read_text()
    assert "server rasa-1:5005" in balancer and "server rasa-2:5005" in balancer
    web = compose["services"]["web"]["environment"]
    assert web["SIGNPOST_RASA_URL"] == "http://rasa-lb:5005"
    # Every ${VAR} the endpoints file uses is given to Rasa (Rasa would start with it empty).
    lines = (DEPLOY / "endpoints.yml").read_text().splitlines()
    used = {var for line in lines if not line.lstrip().startswith("#")
            for var in re.findall(r"\$\{(\w+)\}", line)}
    assert used <= set(env), used - set(env)


def test_a_purge_service_deletes_old_conversations_from_the_rasa_servers_postgresql(compose) -> None:
    """Retention is enforced in the compose story too: the purge runs on a schedule against the
    same PostgreSQL database the Rasa servers write (proved on a real PostgreSQL by
    tests/system/test_compose_on_real_engines.py)."""
    purge = compose["services"]["purge"]
    assert purge["image"] == "signpost-web" and purge["restart"] == "unless-stopped"
    command = purge["command"]
    assert command[:3] == [".venv/web/bin/python", "-m", "web.retention"]
    assert "--every-hours" in command and float(command[command.index("--every-hours") + 1]) <= 24
    rasa = compose["services"]["rasa-1"]["environment"]
    for name in ("SIGNPOST_TRACKER_HOST", "SIGNPOST_TRACKER_PORT", "SIGNPOST_TRACKER_DBNAME",
                 "SIGNPOST_TRACKER_USER", "SIGNPOST_TRACKER_PASSWORD"):
        assert purge["environment"][name] == rasa[name], name
    assert purge["environment"]["SIGNPOST_DIRECTORY_DB"] == "/data/directory.db"
    assert "directory:/data" in purge["volumes"]
    assert purge["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_web_tier_reads_the_rasa_address_compose_gives_it() -> None:
    from common.settings import Settings

    settings = Settings.from_env({"SIGNPOST_RASA_URL": "http://rasa-lb:5005",
                                  "SIGNPOST_ACTIONS_URL": "http://actions:5055"})
    assert settings.rasa_url == "http://rasa-lb:5005"
    assert settings.actions_url == "http://actions:5055"
    assert Settings.from_env({"SIGNPOST_RASA_PORT": "5006"}).rasa_url == "http://127.0.0.1:5006"


def test_the_web_tiers_databases_are_on_a_volume_so_they_outlive_the_container(compose) -> None:
    """Its chat sessions file above all: otherwise a new container starts every open chat afresh."""
    web = compose["services"]["web"]
    mounted = [volume.split(":")[1] for volume in web["volumes"]]
    image_env = dict(re.findall(r"(SIGNPOST_\w+)=(\S+)",
                                " ".join(args for ins, args in dockerfile("web") if ins == "ENV")))
    for name in ("SIGNPOST_DIRECTORY_DB", "SIGNPOST_CHAT_SESSIONS_DB"):
        for path in (web["environment"][name], image_env[name]):
            assert any(path.startswith(mount.rstrip("/") + "/") for mount in mounted), (name, path)


def test_the_tls_proxy_forwards_to_the_web_tier() -> None:
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "{$SIGNPOST_SITE}" in caddy and "reverse_proxy web:8080" in caddy
    assert "Strict-Transport-Security" in caddy
    nginx = (DEPLOY / "nginx-tls.conf.example").read_text()
    assert "listen 443 ssl" in nginx and "proxy_pass http://127.0.0.1:8080" in nginx


@pytest.mark.parametrize("tier, python, lock", [("web", "3.11", "web"), ("rasa", "3.10", "rasa"),
                                                ("actions", "3.10", "rasa")])
def test_each_dockerfile_pins_python_installs_the_lock_file_and_drops_root(tier, python, lock) -> None:
    steps = dockerfile(tier)
    base = [args for ins, args in steps if ins == "FROM"]
    # The image that runs is the last stage; earlier stages only build files for it (the web
    # tier's safety detector is trained in a Python 3.10 stage with the Rasa lock's versions).
    assert re.fullmatch(rf"python:{re.escape(python)}\.\d+-slim-\w+", base[-1])
    assert all(re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+ AS \w+", stage) for stage in base[:-1])
    runs = " ".join(args for ins, args in steps if ins == "RUN")
    assert f"-c requirements/{lock}.lock" in runs and f"-r requirements/{lock}.in" in runs
    copied = " ".join(args for ins, args in steps if ins == "COPY")
    assert f"requirements/{lock}.lock" in copied
    users = [args for ins, args in steps if ins == "USER"]
    assert users and users[-1] not in ("root", "0")
    # USER comes before CMD, so the server never runs as root.
    order = [ins for ins, _ in steps]
    assert order.index("USER") < order.index("CMD")


@pytest.mark.parametrize("tier, command", [
    ("web", [".venv/web/bin/python", "-m", "web"]),
    ("rasa", [".venv/rasa/bin/rasa", "run", "--interface", "0.0.0.0", "--port", "5005",
              "--model", "models/signpost.tar.gz", "--endpoints", "deploy/endpoints.yml",
              "--credentials", "credentials.yml"]),
    ("actions", [".venv/rasa/bin/python", "-m", "actions.server", "--host", "0.0.0.0",
                 "--port", "5055"]),
])
def test_each_dockerfile_runs_its_tier(tier, command) -> None:
    cmds = [args for ins, args in dockerfile(tier) if ins == "CMD"]
    assert len(cmds) == 1 and json.loads(cmds[0]) == command


def test_the_rasa_image_trains_the_model_it_serves() -> None:
    runs = [args for ins, args in dockerfile("rasa") if ins == "RUN"]
    assert "scripts/train.sh" in runs
    copied = " ".join(args for ins, args in dockerfile("rasa") if ins == "COPY")
    for needed in ("config.yml", "domain/", "data/", "bot/", "directory/", "deploy/endpoints.yml"):
        assert needed in copied, needed


def test_every_file_the_images_copy_exists() -> None:
    for tier in ("web", "rasa", "actions"):
        for ins, args in dockerfile(tier):
            if ins != "COPY":
                continue
            if args.startswith("--from="):  # a file built in an earlier stage of the image
                continue
            for source in args.split()[:-1]:
                found = list(ROOT.glob(source)) if "*" in source else [ROOT / source]
                assert found and all(f.exists() for f in found), \
                    f"Dockerfile.{tier} copies {source}, which is missing"


def _our_packages_imported_by(folder: Path) -> set[str]:
    """Top-level packages of this repository that the Python files under ``folder`` import."""
    import ast

    ours = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    found: set[str] = set()
    for path in folder.rglob("*.py") if folder.is_dir() else [folder]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module
                     and not node.level else [])
            found |= {name.split(".")[0] for name in names} & ours
    return found


@pytest.mark.parametrize("tier", ["web", "rasa", "actions"])
def test_each_image_copies_every_package_its_code_imports(tier) -> None:
    copied = [args.split()[:-1] for ins, args in dockerfile(tier) if ins == "COPY"]
    sources = [ROOT / source for sources in copied for source in sources
               if source.endswith(".py") or (ROOT / source).is_dir()]
    copied_packages = {source.relative_to(ROOT).parts[0] for source in sources}
    imported: set[str] = set()
    for source in sources:
        imported |= _our_packages_imported_by(source)
    assert imported <= copied_packages, f"Dockerfile.{tier} misses {imported - copied_packages}"


def test_the_proxies_pass_the_real_client_address_and_the_web_tier_trusts_only_them(compose) -> None:
    """Behind the proxy every parent would otherwise be one address with one allowance."""
    import ipaddress

    from common.settings import Settings

    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "header_up X-Forwarded-For {remote_host}" in caddy
    nginx = (DEPLOY / "nginx-tls.conf.example").read_text()
    assert nginx.count("proxy_set_header X-Forwarded-For $remote_addr;") == nginx.count("proxy_pass")
    # Per-address limits in nginx itself, applied in every location.
    assert re.search(r"limit_req_zone \$binary_remote_addr zone=\w+:\d+m rate=\d+r/s;", nginx)
    assert nginx.count("limit_req zone=") == nginx.count("proxy_pass")
    web = compose["services"]["web"]["environment"]
    settings = Settings.from_env({k: str(v) for k, v in web.items()})
    assert settings.trusted_proxies, "the web tier must trust the proxy's X-Forwarded-For"
    subnets = [ipaddress.ip_network(c["subnet"])
               for c in compose["networks"]["public"]["ipam"]["config"]]
    trusted = [ipaddress.ip_network(p) for p in settings.trusted_proxies]
    # The trusted range is the proxy's own network, which only the proxy and the web tier join.
    assert all(any(t.subnet_of(s) for s in subnets) for t in trusted)
    on_public = {name for name, service in compose["services"].items()
                 if "public" in service.get("networks", [])}
    assert on_public == {"proxy", "web"}
    # No blanket raise of the per-address limit any more: it counts each parent.
    assert "SIGNPOST_RATE_LIMIT_CLIENT" not in web
