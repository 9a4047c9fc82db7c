"""A real JupyterHub on loopback (deploy/local-hub), the course repository nbgitpuller pulls, and Chromium.

``course_source`` is the folder whose files students pull: the students' copy of the course
(:func:`tools.local_hub.course_files`: `make student-release`, without instructor material), or
``$VKP_COURSE_SOURCE``.  ``course_repo`` makes a local git repository of it (file:// only, nothing leaves the
machine), ``hub`` runs JupyterHub with configurable-http-proxy from deploy/local-hub/node_modules
(`npm ci` there when missing).  Every test here carries the ``hub`` marker: ``pytest -m hub`` runs them alone.
Without npm or Chromium they skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.labserver import CHROMIUM, CHROMIUM_ARGS
from tools.local_hub import HubError, course_files, ensure_proxy, running_hub, sync_course_repo


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/hub/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.hub)


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def course_source(tmp_path_factory):
    """The files students pull (a folder)."""
    try:
        return course_files(tmp_path_factory.mktemp("source") / "course")
    except HubError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def course_repo(course_source, tmp_path_factory):
    """A local git repository (branch main) holding ``course_source``: what the course link pulls."""
    repo = tmp_path_factory.mktemp("course") / "vkp-teaching"
    sync_course_repo(course_source, repo, "Course as released")
    return repo


@pytest.fixture(scope="session")
def proxy():
    """configurable-http-proxy, installed from deploy/local-hub/package-lock.json when missing."""
    try:
        return ensure_proxy()
    except HubError as exc:
        _missing(str(exc))


@pytest.fixture(scope="module")
def hub(proxy, course_repo, tmp_path_factory):
    try:
        with running_hub(tmp_path_factory.mktemp("hub"), str(course_repo)) as server:
            yield server
    except HubError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def hub_browser(hub, playwright_session):
    if not CHROMIUM.exists():
        _missing(f"Chromium is not installed at {CHROMIUM}: install Debian's package (`apt-get install chromium`)")
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
