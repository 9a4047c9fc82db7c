"""What an admin relies on in deploy/: the Zero to JupyterHub values sized from the measured figures, the same
kernel culling on both hubs, the course link as the default URL, the hand-in folder, the students' image, and
the one-server config's safe defaults and clear errors.  (tests/hub runs the one-server hub for real.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from traitlets.config import Config

from tests.conftest import ROOT
from widgets.core.links import git_pull_path
from widgets.core.course import load_course

VALUES_PATH = ROOT / "deploy" / "z2jh" / "values.yaml"
VALUES = yaml.safe_load(VALUES_PATH.read_text())
VALUES_TEXT = VALUES_PATH.read_text()
DOCKERFILE = (ROOT / "deploy" / "image" / "Dockerfile").read_text()
LOCAL_CONFIG = ROOT / "deploy" / "local-hub" / "jupyterhub_config.py"


def megabytes(quantity: str) -> float:
    """A JupyterHub memory size ('320M', '1G': powers of 1024, as JupyterHub reads them) in MiB."""
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT])", quantity).groups()
    return float(number) * {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024**2}[unit]


def measured() -> dict[str, float]:
    """The benchmark figures values.yaml says it was sized from."""
    m = re.search(r"peak resident memory: (\d+) MB, the Jupyter server about (\d+) MB and the kernel about (\d+) MB",
                  VALUES_TEXT)
    cpu = re.search(r"working the widgets: ([\d.]+) cores", VALUES_TEXT)
    assert m and cpu, "values.yaml no longer names the measured figures it was sized from"
    return {"student": float(m[1]), "server": float(m[2]), "kernel": float(m[3]), "cores": float(cpu[1])}


# ---------------------------------------------------------------- Zero to JupyterHub
def test_memory_and_cpu_sized_from_the_benchmark():
    fig = measured()
    assert abs(fig["server"] + fig["kernel"] - fig["student"]) <= 1
    single = VALUES["singleuser"]
    guarantee, limit = megabytes(single["memory"]["guarantee"]), megabytes(single["memory"]["limit"])
    assert fig["student"] <= guarantee <= 1.5 * fig["student"], "the guarantee should cover one measured student"
    assert limit >= fig["server"] + 6 * fig["kernel"], "the limit should hold a server and six heavy kernels"
    assert single["cpu"]["guarantee"] >= fig["cores"] and single["cpu"]["limit"] >= 1


def test_readmes_state_the_measured_memory_per_student():
    fig = measured()
    assert f"**{fig['student']:.0f} MB per student**" in (ROOT / "README.md").read_text()
    table = (ROOT / "deploy" / "README.md").read_text()
    assert re.search(rf"^\| 30 \|.*\| {fig['student']:.0f} \|", table, re.M), "deploy/README.md's N = 30 row differs"


def test_a_nine_oclock_class_is_not_turned_away():
    assert VALUES["hub"]["concurrentSpawnLimit"] >= 300, "the largest class (300) should all be able to spawn at once"
    assert VALUES["prePuller"]["hook"]["enabled"] and VALUES["prePuller"]["continuous"]["enabled"]
    assert VALUES["scheduling"]["podPriority"]["enabled"] and VALUES["scheduling"]["userPlaceholder"]["enabled"]
    assert VALUES["cull"]["enabled"] and VALUES["cull"]["timeout"] >= 3600


def culling(values: dict) -> dict:
    return values["singleuser"]["extraFiles"]["kernel-culling"]["data"]["MappingKernelManager"]


def local_config(monkeypatch, tmp_path, **env) -> Config:
    """Load deploy/local-hub/jupyterhub_config.py as JupyterHub does (as root), with ``env`` set."""
    if os.geteuid() != 0:
        pytest.skip("the class hub's config is for a hub run as root (CI runs as root)")
    for name in ("VKP_HUB_IP", "VKP_HUB_SSL_KEY", "VKP_HUB_SSL_CERT", "VKP_HUB_CULL_IDLE"):
        monkeypatch.delenv(name, raising=False)
    state = tmp_path / "state"
    (state / "private").mkdir(parents=True)
    (state / "private" / "roster.txt").write_text("[instructors]\nmsmith\n[students]\njdoe\nakim\n")
    monkeypatch.setenv("VKP_HUB_STATE", str(state))
    monkeypatch.setenv("VKP_HUB_ENV", "/opt/vkp-hub/env-test")
    monkeypatch.setenv("VKP_COURSE_REPO", "/srv/vkp-hub/course/students/vkp-teaching")
    monkeypatch.setenv("VKP_INSTRUCTOR_REPO", "/srv/vkp-hub/course/instructors/vkp-teaching")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    c = Config()
    exec(compile(LOCAL_CONFIG.read_text(), str(LOCAL_CONFIG), "exec"),
         {"c": c, "get_config": lambda: c, "__file__": str(LOCAL_CONFIG)})
    return c


@pytest.fixture
def proxy_installed(monkeypatch):
    """The config refuses to start without configurable-http-proxy; these checks read the config only."""
    chp = ROOT / "deploy" / "local-hub" / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chp.exists():
        pytest.skip("configurable-http-proxy is not installed (npm ci in deploy/local-hub)")


def test_kernel_culling_is_the_same_on_both_hubs_and_outlasts_every_notebook(monkeypatch, tmp_path, proxy_installed):
    z2jh = culling(VALUES)
    local = dict(re.fullmatch(r"--MappingKernelManager\.(\w+)=(\w+)", a).groups()
                 for a in local_config(monkeypatch, tmp_path).Spawner.args if "MappingKernel" in a)
    assert {k: str(v).lower() for k, v in z2jh.items()} == {k: v.lower() for k, v in local.items()}
    longest = max(n.minutes for n in load_course().notebooks)
    assert z2jh["cull_idle_timeout"] > longest * 60, "a student reading the longest notebook would lose the kernel"
    assert z2jh["cull_connected"] is True and z2jh["cull_busy"] is False
    assert z2jh["cull_idle_timeout"] <= VALUES["cull"]["timeout"]


def test_logging_in_pulls_the_course_and_opens_the_start_notebook():
    url = urlparse(VALUES["singleuser"]["defaultUrl"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == "/git-pull"
    assert query["urlpath"] == f"lab/tree/{query['targetpath']}/notebooks/00-start-here.ipynb"
    assert VALUES["singleuser"]["defaultUrl"] == "/" + git_pull_path(query["repo"], query["branch"])


def test_values_are_for_the_chart_whose_hub_the_image_matches():
    assert "chart 4.4.0 (JupyterHub 5.5.0)" in VALUES_TEXT and "--version 4.4.0" in VALUES_TEXT
    assert '"jupyterhub==5.5.0"' in DOCKERFILE and "nbgitpuller==" in DOCKERFILE
    assert VALUES["singleuser"]["image"]["tag"] != "latest"


# ---------------------------------------------------------------- the students' image
def test_image_installs_the_module_with_its_jupyterlab_settings(tmp_path):
    """Build the module's wheel from exactly what the Dockerfile copies: it must carry the content and the
    JupyterLab settings override, which a non-editable install puts in <prefix>/share/jupyter/lab/settings."""
    base = re.search(r"^FROM (\S+)", DOCKERFILE, re.M)[1]
    assert ":" in base and not base.endswith(":latest"), "pin the base image"
    context = tmp_path / "context"
    for src, dest in re.findall(r"^COPY (.+) (/tmp/vkp-teaching/\S*)$", DOCKERFILE, re.M):
        for name in src.split():
            target = context / Path(dest.removeprefix("/tmp/vkp-teaching/")) / (name if dest.endswith("/") else "")
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read_bytes())
    assert "pip install" in DOCKERFILE and "/tmp/vkp-teaching \\" in DOCKERFILE and "-e " not in DOCKERFILE
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "out"),
                           str(context)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = zipfile.ZipFile(next((tmp_path / "out").glob("vkp_teaching-*.whl")))
    names = set(wheel.namelist())
    settings = "share/jupyter/lab/settings/overrides.d/vkp-teaching.json"
    assert any(n.endswith(".data/data/" + settings) for n in names), "the image would show JupyterLab's news prompt"
    assert f"test -f /usr/local/{settings}" in DOCKERFILE
    for content in (ROOT / "widgets").rglob("*.yaml"):
        assert content.relative_to(ROOT).as_posix() in names, f"{content.name} missing from the image"
    style = "share/jupyter/labextensions/vkp-teaching/static/style.css"
    assert any(n.endswith(".data/data/" + style) for n in names), "the image would show collapsed cells' code"
    assert f"test -f /usr/local/{style}" in DOCKERFILE
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert list(data) == ["share/jupyter/lab/settings/overrides.d", "share/jupyter/labextensions/vkp-teaching",
                          "share/jupyter/labextensions/vkp-teaching/static"]


# ---------------------------------------------------------------- the one-server hub's config
def test_local_hub_listens_on_loopback_logs_in_the_roster_and_runs_each_server_as_its_person(monkeypatch, tmp_path,
                                                                                              proxy_installed):
    c = local_config(monkeypatch, tmp_path)
    assert c.JupyterHub.bind_url.startswith("http://127.0.0.1:")
    assert c.JupyterHub.hub_bind_url.startswith("http://127.0.0.1:")
    assert Path(c.JupyterHub.db_url.removeprefix("sqlite:///")).is_relative_to(tmp_path / "state" / "private")
    assert c.JupyterHub.authenticator_class == "pam" and c.PAMAuthenticator.allowed_users == {"msmith", "jdoe", "akim"}
    assert c.Authenticator.allow_existing_users is False and not c.Authenticator.admin_users
    assert c.JupyterHub.load_groups == {"instructors": {"users": ["msmith"]}}
    assert c.JupyterHub.spawner_class == "localprocess" and "--allow-root" not in c.Spawner.args
    assert c.Spawner.cmd == ["/opt/vkp-hub/env-test/bin/jupyterhub-singleuser"]
    assert set(c.Spawner.env_keep) <= {"LANG", "LC_ALL", "TZ"}, "the hub's environment leaks into servers"
    (handin,) = [s for s in c.JupyterHub.services if s["name"] == "vkp-handin"]
    assert handin["user"] == "vkp-handin" and handin["command"][-1] == "widgets.hubservice"
    assert c.Spawner.default_url == "/" + git_pull_path("/srv/vkp-hub/course/students/vkp-teaching")


def test_local_hub_serves_https_with_the_schools_certificate(monkeypatch, tmp_path, proxy_installed):
    c = local_config(monkeypatch, tmp_path, VKP_HUB_IP="0.0.0.0", VKP_HUB_SSL_KEY="/etc/ssl/private/hub.key",
                     VKP_HUB_SSL_CERT="/etc/ssl/certs/hub.pem")
    assert c.JupyterHub.bind_url.startswith("https://0.0.0.0:")
    assert (c.JupyterHub.ssl_key, c.JupyterHub.ssl_cert) == ("/etc/ssl/private/hub.key", "/etc/ssl/certs/hub.pem")


def test_local_hub_without_its_folder_says_what_to_set(monkeypatch, tmp_path, proxy_installed):
    if os.geteuid() != 0:
        pytest.skip("the class hub's config is for a hub run as root")
    monkeypatch.delenv("VKP_HUB_STATE", raising=False)
    c = Config()
    with pytest.raises(SystemExit, match=r"set VKP_HUB_STATE \(.*\); `make hub` sets it for you"):
        exec(compile(LOCAL_CONFIG.read_text(), str(LOCAL_CONFIG), "exec"), {"c": c, "__file__": str(LOCAL_CONFIG)})
