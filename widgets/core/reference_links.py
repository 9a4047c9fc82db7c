"""Where a reference sends its reader: the preferred page for an evidence entry or source text.

The evidence files are pinned, byte-for-byte copies of the verified compilations, so their
``url_seen`` stays what the authors read, even when that was a translation proxy, a
document-sharing copy or an abstract aggregator.  ``widgets/content/reference_links.yaml`` sits
beside them and says, per entry, which page a student should be sent to instead: the publisher's,
PubMed's or PMC's page (or a trial registry's, or an open-access repository's), the date it was
checked and how, with the mirror kept as the alternative.  Where no such page was found, the entry
says so (``kind: mirror``) and the reference labels the link as a third-party copy.

It may also fill bibliographic fields that the evidence file could not show (a title, authors,
a year, a journal), read on the preferred page, so no reference reads "Untitled"; for a work
whose title nobody could read, ``description`` gives a bracketed description instead.

:class:`~widgets.core.citations.Citations` reads it; nothing here is ever shown as a working note
(the ``check`` field is for authors).  Pure logic.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, field_validator, model_validator

from widgets.core.loading import ContentModel, content_path, load_content, require_unique

FILE_NAME = "reference_links.yaml"

#: What kind of page the preferred address is.
PageKind = Literal["publisher", "pubmed", "pmc", "registry", "repository", "mirror"]

_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def host_of(url: str) -> str:
    """'https://www.scribd.com:443/x' -> 'www.scribd.com' (lower case, no port)."""
    return (urlparse(url.strip()).hostname or "").lower()


def urls_in(text: str) -> list[str]:
    """Every http(s) address in ``text`` (Markdown links and <autolinks> included)."""
    return re.findall(r"https?://[^\s<>()\]\"']+", text or "")


class ReferenceLink(ContentModel):
    ids: list[str] = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")
    kind: PageKind
    checked: dt.date
    #: How the address was checked (search query, what page was found): for authors, never shown.
    check: str = Field(min_length=20)
    #: The address the evidence file gives (a mirror), kept as the alternative.
    mirror: str | None = Field(default=None, pattern=r"^https?://\S+$")
    # Bibliographic fields read on the preferred page; used only where the evidence file shows none.
    title: str | None = None
    authors: str | None = None
    year: int | None = Field(default=None, ge=1800, le=2100)
    journal: str | None = None
    volume_pages: str | None = None
    doi: str | None = Field(default=None, pattern=r"^10\.\S+$")
    pmid: str | None = Field(default=None, pattern=r"^\d+$")
    #: For a work whose title no page showed: what it is, shown in square brackets.
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.title and self.description:
            raise ValueError("give a title or a description, not both")
        if self.kind == "pubmed" and not re.search(r"pubmed\.ncbi\.nlm\.nih\.gov/\d+", self.url):
            raise ValueError("a 'pubmed' link must be https://pubmed.ncbi.nlm.nih.gov/<PMID>/")
        if self.kind == "pmc" and not re.search(r"/PMC\d+", self.url):
            raise ValueError("a 'pmc' link must name the article's PMCID (…/articles/PMC1234567/)")
        return self

    @property
    def pmid_in_url(self) -> str | None:
        m = re.search(r"pubmed\.ncbi\.nlm\.nih\.gov/(\d+)", self.url)
        return m.group(1) if m else None

    @property
    def pmcid(self) -> str | None:
        m = re.search(r"/(PMC\d+)", self.url)
        return m.group(1) if m else None


class ReferenceLinksFile(ContentModel):
    #: Hosts whose pages copy someone else's: translation and library proxies, document-sharing
    #: sites, abstract aggregators, textbook mirrors.  A bare IP address always counts as one.
    mirror_hosts: list[str] = Field(min_length=1)
    links: list[ReferenceLink]

    @field_validator("mirror_hosts")
    @classmethod
    def _hosts(cls, hosts):
        for h in hosts:
            if not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", h):
                raise ValueError(f"'{h}' is not a host name such as 'scribd.com'")
        require_unique(hosts, "mirror hosts")
        return hosts

    @model_validator(mode="after")
    def _links(self):
        require_unique([i for link in self.links for i in link.ids], "reference ids")
        for link in self.links:
            mirror = is_mirror(link.url, self.mirror_hosts)
            if link.kind == "mirror" and not mirror:
                raise ValueError(f"{link.ids[0]}: kind 'mirror' but {host_of(link.url)} is not in mirror_hosts "
                                 "(add the host, or give the page's real kind)")
            if link.kind != "mirror" and mirror:
                raise ValueError(f"{link.ids[0]}: {link.url} is on a mirror host; a preferred page must be the "
                                 "publisher's, PubMed's, PMC's, a registry's or a repository's (or say kind: mirror)")
            if link.mirror and link.kind == "mirror":
                raise ValueError(f"{link.ids[0]}: a 'mirror' link has no separate alternative; drop 'mirror:'")
        return self


def is_mirror(url: str, hosts) -> bool:
    host = host_of(url)
    return bool(_IPV4.match(host)) or any(host == h or host.endswith("." + h) for h in hosts)


class ReferenceLinks:
    """Look-ups over the overlay: the preferred link of a reference id, and whether an address is a mirror."""

    def __init__(self, data: ReferenceLinksFile, path: Path | None = None):
        self.data, self.path = data, path
        self.by_id: dict[str, ReferenceLink] = {i: link for link in data.links for i in link.ids}

    def get(self, key: str) -> ReferenceLink | None:
        return self.by_id.get(key)

    def is_mirror(self, url: str) -> bool:
        return is_mirror(url, self.data.mirror_hosts)

    def problems(self, evidence) -> list[str]:
        """What does not agree with the evidence base: unknown ids, a 'mirror' alternative that is not
        the address the evidence file gives.  Empty when all is well (a test checks)."""
        out = []
        for link in self.data.links:
            for key in link.ids:
                if key in evidence.sources:
                    seen = [evidence.sources[key].url]
                elif key in evidence.entries:
                    seen = urls_in(evidence.entry(key).url_seen)
                else:
                    out.append(f"{key}: no such evidence entry or source text")
                    continue
                if link.mirror and link.mirror not in seen:
                    out.append(f"{key}: 'mirror' {link.mirror} is not the address the evidence file gives ({seen})")
        return out


@lru_cache(maxsize=4)
def _load(path: str) -> ReferenceLinks:
    return ReferenceLinks(load_content(Path(path), ReferenceLinksFile), Path(path))


def load_reference_links(path: Path | str | None = None) -> ReferenceLinks:
    """The shipped overlay (cached), or the one at ``path``."""
    return _load(str(path or content_path(FILE_NAME)))
