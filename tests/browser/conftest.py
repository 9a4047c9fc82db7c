"""A real JupyterLab in headless Chromium, driven by Playwright.

``lab`` (session) starts ``jupyter lab`` on a free loopback port with a token,
serving a temporary copy of ``notebooks/`` and ``lessons/`` (plus the harness's
deliberately faulty notebooks) so tests never rewrite committed files.
``page`` opens a fresh Chromium page (Debian's ``/usr/bin/chromium``; no
browser is downloaded).  Without Chromium these tests skip with the reason,
except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.labserver import CHROMIUM, CHROMIUM_ARGS, LabError, running_lab


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = (f"Chromium is not installed at {CHROMIUM}: install Debian's package "
              "(`apt-get install chromium`) to run the browser tests")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    _need_chromium()
    try:
        with running_lab(tmp_path_factory.mktemp("lab"), with_harness=True) as server:
            yield server
    except LabError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def chromium(playwright_session):
    """Headless Chromium, one for the whole session, also for tests that need no JupyterLab (the course
    website); it runs on the session's one Playwright, shared with the hub tests."""
    _need_chromium()
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser(lab, chromium):
    return chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
