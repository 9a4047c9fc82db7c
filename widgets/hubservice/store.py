"""What the hand-in service keeps, and what it refuses: pure logic, no web server (:mod:`widgets.hubservice.service`
serves it).

Layout, made by the hub's set-up and written only by the service's own system account::

    <store>/                       2750  service : instructors   students cannot even list it
      <login>/                     2750  one folder per hub login, made by the service
        20261120T093112123456Z-3f2a9c1e7b04.jsonl   0640   one file per accepted hand-in, never overwritten
    <index>                        0600  service (sqlite; outside the store): every answer id received, whose it
                                         is and a digest of its content; hand-ins refused and why

A stored file is the hand-in format of :mod:`widgets.record.attempts` (version 2): its first line is the header
the student's server sent with two changes, ``student.hub_user`` set to the login the hub vouched for and
``received``, the service's stamp (``by``, ``hub_user``, ``at``, ``sha256`` of the upload, ``claimed_hub_user``:
what the file said).  Then one line per answer that was new.  The class results trust the stamp, never the file.

What is refused (nothing is stored, the reason is kept for the instructors):

* an upload over :data:`MAX_UPLOAD_BYTES` or with more than :data:`MAX_ANSWERS_PER_UPLOAD` answers, a file that
  is not a hand-in, or one with a damaged line (status 400 / 413);
* an answer id that another login handed in, or that this login handed in before with different content: a
  forged or replayed answer (status 409, "conflict");
* a login past :data:`MAX_ANSWERS_PER_STUDENT` answers or :data:`MAX_BYTES_PER_STUDENT` bytes kept (429).

An identical hand-in sent again is accepted and stores nothing new.  A hand-in that lacks answers this login
handed in before (deleted from the student's progress file to erase a wrong first try) is kept with
``received.dropped``, the number missing: the earlier files still hold those answers, so they still count, and the
class results say they went missing.  Each student has their own folder and
quota, and only the service writes: one student cannot block or fill another's hand-in.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from widgets.record.attempts import (
    EXPORT_FORMAT, MAX_ANSWERS_PER_FILE, MAX_ANSWERS_PER_STUDENT, FileProblem, attempt_digest, decode_text, dumps,
    json_loads, parse_export_text, read_limited, utc_stamp,
)

SERVICE_NAME = "vkp-handin"
#: One upload: a full course's answers are about 600 kB (records.MAX_FILE_BYTES is the reader's 8 MB limit).
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
#: The class results read no more from one file, nor keep more of one student (widgets.record.attempts).
MAX_ANSWERS_PER_UPLOAD = MAX_ANSWERS_PER_FILE
#: What one login may have kept in all: bounded memory for the class results and bounded disk.
MAX_BYTES_PER_STUDENT = 32 * 1024 * 1024
#: Refusals kept per login (older ones are dropped), so refused uploads cannot fill the index either.
MAX_REFUSALS_KEPT = 50
FOLDER_MODE = 0o2750
FILE_MODE = 0o640
_LOGIN_FOLDER = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_STORED_NAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{12}(?:-\d+)?\.jsonl$")


class Refused(ValueError):
    """A hand-in the service does not keep: ``status`` is the HTTP status, the message says why in plain words."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Receipt:
    """What the service kept of one hand-in."""

    hub_user: str
    received_at: str
    new: int                       # answers kept by this hand-in
    already: int                   # answers it had received before, identical
    file: str = ""                 # "<login folder>/<name>" when something was kept, else ""
    sha256: str = ""
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"hub_user": self.hub_user, "received_at": self.received_at, "new": self.new,
                "already": self.already, "file": self.file, "sha256": self.sha256}


def login_folder(login: str) -> str:
    """The folder name of a login: the login itself when it is a plain name, else a digest of it."""
    if _LOGIN_FOLDER.match(login) and login not in {".", ".."}:
        return login
    return "u-" + hashlib.sha256(login.encode("utf-8")).hexdigest()[:16]


#: A digest of one answer's whole content (the same answer always gives the same digest); the class results use
#: it too (widgets.record.attempts).
answer_digest = attempt_digest


