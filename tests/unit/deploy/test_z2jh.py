"""deploy/z2jh/values.yaml as Zero to JupyterHub 4.4.0 reads it (issue 21): valid against the chart's own schema
(tests/data/z2jh-4.4.0: the chart's values.schema and default values, merged as Helm merges), logins that no
stranger can take over (sign-up cannot create or claim an admin, an instructor or a listed student; only the
accounts the admin made log in), and the hand-in service beside the hub in place of a shared volume.

Helm is not needed: the hub's part of the chart is its Python config, run here as the chart's
jupyterhub_config.py runs it (hub.config sections into the config, then hub.extraConfig in key order), with the
real NativeAuthenticator on a real JupyterHub database."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import jsonschema
import pytest
import yaml
from traitlets.config import Config

from tests.conftest import ROOT

CHART = ROOT / "tests" / "data" / "z2jh-4.4.0"
VALUES = yaml.safe_load((ROOT / "deploy" / "z2jh" / "values.yaml").read_text())
INSTRUCTOR, STUDENT = "msmith", "jdoe"


def helm_merge(base, override):
    """Helm's values merge: maps merge key by key, anything else (lists too) is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = helm_merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


def test_values_are_valid_for_the_chart():
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.validate(helm_merge(defaults, VALUES), schema)


def class_values() -> dict:
    """The values with the REPLACE placeholders filled in for one instructor and one student."""
    text = json.dumps(VALUES).replace("REPLACE-instructor", INSTRUCTOR).replace("REPLACE-student-1", STUDENT)
    return json.loads(text.replace("REPLACE-student-2", "akim"))


def hub_config(values: dict) -> Config:
    """The hub's config as the chart builds it from hub.config and hub.extraConfig."""
    c = Config()
    for section, cfg in values["hub"]["config"].items():
        c[section].update(cfg)
    for _, code in sorted(values["hub"]["extraConfig"].items()):
        exec(code, {"c": c, "get_config": lambda: c})
    return c


@pytest.fixture
def authenticator(tmp_path, monkeypatch):
    """The hub's authenticator as configured, on a real JupyterHub database, with the admin's accounts file."""
    pytest.importorskip("nativeauthenticator")
    from jupyterhub import orm
    sys.path.insert(0, str(ROOT / "deploy" / "z2jh"))
    from accounts import make_accounts
    roster = tmp_path / "class.txt"
    roster.write_text(f"[instructors]\n{INSTRUCTOR}\n[students]\n{STUDENT}\n")
    passwords = make_accounts(roster, tmp_path / "accounts")
    monkeypatch.setenv("VKP_ACCOUNTS_FILE", str(tmp_path / "accounts" / "accounts.yaml"))
    c = hub_config(class_values())
    db = orm.new_session_factory(f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}")()
    auth = c.JupyterHub.authenticator_class(config=c, _deprecated_db_session=db)
    auth.passwords = passwords
    return auth


async def _login(auth, user: str, password: str):
    return await auth.authenticate(None, {"username": user, "password": password})


def _run(coroutine):
    """Run a coroutine to its end on a loop of its own, in a thread of its own: another test in the same process
    (a browser's, a kernel's) may have left an event loop running in this thread, where asyncio.run refuses."""
    import asyncio
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_nobody_can_sign_up_not_as_an_instructor_a_listed_student_or_anyone(authenticator, tmp_path):
    strong = "a-Strong-and-long-password-41"
    assert authenticator.enable_signup is False and authenticator.open_signup is False
    assert not authenticator.admin_users, "no one is pre-approved as admin"
    # The instructor (in allowed_users and the instructors group), a listed student, and a stranger: all refused.
    for name in (INSTRUCTOR, STUDENT, "akim", "stranger"):
        assert authenticator.create_user(name, strong) is None, f"sign-up created an account for {name}"
    # The accounts the admin made log in with their own password, and nothing else does.
    for name in (INSTRUCTOR, STUDENT):
        assert _run(_login(authenticator, name, authenticator.passwords[name])) == name
        assert _run(_login(authenticator, name, strong)) is None
    assert _run(_login(authenticator, INSTRUCTOR, authenticator.passwords[STUDENT])) is None, \
        "a student's password logs in as the instructor"
    assert _run(_login(authenticator, "akim", strong)) is None, "a listed name without an account logged in"


