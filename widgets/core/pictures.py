"""Pictures drawn once, when the notebooks are built, and shipped with the package.  Pure logic.

A static figure (notebook 05's outcome pictures: many rows of text, a third of a second each to draw)
need not be drawn again every time a student runs the notebook: ``make build`` runs the notebooks with
``VKP_PICTURES=write``, and a view that draws a static figure stores its PNG here, in
``widgets/data/pictures/`` (one file per picture, named by what it shows, and ``index.json``, which holds each
picture's *key* and alt text).  When a student runs the notebook, the view asks the store first: if the
key it computes matches, it shows the stored picture and draws nothing.

The key is a hash of everything the picture shows and of the code that draws it: the alt text (which
names every panel, row, value, spread and citation number), the picture's size, and the source files the
caller names.  Change a number in the evidence, a citation's order or the drawing code, and the key
changes: the view draws the picture itself (as it always did) until ``make build`` stores the new one.
A stale picture is never shown.  ``VKP_PICTURES=off`` reads nothing (the benchmarks' naive run).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from widgets.core.settings import current_settings

INDEX = "index.json"
#: ``VKP_PICTURES``: ``read`` (the default: use a current stored picture), ``write`` (also store what is drawn:
#: the notebook build) or ``off`` (draw everything).
MODES = ("read", "write", "off")


def store_dir() -> Path:
    """The folder of the shipped pictures (``widgets/data/pictures/``)."""
    return current_settings().data_dir / "pictures"


def mode() -> str:
    """The settings' ``VKP_PICTURES`` (:attr:`~widgets.core.settings.Settings.pictures`), checked."""
    value = current_settings().pictures
    if value not in MODES:
        raise ValueError(f"VKP_PICTURES={value!r}: use one of {', '.join(MODES)}")
    return value


@lru_cache(maxsize=16)
def _file_digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def code_digest(*files: str | Path) -> str:
    """A digest of the source files that draw a picture (cached per file version)."""
    h = hashlib.sha256()
    for f in files:
        p = Path(f)
        h.update(p.name.encode() + b"\0" + _file_digest(str(p), p.stat().st_mtime_ns).encode())
    return h.hexdigest()


def picture_key(alt: str, size: str, code: str) -> str:
    """The key of a picture: what it shows (its alt text), its size, and the digest of the code that draws it."""
    return hashlib.sha256("\0".join((alt, size, code)).encode("utf-8")).hexdigest()[:32]


class PictureStore:
    """The shipped pictures: ``get`` a current one, ``put`` one drawn at build time."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder is not None else store_dir()

    def _index(self) -> dict:
        try:
            return json.loads((self.folder / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def get(self, name: str, key: str, suffix: str = ".png") -> bytes | None:
        """The stored picture ``name`` (a ``suffix`` file: ``.png``, or ``.jpg`` for an x-ray) if its key is
        ``key``, else None."""
        entry = self._index().get(name)
        if not entry or entry.get("key") != key:
            return None
        try:
            return (self.folder / f"{name}{suffix}").read_bytes()
        except OSError:
            return None

    def put(self, name: str, key: str, data: bytes, alt: str, suffix: str = ".png") -> None:
        """Store (or replace) a picture and its key."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{name}{suffix}").write_bytes(data)
        index = self._index()
        index[name] = {"key": key, "alt": alt}
        tmp = self.folder / f".{INDEX}.tmp"
        tmp.write_text(json.dumps(dict(sorted(index.items())), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(self.folder / INDEX)

    def names(self) -> list[str]:
        return sorted(self._index())

    def entry(self, name: str) -> dict | None:
        return self._index().get(name)
