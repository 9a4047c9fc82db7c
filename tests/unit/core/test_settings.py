"""One settings object: every path and environment variable the course uses is read in widgets/core/settings.py,
once, and passed in; each test has its own."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT
from widgets.core.settings import ENVIRONMENT, Settings, current_settings, use_settings
from widgets.record.handin import default_log


def test_the_environment_is_read_in_one_module_only():
    """No module of widgets but core/settings.py touches os.environ or os.getenv (imports in functions too)."""
    readers = []
    for path in sorted((ROOT / "widgets").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers and all(r.startswith("widgets/core/settings.py:") for r in readers), readers


def test_every_variable_the_settings_read_is_documented():
    source = (ROOT / "widgets/core/settings.py").read_text(encoding="utf-8")
    read = {node.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "get" and node.args
            and isinstance(node.args[0], ast.Constant)} | {"VKP_CLASS_SECRET"}
    assert read == set(ENVIRONMENT), read ^ set(ENVIRONMENT)


def test_settings_from_an_environment(tmp_path):
    settings = Settings.from_environ({
        "VKP_PROGRESS_DIR": " ~/progress ", "VKP_HANDIN_DIR": str(tmp_path / "in"), "VKP_HANDIN_URL": "http://h/s",
        "VKP_CLASS_URL": "http://h/c/", "JUPYTERHUB_USER": " ana ", "VKP_CLASS_SECRET": "s3cret",
        "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:9"}, data_folder=tmp_path / "data")
    assert settings.progress_dir == Path("~/progress").expanduser()
    assert settings.handin_dir == tmp_path / "in" and settings.class_dir is None
    assert settings.handin_url == "http://h/s/" and settings.class_url == "http://h/c/", "addresses end in /"
    assert settings.hub_user == "ana" and settings.class_secret == "s3cret"
    assert settings.service_listen == "http://127.0.0.1:9", "the hub's address when VKP_HANDIN_LISTEN is not set"
    assert settings.user_data_dir == tmp_path / "data"
    assert settings.content_dir == ROOT / "widgets" / "content" and settings.lessons_dir == ROOT / "lessons"
    empty = Settings.from_environ({}, data_folder=tmp_path / "data")
    assert empty.progress_dir == tmp_path / "data", "no VKP_PROGRESS_DIR: the user's data folder"
    assert (empty.handin_dir, empty.handin_url, empty.hub_user) == (None, "", "")


def test_each_test_has_its_own_settings_and_its_own_log(vkp_settings, tmp_path):
    assert current_settings() is vkp_settings
    assert vkp_settings.handin_dir is None and vkp_settings.hub_user == ""
    log = default_log()
    assert log.store.path.parent == vkp_settings.progress_dir and default_log() is log, "one log per kernel"
    other = vkp_settings.replace(progress_dir=tmp_path / "elsewhere")
    with use_settings(other):
        assert current_settings() is other and default_log().store.path.parent == tmp_path / "elsewhere"
    assert current_settings() is vkp_settings
