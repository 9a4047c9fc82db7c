"""The hand-in service as JupyterHub runs it: tornado (which JupyterHub itself runs on) and
``jupyterhub.services.auth.HubOAuth`` for who is asking.

Under the service's prefix (``/services/vkp-handin/``):

=====================================  ======================================================================
``POST api/handins``                   a student's server hands in (body: the hand-in file; header
                                       ``Authorization: token $JUPYTERHUB_API_TOKEN``).  The login is the token's
                                       owner as the hub says, never the file's; answer 201 with the receipt, or
                                       400 / 409 / 413 / 429 with ``{"error": "..."}`` (see :mod:`.store`).
``GET api/handins``                    instructors: every hand-in kept and every refusal; a student: their own.
``GET api/handins/<login>/<file>``     one kept file (instructors, or the student who handed it in).
``GET`` (the prefix itself)            the same list as a page, for an instructor's browser (hub login).
``GET api/health``                     ``{"status": "ok"}``, no login.
=====================================  ======================================================================

Instructors are the members of the hub group named by ``$VKP_HANDIN_INSTRUCTORS_GROUP`` (default
``instructors``), as the hub reports it.  Run by the hub (deploy/local-hub) or beside it (deploy/z2jh) with
``python -m widgets.hubservice``; the folder and index come from ``$VKP_HANDIN_STORE`` and ``$VKP_HANDIN_INDEX``.
"""

from __future__ import annotations

import html
import json
import logging
import os
from urllib.parse import quote, urlparse

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from widgets.core.settings import Settings, current_settings
from widgets.hubservice.store import MAX_UPLOAD_BYTES, SERVICE_NAME, HandInStore, Refused

log = logging.getLogger("vkp-handin")
INSTRUCTORS_GROUP = "instructors"


class _Handler(HubOAuthenticated, web.RequestHandler):
    def initialize(self, store: HandInStore, hub_auth: HubOAuth, instructors: str):
        self.store, self.hub_auth, self.instructors = store, hub_auth, instructors

    def check_xsrf_cookie(self):
        return                                           # POSTs need a token in the header (see HandIns.post)

    @property
    def login(self) -> str:
        model = self.current_user
        return model["name"] if model and model.get("kind", "user") == "user" else ""

    @property
    def is_instructor(self) -> bool:
        model = self.current_user or {}
        return model.get("kind", "user") == "user" and self.instructors in (model.get("groups") or [])

    def write_json(self, status: int, payload) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(payload, ensure_ascii=False))


class _API(_Handler):
    def get_login_url(self):
        raise web.HTTPError(403, "log in to the hub first (a hub token in the Authorization header)")

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None))[1]
        message = (exc.log_message if isinstance(exc, web.HTTPError) and exc.log_message
                   else self._reason)
        self.write_json(status_code, {"error": message})


@web.stream_request_body
class HandIns(_API):
    """``api/handins``: hand in (POST), list (GET)."""

    def prepare(self):
        if self.request.method != "POST":
            return
        self._chunks, self._size = [], 0
        declared = self.request.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
            self.write_json(413, {"error": f"the hand-in is {int(declared) / 2**20:.1f} MB; the service takes at "
                                           f"most {MAX_UPLOAD_BYTES / 2**20:.0f} MB at once"})
            return
        self.request.connection.set_max_body_size(MAX_UPLOAD_BYTES + 1)

    def data_received(self, chunk: bytes) -> None:
        if self.request.method != "POST" or self._finished:
            return
        self._size += len(chunk)
        if self._size <= MAX_UPLOAD_BYTES:
            self._chunks.append(chunk)

    @web.authenticated
    def post(self):
        if not self.request.headers.get("Authorization", "").lower().startswith(("token ", "bearer ")):
            raise web.HTTPError(403, "hand in with your hub token in the Authorization header")
        if not self.login:
            raise web.HTTPError(403, "only a student's or instructor's login can hand in")
        if self._size > MAX_UPLOAD_BYTES:
            raise web.HTTPError(413, f"the hand-in is larger than {MAX_UPLOAD_BYTES / 2**20:.0f} MB")
        try:
            receipt = self.store.receive(self.login, b"".join(self._chunks))
        except Refused as exc:
            log.warning("refused a hand-in from %s: %s", self.login, exc)
            self.write_json(exc.status, {"error": str(exc)})
            return
        log.info("received %d new answers from %s", receipt.new, self.login)
        self.write_json(201 if receipt.file else 200, receipt.as_dict())

    @web.authenticated
    def get(self):
        if self.is_instructor:
            self.write_json(200, {"handins": self.store.listing(), "refusals": self.store.refusals()})
        elif self.login:
            self.write_json(200, {"handins": self.store.listing(self.login),
                                  "refusals": self.store.refusals(self.login)})
        else:
            raise web.HTTPError(403, "only the hub's users can list hand-ins")