def test_a_password_someone_changed_stays_theirs_when_the_hub_restarts(authenticator, tmp_path):
    authenticator.change_password(STUDENT, "my-own-new-password-77")
    again = type(authenticator)(config=authenticator.config, _deprecated_db_session=authenticator.db)
    assert _run(_login(again, STUDENT, "my-own-new-password-77")) == STUDENT
    assert _run(_login(again, STUDENT, authenticator.passwords[STUDENT])) is None


def test_the_accounts_tool_keeps_passwords_and_writes_them_privately(tmp_path):
    roster = tmp_path / "class.txt"
    roster.write_text(f"[instructors]\n{INSTRUCTOR}\n[students]\n{STUDENT}\n")
    out = tmp_path / "accounts"
    run = [sys.executable, str(ROOT / "deploy" / "z2jh" / "accounts.py"), str(roster), "--out", str(out)]
    assert subprocess.run(run, capture_output=True, text=True).returncode == 0
    first = (out / "passwords.csv").read_text()
    assert subprocess.run(run, capture_output=True, text=True).returncode == 0
    assert (out / "passwords.csv").read_text() == first
    for name in ("passwords.csv", "accounts.yaml"):
        assert (out / name).stat().st_mode & 0o077 == 0
    hashes = yaml.safe_load((out / "accounts.yaml").read_text())
    assert set(hashes) == {INSTRUCTOR, STUDENT} and all(h.startswith("$2") for h in hashes.values())
    assert not any(pw in (out / "accounts.yaml").read_text() for pw in first.split())


def test_hand_ins_go_to_the_service_beside_the_hub_not_to_a_shared_volume():
    values = class_values()
    single = values["singleuser"]
    assert "VKP_HANDIN_DIR" not in single["extraEnv"] and "extraVolumes" not in single["storage"]
    url = single["extraEnv"]["VKP_HANDIN_URL"]
    assert url == "http://hub:10101/services/vkp-handin/"
    (sidecar,) = values["hub"]["extraContainers"]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in sidecar["env"]}
    assert sidecar["command"] == ["python", "-m", "widgets.hubservice"]
    assert env["JUPYTERHUB_SERVICE_NAME"] == "vkp-handin" and "vkp-handin" in values["hub"]["services"]
    assert env["JUPYTERHUB_API_TOKEN"]["secretKeyRef"] == {"name": "hub", "key": "hub.services.vkp-handin.apiToken"}
    assert values["hub"]["services"]["vkp-handin"]["url"] == "http://hub:10101"
    assert {p["port"] for p in values["hub"]["service"]["extraPorts"]} == {10101}
    assert [m["name"] for m in sidecar["volumeMounts"]] == ["vkp-handin"], "only the service mounts the hand-ins"
    assert sidecar["securityContext"]["runAsNonRoot"] is True
    # Only instructors' servers are told where to read the class's hand-ins.
    c = hub_config(values)
    hook = c.KubeSpawner.pre_spawn_hook

    class Group:
        def __init__(self, name):
            self.name = name

    class Spawner:
        def __init__(self, groups):
            self.user = type("User", (), {"groups": [Group(g) for g in groups]})()
            self.environment = {}
    teacher, student = Spawner(["instructors"]), Spawner([])
    hook(teacher)
    hook(student)
    assert teacher.environment["VKP_CLASS_URL"] == url and "VKP_CLASS_URL" not in student.environment
    roles = {r["name"]: r for r in values["hub"]["config"]["JupyterHub"]["load_roles"]}
    assert "access:services!service=vkp-handin" in roles["server"]["scopes"]
    assert "access:servers" not in " ".join(roles["vkp-instructor"]["scopes"]), "instructors reach no server"