def _compact(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%S%f") + "Z"


class HandInStore:
    """The hand-ins one class handed in through the service (see the module docstring)."""

    def __init__(self, folder: Path | str, index: Path | str, *, clock: Callable[[], str] = utc_stamp,
                 service: str = SERVICE_NAME):
        self.folder = Path(folder)
        self.index = Path(index)
        self.clock = clock
        self.service = service
        if not self.folder.is_dir():
            raise FileNotFoundError(f"the hand-in folder {self.folder} does not exist: the hub's set-up makes it")
        fresh = not self.index.exists()
        self.db = sqlite3.connect(self.index, isolation_level=None)
        os.chmod(self.index, 0o600)
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS answers (id TEXT PRIMARY KEY, hub_user TEXT NOT NULL, digest TEXT NOT NULL,
                                                file TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS files (file TEXT PRIMARY KEY, hub_user TEXT NOT NULL, received_at TEXT NOT NULL,
                                              answers INTEGER NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL,
                                              claimed_hub_user TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS refusals (n INTEGER PRIMARY KEY AUTOINCREMENT, hub_user TEXT NOT NULL,
                                                 at TEXT NOT NULL, status INTEGER NOT NULL, reason TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS files_by_user ON files (hub_user);
        """)
        if fresh:
            self.rebuild()

    # ----------------------------------------------------------------- receiving
    def receive(self, hub_user: str, body: bytes) -> Receipt:
        """Keep one hand-in from ``hub_user`` (the login the hub vouched for); :class:`Refused` says why not."""
        try:
            return self._receive(hub_user, body)
        except Refused as exc:
            self._refusal(hub_user, exc)
            raise

    def _receive(self, hub_user: str, body: bytes) -> Receipt:
        if not hub_user:
            raise Refused(403, "a hand-in needs a hub login")
        if len(body) > MAX_UPLOAD_BYTES:
            raise Refused(413, f"the hand-in is {len(body) / 2**20:.1f} MB; the service takes at most "
                               f"{MAX_UPLOAD_BYTES / 2**20:.0f} MB at once")
        try:
            text = decode_text(body)
            export = parse_export_text(text)
        except FileProblem as exc:
            raise Refused(400, f"this is not a hand-in file: {exc}") from None
        if export.bad_lines:
            raise Refused(400, f"the hand-in has a damaged line ({export.bad_lines[0]}); nothing was kept")
        if not export.attempts:
            raise Refused(400, "the hand-in holds no answers")
        if len(export.attempts) > MAX_ANSWERS_PER_UPLOAD:
            raise Refused(413, f"the hand-in holds {len(export.attempts)} answers; the service takes at most "
                               f"{MAX_ANSWERS_PER_UPLOAD} at once")
        upload_sha = hashlib.sha256(body).hexdigest()
        received_at = self.clock()
        new, already, conflicts, seen = [], 0, [], {}
        for attempt in export.attempts:
            digest = answer_digest(attempt)
            if attempt.id in seen:
                if seen[attempt.id] != digest:
                    conflicts.append((attempt.id, "appears twice in this hand-in with different content"))
                continue
            seen[attempt.id] = digest
            row = self.db.execute("SELECT hub_user, digest FROM answers WHERE id = ?", (attempt.id,)).fetchone()
            if row is None:
                new.append((attempt, digest))
            elif row[0] != hub_user:
                conflicts.append((attempt.id, "was handed in by another student"))
            elif row[1] != digest:
                conflicts.append((attempt.id, "was handed in before with different content"))
            else:
                already += 1
        if conflicts:
            first_id, why = conflicts[0]
            raise Refused(409, f"{len(conflicts)} answer{'s' if len(conflicts) != 1 else ''} in this hand-in "
                               f"conflict with answers already received (answer {first_id} {why}); nothing "
                               "was kept. Hand in from your own notebook, unchanged")
        receipt = Receipt(hub_user, received_at, len(new), already, sha256=upload_sha)
        if not new:
            return receipt
        dropped = self._dropped(hub_user, seen)
        kept_answers, kept_bytes = self.db.execute(
            "SELECT COALESCE(SUM(answers), 0), COALESCE(SUM(bytes), 0) FROM files WHERE hub_user = ?",
            (hub_user,)).fetchone()
        lines = [dumps(a.to_dict()) for a, _ in new]
        header = self._stamped_header(text, hub_user, received_at, upload_sha, export.identity.hub_user, dropped)
        data = ("\n".join([header, *lines]) + "\n").encode("utf-8")
        if kept_answers + len(new) > MAX_ANSWERS_PER_STUDENT or kept_bytes + len(data) > MAX_BYTES_PER_STUDENT:
            raise Refused(429, f"this login has handed in {kept_answers} answers ({kept_bytes / 2**20:.1f} MB); the "
                               f"service keeps at most {MAX_ANSWERS_PER_STUDENT} answers and "
                               f"{MAX_BYTES_PER_STUDENT / 2**20:.0f} MB per student: ask your instructor")
        rel = self._write(hub_user, received_at, upload_sha, data)
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT INTO answers (id, hub_user, digest, file) VALUES (?, ?, ?, ?)",
                                [(a.id, hub_user, d, rel) for a, d in new])
            self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (rel, hub_user, received_at, len(new), len(data), upload_sha,
                             export.identity.hub_user or ""))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            (self.folder / rel).unlink(missing_ok=True)
            raise
        receipt.file = rel
        return receipt

    def _dropped(self, hub_user: str, ids: dict) -> int:
        """How many answers this login handed in before are missing from this hand-in.  A student's every
        hand-in holds all their answers so far, so a missing one was removed from their progress file (or a fresh
        file was started).  The earlier files keep it, so it still counts; the stamp says it went missing."""
        held = self.db.execute("SELECT id FROM answers WHERE hub_user = ?", (hub_user,)).fetchall()
        return sum(1 for (answer_id,) in held if answer_id not in ids)

    def _stamped_header(self, text: str, hub_user: str, received_at: str, sha: str, claimed: str,
                        dropped: int = 0) -> str:
        first = next(line for line in text.splitlines() if line.strip())
        header = json_loads(first)
        student = header.get("student") if isinstance(header.get("student"), dict) else {}
        header["student"] = {**student, "hub_user": hub_user}
        header["received"] = {"by": self.service, "hub_user": hub_user, "at": received_at, "sha256": sha,
                              "claimed_hub_user": claimed or ""}
        if dropped:
            header["received"]["dropped"] = str(dropped)      # a string: every reader's header takes it
        assert header.get("format") == EXPORT_FORMAT
        return dumps(header)

    def _write(self, hub_user: str, received_at: str, sha: str, data: bytes) -> str:
        folder = self.folder / login_folder(hub_user)
        try:
            # No chmod after: the service is not in the instructors' group, and a chmod by a non-member drops the
            # setgid bit the new folder inherits, which is what gives its files the instructors' group.  The
            # service runs with umask 027 (service.main), so the mode asked for is the mode made.
            os.mkdir(folder, FOLDER_MODE)
        except FileExistsError:
            if folder.is_symlink() or not folder.is_dir():
                raise Refused(500, f"the hand-in folder of {hub_user} is not a folder; tell your instructor") from None
        base = f"{_compact(received_at)}-{sha[:12]}"
        for n in range(1, 100):
            name = base + (f"-{n}" if n > 1 else "") + ".jsonl"
            try:
                fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
            except FileExistsError:
                continue
            try:
                os.write(fd, data)
                os.fchmod(fd, FILE_MODE)
                os.fsync(fd)
            finally:
                os.close(fd)
            return f"{folder.name}/{name}"
        raise Refused(500, "no free file name for this hand-in; try again in a moment")

    def _refusal(self, hub_user: str, exc: Refused) -> None:
        self.db.execute("INSERT INTO refusals (hub_user, at, status, reason) VALUES (?, ?, ?, ?)",
                        (hub_user, self.clock(), exc.status, str(exc)[:500]))
        self.db.execute("DELETE FROM refusals WHERE hub_user = ? AND n NOT IN (SELECT n FROM refusals WHERE "
                        "hub_user = ? ORDER BY n DESC LIMIT ?)", (hub_user, hub_user, MAX_REFUSALS_KEPT))

    # ----------------------------------------------------------------- reading
    def listing(self, hub_user: str | None = None) -> list[dict]:
        """Every file kept (``hub_user``: only that login's), oldest first."""
        query = "SELECT file, hub_user, received_at, answers, bytes, sha256, claimed_hub_user FROM files"
        rows = self.db.execute(query + (" WHERE hub_user = ?" if hub_user is not None else "") + " ORDER BY "
                               "received_at, file", (hub_user,) if hub_user is not None else ()).fetchall()
        keys = ("file", "hub_user", "received_at", "answers", "bytes", "sha256", "claimed_hub_user")
        return [dict(zip(keys, row)) for row in rows]

    def refusals(self, hub_user: str | None = None) -> list[dict]:
        query = "SELECT hub_user, at, status, reason FROM refusals"
        rows = self.db.execute(query + (" WHERE hub_user = ?" if hub_user is not None else "") + " ORDER BY n",
                               (hub_user,) if hub_user is not None else ()).fetchall()
        return [dict(zip(("hub_user", "at", "status", "reason"), row)) for row in rows]

    def owner(self, file: str) -> str | None:
        row = self.db.execute("SELECT hub_user FROM files WHERE file = ?", (file,)).fetchone()
        return row[0] if row else None

    def read(self, file: str) -> bytes:
        """The bytes of one kept file, by its ``<login folder>/<name>`` (anything else is refused)."""
        folder, _, name = file.partition("/")
        if not (_LOGIN_FOLDER.match(folder) or folder.startswith("u-")) or not _STORED_NAME.match(name) \
                or self.owner(file) is None:
            raise Refused(404, "no such hand-in")
        try:
            return read_limited(self.folder / folder / name, MAX_UPLOAD_BYTES + 64 * 1024)
        except FileProblem as exc:
            raise Refused(404, f"the hand-in cannot be read ({exc})") from None

    def rebuild(self) -> int:
        """Fill an empty index from the files kept (after the index was lost, or restored from a backup of the
        hand-ins alone); returns how many files it read."""
        n = 0
        for path in sorted(self.folder.glob("*/*.jsonl")):
            try:
                text = decode_text(read_limited(path, MAX_UPLOAD_BYTES + 64 * 1024))
                export = parse_export_text(text)
                header = json_loads(next(line for line in text.splitlines() if line.strip()))
            except (FileProblem, StopIteration):
                continue
            stamp = header.get("received") or {}
            hub_user = stamp.get("hub_user")
            if stamp.get("by") != self.service or not hub_user or login_folder(hub_user) != path.parent.name:
                continue
            rel = f"{path.parent.name}/{path.name}"
            self.db.executemany("INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?)",
                                [(a.id, hub_user, answer_digest(a), rel) for a in export.attempts])
            self.db.execute("INSERT OR IGNORE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (rel, hub_user, stamp.get("at") or "", len(export.attempts), path.stat().st_size,
                             stamp.get("sha256") or "", stamp.get("claimed_hub_user") or ""))
            n += 1
        return n
