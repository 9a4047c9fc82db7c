"""Who a student is: the name they type, an optional student id, the hub login, a per-install id.

* :func:`validate_name` accepts names in any script (Persian with a zero-width non-joiner, Arabic,
  emoji joined with a zero-width joiner, flags) and refuses only what can hide or break text:
  control characters, lone surrogates, unassigned or private-use code points, and the bidirectional
  overrides that can make a file name read backwards.
* :func:`match_key` is how two typed names are compared, the same way for every exercise: Unicode
  NFC, case-folded, spaces collapsed, so "José  Núñez" typed in NFD capitals is "josé núñez".
* :func:`safe_slug` turns any name into a file-name part made of letters, digits, marks and ``-``.
* :class:`Identity` is what every export carries.  Its :attr:`Identity.key` decides who is who in
  the class results: the hub login when there is one; otherwise the student id when typed;
  otherwise the random per-install id, so two students who typed the same name stay two, and the
  same student who typed a first name in one exercise and a full name in another stays one.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

from widgets.core.settings import Settings, current_settings

MAX_NAME = 80
#: Invisible characters that names in real scripts need: ZWNJ (Persian, Hindi), ZWJ (emoji sequences),
#: left-to-right / right-to-left / Arabic letter marks that keyboards insert in mixed-direction names.
ALLOWED_FORMAT = {"\u200c", "\u200d", "\u200e", "\u200f", "\u061c"}
#: Tag characters spell out subdivision flags (the flag of England is a black flag plus tags).
_TAGS = range(0xE0020, 0xE0080)
_REFUSED = {"Cc": "a control character", "Cs": "a broken character (a lone surrogate)",
            "Co": "a private-use character", "Cn": "an unassigned character",
            "Cf": "an invisible formatting character", "Zl": "a line break", "Zp": "a paragraph break"}
INSTALL_ID = re.compile(r"^[0-9a-f]{8,32}$")


class IdentityError(ValueError):
    """A name or id that cannot be used (the message says which character and what to do)."""


def _problem(text: str) -> str | None:
    for c in text:
        cat = unicodedata.category(c)
        if cat == "Cf" and (c in ALLOWED_FORMAT or ord(c) in _TAGS):
            continue
        if cat in _REFUSED:
            return f"{_REFUSED[cat]} (U+{ord(c):04X})"
    return None


def validate_name(text: str | None, what: str = "name", *, required: bool = True, limit: int = MAX_NAME) -> str:
    """``text`` in NFC with its spaces collapsed; raises :class:`ValueError` saying what to fix."""
    if text is None or not str(text).strip():
        if required:
            raise IdentityError(f"please type your {what} first")
        return ""
    raw = str(text).lstrip("\ufeff")
    bad = _problem(raw.replace("\n", " ").replace("\t", " ").replace("\r", " "))
    if bad:
        raise IdentityError(f"the {what} contains {bad}, one of the control characters or hidden marks a name "
                            "cannot hold; use letters, digits, spaces and punctuation")
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if len(name) > limit:
        raise IdentityError(f"the {what} is {len(name)} characters long; keep it to {limit}")
    return name


def match_key(text: str) -> str:
    """How names are compared: NFC, case-folded, spaces collapsed (the same for every exercise)."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", str(text)).casefold())
    return " ".join(folded.split())


def safe_slug(text: str, limit: int = 40) -> str:
    """A file-name part from any name: letters, digits and marks of any script, joined by ``-``."""
    out = []
    for c in unicodedata.normalize("NFC", str(text)).casefold():
        cat = unicodedata.category(c)
        out.append(c if cat[0] in "LN" or (cat[0] == "M" and out and out[-1] != "-") else "-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")[:limit].strip("-")
    return slug or "student"


def new_install_id() -> str:
    """A random id for this installation (home folder): 16 hexadecimal digits."""
    return secrets.token_hex(8)


def login(settings: Settings | None = None) -> str:
    """This account's login exactly as given: the hub login, else the system account's name, else ""."""
    name = (settings or current_settings()).hub_user
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name in some containers
            name = ""
    return name


def user_tag(settings: Settings | None = None) -> str:
    """This account as a readable file-name part (the name earlier releases gave the progress file).  Two logins
    can share it (``john.smith`` and ``john_smith`` are both ``john-smith``): :func:`login_tag` cannot."""
    name = login(settings)
    return safe_slug(name, 32) if name else "user"


def login_tag(name: str | None = None, settings: Settings | None = None) -> str:
    """A file-name part that is one login's alone, for a folder that several students may share: the readable
    :func:`user_tag`, then 16 hexadecimal digits of the SHA-256 of the exact login (``john-smith-6a1c...``)."""
    name = login(settings) if name is None else name
    slug = safe_slug(name, 32) if name else "user"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


@dataclass(frozen=True)
class Identity:
    """The student behind an export (all fields are optional; see :attr:`key`)."""

    name: str = ""
    student_id: str = ""
    install_id: str = ""
    hub_user: str = ""

    @property
    def key(self) -> str:
        """Who this is, for grouping: hub login, else student id, else install id, else the name."""
        if self.hub_user:
            return "hub:" + match_key(self.hub_user)
        if self.student_id:
            return "id:" + match_key(self.student_id)
        if self.install_id:
            return "install:" + self.install_id
        return "name:" + match_key(self.name)

    @property
    def display(self) -> str:
        """How the instructor's gradebook names this student (never projected)."""
        return self.name or self.hub_user or self.student_id or "(no name)"

    @property
    def slug(self) -> str:
        return safe_slug(self.hub_user or self.name or self.student_id)

    def as_dict(self) -> dict:
        return {"name": self.name, "student_id": self.student_id, "install_id": self.install_id,
                "hub_user": self.hub_user}

    @classmethod
    def from_dict(cls, data: object) -> "Identity":
        """An identity read from a file: each field checked, anything unusable dropped (never raises)."""
        if not isinstance(data, dict):
            return cls()
        fields = {}
        for name, what in (("name", "name"), ("student_id", "student id"), ("hub_user", "hub login")):
            value = data.get(name)
            try:
                fields[name] = validate_name(value, what, required=False) if isinstance(value, str) else ""
            except ValueError:
                fields[name] = ""
        install = data.get("install_id")
        fields["install_id"] = install if isinstance(install, str) and INSTALL_ID.match(install) else ""
        return cls(**fields)
