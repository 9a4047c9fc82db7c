"""The start notebook's self-check says in plain words what is missing or too old."""

from widgets.core.selfcheck import check_environment, report

ALL_GOOD = {"ipywidgets": "8.1.9", "jupyterlab_widgets": "3.0.16", "anywidget": "0.11.0",
            "matplotlib": "3.11.2", "pydantic": "2.14.4", "PyYAML": "6.0.3"}


def test_all_set():
    text = report(check_environment(ALL_GOOD.get, (3, 11, 7)))
    assert text.startswith("All set")
    assert "FIX" not in text


def test_missing_front_end_is_named_with_a_fix():
    versions = dict(ALL_GOOD)
    del versions["jupyterlab_widgets"]
    text = report(check_environment(versions.get, (3, 11, 0)))
    assert text.startswith("1 thing to fix")
    assert "jupyterlab_widgets is missing" in text and "widgets front end" in text
    assert "pip install" in text


def test_too_old_ipywidgets_and_python():
    versions = dict(ALL_GOOD, ipywidgets="7.7.1")
    text = report(check_environment(versions.get, (3, 8, 10)))
    assert text.startswith("2 things to fix")
    assert "ipywidgets 7.7.1 is too old" in text and "needs 8.0 or newer" in text
    assert "Python 3.8 is too old" in text
    assert "Traceback" not in text
