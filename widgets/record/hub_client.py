"""Handing in through the class hub's hand-in service (:mod:`widgets.hubservice`), from the student's own server.

On a class hub the admin sets ``VKP_HANDIN_URL`` (the service's address, e.g.
``http://127.0.0.1:10101/services/vkp-handin/``) in every server's environment; the hub itself puts the server's
own token in ``JUPYTERHUB_API_TOKEN`` (both read once, as :attr:`~widgets.core.settings.Settings.handin_url` and
``hub_token``).  :func:`post_hand_in` sends the hand-in file with that token: the service
asks the hub whose token it is, so the file cannot say who handed it in.  Instructors' servers also get
``VKP_CLASS_URL`` (the same address; ``class_url``), and :func:`download_all` copies every kept hand-in into a
folder the class-results notebook reads.  Without the variable (a laptop, Binder) nothing here is used: the
hand-in stays a file next to the notebook and a download.

Standard library only (urllib); no ipywidgets.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

from widgets.core.settings import current_settings

TIMEOUT_S = 30.0
_KEPT_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}/\d{8}T\d{12}Z-[0-9a-f]{12}(?:-\d+)?\.jsonl$")


class HandInRefused(RuntimeError):
    """The service did not keep the hand-in (or could not be reached); the message says why, for the student."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _request(url: str, token: str | None, *, data: bytes | None = None, timeout: float = TIMEOUT_S):
    token = token if token is not None else current_settings().hub_token
    if not token:
        raise HandInRefused("this server has no hub token (JUPYTERHUB_API_TOKEN), so the hand-in service cannot "
                            "tell who you are; open the course from the hub")
    headers = {"Authorization": f"token {token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/x-ndjson; charset=utf-8"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:     # noqa: S310 - the admin's URL
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            message = json.loads(body)["error"]
        except (ValueError, KeyError, TypeError):
            message = exc.reason
        raise HandInRefused(f"the hand-in service refused it: {message}", exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise HandInRefused(f"the hand-in service at {url} did not answer ({reason}); try again in a minute, "
                            "or tell your instructor") from None


def _class_url() -> str:
    settings = current_settings()
    return settings.class_url or settings.handin_url


def post_hand_in(text: str, url: str | None = None, token: str | None = None) -> dict:
    """Hand in ``text`` (a whole hand-in file); returns the service's receipt (``new``, ``already``, ``file``)."""
    base = url or current_settings().handin_url
    if not base:
        raise HandInRefused("no hand-in service is set (VKP_HANDIN_URL)")
    _, body = _request(base + "api/handins", token, data=text.encode("utf-8"))
    return json.loads(body)


def list_hand_ins(url: str | None = None, token: str | None = None) -> dict:
    """``{"handins": [...], "refusals": [...]}``: everything kept (instructors) or one's own (students)."""
    base = url or _class_url()
    _, body = _request(base + "api/handins", token)
    return json.loads(body)


def download_all(folder: Path | str, url: str | None = None, token: str | None = None) -> list[Path]:
    """Copy every hand-in the service kept into ``folder`` (``<login>/<file>``, made private); files already
    there are not fetched again.  Returns the files that are there."""
    base = url or _class_url()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    out = []
    for entry in list_hand_ins(base, token)["handins"]:
        rel = str(entry.get("file", ""))
        if not _KEPT_NAME.match(rel):
            continue                                          # a name this client would not write: skipped
        target = folder / rel
        if not target.exists():
            _, data = _request(base + "api/handins/" + rel, token)
            target.parent.mkdir(exist_ok=True)
            tmp = target.with_name("." + target.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        out.append(target)
    return out
