"""Where the course is and where it runs, read once: every path and every ``VKP_*`` variable in one place.

In the spirit of nbgrader's ``coursedir.py``: one :class:`Settings` object holds the course's own folders (the
package, its authored content, the files the build generates, the static files of its controls, its data, the
checkout and the instructor's lessons) and what the place it runs in says (the student's progress folder, the
hub login and token, the hand-in folder and service, the class folder, service and secret, the hub's hand-in
service's folders).  :meth:`Settings.from_environ` reads the environment once; nothing else in ``widgets``
reads ``os.environ``.  Code that a caller may point elsewhere takes a ``settings`` argument; otherwise it asks
:func:`current_settings`, this process's settings, read the first time they are needed.  A test gives each test
its own (``tests/conftest.py``) through :func:`use_settings`, never by changing module globals.

The environment, as an admin sets it (:data:`ENVIRONMENT` names each variable and what it is for):

* ``VKP_PROGRESS_DIR``: the folder of the student's progress file (default: the user's data folder);
* ``VKP_HANDIN_DIR``: a folder the hand-in is also copied to (a hub's shared volume);
* ``VKP_HANDIN_URL``: the class hub's hand-in service, for students' servers;
* ``VKP_CLASS_DIR``, ``VKP_CLASS_URL``, ``VKP_CLASS_SECRET``: what the instructor's class-results notebook reads;
* ``VKP_TEST_SPEC``: an instructor's own pre/post-test spec file (default: the shipped ``pre_post_test.yaml``);
* ``VKP_PICTURES``: ``read``, ``write`` (the notebook build) or ``off``: the pictures drawn at build time;
* ``VKP_IDLE``: ``off`` draws a widget's frames at once rather than while the kernel is idle (the benchmarks);
* ``VKP_HANDIN_STORE``, ``VKP_HANDIN_INDEX``, ``VKP_HANDIN_LISTEN``, ``VKP_HANDIN_INSTRUCTORS_GROUP``: the hand-in
  service's own (``python -m widgets.hubservice``);
* ``JUPYTERHUB_USER``, ``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_SERVICE_NAME``, ``JUPYTERHUB_SERVICE_PREFIX``,
  ``JUPYTERHUB_SERVICE_URL``: what JupyterHub itself gives a server or a service.

The students' copy (``make student-release``) has the package and the notebooks but not the instructor's
material, so :attr:`Settings.lessons_dir` may not exist there; only the instructor's side reads it.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

#: The ``widgets`` package.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The name of this module's folder among the user's data folders (platformdirs).
APP_NAME = "vkp-teaching"

#: Every environment variable the course reads, and what it says.
ENVIRONMENT: dict[str, str] = {
    "VKP_PROGRESS_DIR": "the folder of the student's progress file (default: the user's data folder)",
    "VKP_HANDIN_DIR": "a folder every hand-in is also appended to, readable by the instructors (a hub's volume)",
    "VKP_HANDIN_URL": "the class hub's hand-in service, where a student's server hands in",
    "VKP_CLASS_DIR": "the folder of hand-ins the class-results notebook reads",
    "VKP_CLASS_URL": "the hand-in service the instructor's class-results notebook copies the class from",
    "VKP_CLASS_SECRET": "the secret that orders the class's pseudonyms (S01, S02, ...)",
    "VKP_TEST_SPEC": "an instructor's own pre/post-test spec file (default: the shipped pre_post_test.yaml)",
    "VKP_HANDIN_STORE": "the hand-in service's folder of kept hand-ins",
    "VKP_HANDIN_INDEX": "the hand-in service's index (SQLite)",
    "VKP_HANDIN_LISTEN": "the address the hand-in service listens on (default: JUPYTERHUB_SERVICE_URL)",
    "VKP_HANDIN_INSTRUCTORS_GROUP": "the hub group whose members read every hand-in",
    "VKP_PICTURES": "read (the default: show a current picture drawn at build time), write (also store what is "
                    "drawn: the notebook build) or off (draw everything: the benchmarks' naive run)",
    "VKP_IDLE": "off: draw a widget's frames at once instead of while the kernel is idle (the benchmarks' naive run)",
    "JUPYTERHUB_USER": "the hub login of this server's user",
    "JUPYTERHUB_API_TOKEN": "this server's (or service's) hub token",
    "JUPYTERHUB_SERVICE_NAME": "the hand-in service's name on the hub",
    "JUPYTERHUB_SERVICE_PREFIX": "the hand-in service's URL prefix on the hub",
    "JUPYTERHUB_SERVICE_URL": "the address the hub gives the hand-in service",
}


def _folder(value: str) -> Path | None:
    value = value.strip()
    return Path(value).expanduser() if value else None


def _url(value: str) -> str:
    """An address ending in ``/``, or "" when none is set."""
    value = value.strip()
    return value.rstrip("/") + "/" if value else ""


def user_data_dir() -> Path:
    """The user's data folder for this module (platformdirs; e.g. ``~/.local/share/vkp-teaching``)."""
    import platformdirs
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Every path and environment setting the course uses (see the module's docstring)."""

    # -- the course's own files
    package_dir: Path
    content_dir: Path            # authored content (YAML)
    generated_dir: Path          # files the build writes from the sources, never edited by hand
    static_dir: Path             # JavaScript and CSS of the controls (anywidget)
    data_dir: Path               # binary data the package ships (the real CT)
    repository_dir: Path         # the checkout (or the students' copy) the package sits in
    lessons_dir: Path            # the instructor's material; absent in the students' copy
    # -- the student's record
    user_data_dir: Path          # the user's data folder (the instructor's class secrets and class copy)
    progress_dir: Path           # VKP_PROGRESS_DIR, else the user's data folder
    hub_user: str = ""           # JUPYTERHUB_USER ("" off a hub)
    hub_token: str = ""          # JUPYTERHUB_API_TOKEN
    handin_dir: Path | None = None   # VKP_HANDIN_DIR
    handin_url: str = ""         # VKP_HANDIN_URL, ending in "/" ("" when there is none)
    # -- the instructor's side
    class_dir: Path | None = None    # VKP_CLASS_DIR
    class_url: str = ""          # VKP_CLASS_URL, ending in "/"
    class_secret: str = ""       # VKP_CLASS_SECRET
    test_spec: Path | None = None    # VKP_TEST_SPEC
    # -- the hub's hand-in service
    service_store: Path | None = None    # VKP_HANDIN_STORE
    service_index: Path | None = None    # VKP_HANDIN_INDEX
    service_listen: str = ""     # VKP_HANDIN_LISTEN, else JUPYTERHUB_SERVICE_URL
    service_name: str = ""       # JUPYTERHUB_SERVICE_NAME
    service_prefix: str = ""     # JUPYTERHUB_SERVICE_PREFIX
    instructors_group: str = ""  # VKP_HANDIN_INSTRUCTORS_GROUP
    # -- how the notebooks draw
    pictures: str = "read"       # VKP_PICTURES: read, write (the build) or off (widgets.core.pictures checks it)
    idle_off: bool = False       # VKP_IDLE=off: no drawing deferred to the kernel's idle time

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, *, package_dir: Path = PACKAGE_DIR,
                     data_folder: Path | None = None) -> "Settings":
        """The settings the environment gives (``os.environ`` unless ``environ`` is given): read once, here."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, "").strip()

        repository = package_dir.parent
        user_data = data_folder if data_folder is not None else user_data_dir()
        return cls(
            package_dir=package_dir, content_dir=package_dir / "content",
            generated_dir=package_dir / "content" / "generated", static_dir=package_dir / "core" / "static",
            data_dir=package_dir / "data", repository_dir=repository, lessons_dir=repository / "lessons",
            user_data_dir=user_data, progress_dir=_folder(get("VKP_PROGRESS_DIR")) or user_data,
            hub_user=get("JUPYTERHUB_USER"), hub_token=get("JUPYTERHUB_API_TOKEN"),
            handin_dir=_folder(get("VKP_HANDIN_DIR")), handin_url=_url(get("VKP_HANDIN_URL")),
            class_dir=_folder(get("VKP_CLASS_DIR")), class_url=_url(get("VKP_CLASS_URL")),
            class_secret=env.get("VKP_CLASS_SECRET", ""), test_spec=_folder(get("VKP_TEST_SPEC")),
            service_store=_folder(get("VKP_HANDIN_STORE")), service_index=_folder(get("VKP_HANDIN_INDEX")),
            service_listen=get("VKP_HANDIN_LISTEN") or get("JUPYTERHUB_SERVICE_URL"),
            service_name=get("JUPYTERHUB_SERVICE_NAME"), service_prefix=get("JUPYTERHUB_SERVICE_PREFIX"),
            instructors_group=get("VKP_HANDIN_INSTRUCTORS_GROUP"),
            pictures=get("VKP_PICTURES").lower() or "read", idle_off=get("VKP_IDLE").lower() == "off",
        )

    def replace(self, **changes) -> "Settings":
        """These settings with some changed (``settings.replace(progress_dir=folder)``)."""
        return dataclasses.replace(self, **changes)


_CURRENT: list[Settings] = []


def current_settings() -> Settings:
    """This process's settings: read from the environment the first time, then the same object (or the
    settings a :func:`use_settings` block gives)."""
    if not _CURRENT:
        _CURRENT.append(Settings.from_environ())
    return _CURRENT[-1]


@contextlib.contextmanager
def use_settings(settings: Settings) -> Iterator[Settings]:
    """Within the block, :func:`current_settings` is ``settings`` (how a test gives each test its own)."""
    current_settings()                   # the process's own stay underneath
    _CURRENT.append(settings)
    try:
        yield settings
    finally:
        del _CURRENT[max(i for i, s in enumerate(_CURRENT) if s is settings)]