class HandInFile(_API):
    """``api/handins/<login folder>/<file>``: one kept hand-in."""

    @web.authenticated
    def get(self, folder: str, name: str):
        file = f"{folder}/{name}"
        owner = self.store.owner(file)
        if owner is None or not (self.is_instructor or owner == self.login):
            raise web.HTTPError(404, "no such hand-in")            # the same answer whether it exists or not
        try:
            data = self.store.read(file)
        except Refused as exc:
            raise web.HTTPError(exc.status, str(exc)) from None
        self.set_header("Content-Type", "application/x-ndjson; charset=utf-8")
        self.set_header("Content-Disposition", f"attachment; filename=\"{name}\"")
        self.set_header("Cache-Control", "no-store")
        self.finish(data)


class Health(web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.finish('{"status": "ok"}')


class Page(_Handler):
    """The list as a page, for an instructor's browser."""

    @web.authenticated
    def get(self):
        mine = None if self.is_instructor else self.login
        rows = "".join(
            f"<tr><td>{html.escape(f['hub_user'])}</td><td>{html.escape(f['received_at'])}</td>"
            f"<td>{f['answers']}</td><td><a href=\"api/handins/{quote(f['file'])}\">{html.escape(f['file'])}</a>"
            "</td></tr>" for f in self.store.listing(mine))
        refused = "".join(
            f"<li>{html.escape(r['hub_user'])}, {html.escape(r['at'])}: {html.escape(r['reason'])}</li>"
            for r in self.store.refusals(mine))
        who = "every student's hand-ins" if mine is None else "your hand-ins"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.finish(f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Hand-ins</title></head>"
                    f"<body><h1>Hand-ins</h1><p>Received by the hub's hand-in service: {who}. The login is the "
                    "one the hub vouched for.</p><table><thead><tr><th>Login</th><th>Received (UTC)</th>"
                    f"<th>New answers</th><th>File</th></tr></thead><tbody>{rows}</tbody></table>"
                    f"<h2>Refused</h2><ul>{refused or '<li>none</li>'}</ul></body></html>")


def make_app(store: HandInStore, prefix: str, *, hub_auth: HubOAuth | None = None,
             instructors: str = INSTRUCTORS_GROUP) -> web.Application:
    prefix = "/" + prefix.strip("/") + "/"
    hub_auth = hub_auth or HubOAuth.instance(cache_max_age=60)     # the one the OAuth callback uses too
    args = {"store": store, "hub_auth": hub_auth, "instructors": instructors}
    return web.Application([
        (prefix, Page, args),
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
        (prefix + "api/health", Health),
        (prefix + "api/handins", HandIns, args),
        (prefix + r"api/handins/([^/]+)/([^/]+)", HandInFile, args),
    ], cookie_secret=os.urandom(32), hub_auth=hub_auth, xsrf_cookies=False)


def main(settings: Settings | None = None) -> int:
    os.umask(0o027)                                      # kept hand-ins: the service writes, instructors read
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s vkp-handin] %(message)s")
    settings = settings or current_settings()
    store_dir, index = settings.service_store, settings.service_index
    if not store_dir or not index:
        raise SystemExit("widgets.hubservice: set VKP_HANDIN_STORE (the hand-in folder) and VKP_HANDIN_INDEX "
                         "(its index file, outside that folder)")
    store_dir.mkdir(mode=0o750, parents=True, exist_ok=True)    # on Kubernetes, the volume's first start
    store = HandInStore(store_dir, index, service=settings.service_name or SERVICE_NAME)
    prefix = settings.service_prefix or f"/services/{SERVICE_NAME}/"
    listen = urlparse(settings.service_listen or "http://127.0.0.1:10101")
    app = make_app(store, prefix, instructors=settings.instructors_group or INSTRUCTORS_GROUP)
    server = HTTPServer(app, max_body_size=MAX_UPLOAD_BYTES + 1, xheaders=True)
    server.listen(listen.port or 80, listen.hostname or "127.0.0.1")
    log.info("hand-in service on %s%s, keeping hand-ins in %s", listen.geturl().rstrip("/"), prefix, store.folder)
    IOLoop.current().start()
    return 0
