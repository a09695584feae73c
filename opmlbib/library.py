"""Where records come from: the embedded OpML '19 proceedings, another table of contents
(with an optional facts file), or a user's .bib.  Every path ends in keyed records, and a
:class:`Library` looks them up: all in memory, or a large .bib file through its index."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from .errors import BibError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from .index import Index, Progress
    from .model import Record

EMBEDDED_TOC = "opml19.txt"
EMBEDDED_FACTS = "opml19.toml"


@functools.cache
def default_records() -> tuple[Record, ...]:
    """The OpML '19 proceedings as shipped: table of contents plus the publisher's facts
    (remembered in the user's cache folder, as reading them takes longer than the rest of
    a command)."""
    from .cache import cached_records

    data = os.path.join(os.path.dirname(__file__), "data")
    return cached_records("opml19", (os.path.join(data, EMBEDDED_TOC), os.path.join(data, EMBEDDED_FACTS)), _embedded_records)


def _embedded_records() -> tuple[Record, ...]:
    from importlib import resources

    from . import bibtex, facts, toc

    data = resources.files("opmlbib.data")
    label = f"<embedded {EMBEDDED_TOC}>"
    _, records = toc.parse_toc(toc.decode(data.joinpath(EMBEDDED_TOC).read_bytes(), label), path=label)
    known = facts.parse_facts(data.joinpath(EMBEDDED_FACTS).read_text(encoding="utf-8"), f"<embedded {EMBEDDED_FACTS}>")
    return bibtex.assign_keys(facts.apply_facts(records, known))


def toc_records(path: str | Path, meta: str | Path | None = None) -> tuple[Record, ...]:
    """Records of any table of contents in the house style, with facts from ``meta``."""
    from . import bibtex, facts, toc

    _, records = toc.read_toc(path)
    if meta is not None:
        records = facts.apply_facts(records, facts.read_facts(meta))
    return bibtex.assign_keys(records)


#: What reading a .bib file without a single entry says.
NO_BIBTEX_ENTRIES = "no BibTeX entries in this file"


def bib_records(*paths: str | Path) -> tuple[Record, ...]:
    """The user's .bib files (or CSL-JSON files) as one library of records, keys as the files
    have them, in file order.  A key in two of the files (compared without regard to case,
    as BibTeX compares them) is an error naming both."""
    if len(paths) == 1:
        return _file_records(paths[0])
    records: list[Record] = []
    where: dict[str, tuple[str, Record]] = {}
    for path in paths:
        for record in _file_records(path):
            first = where.setdefault(record.key.lower(), (str(path), record))
            if first[1] is not record:
                at = f"{first[0]}:{first[1].line}" if first[1].line else first[0]
                raise BibError(f"the key {record.key} is also in {at}; keys must be unique across the files",
                               path=path, line=record.line)
            records.append(record)
    return tuple(records)


def _file_records(path: str | Path) -> tuple[Record, ...]:
    """One .bib or CSL-JSON file as records."""
    from .collector import paused
    from .files import MAX_BIBLIOGRAPHY_BYTES, read_file, utf8_text

    raw = read_file(path, what="bibliography", limit=MAX_BIBLIOGRAPHY_BYTES, error=BibError)
    with paused():
        return text_records(utf8_text(raw, path, error=BibError), path)


def text_records(text: str, path: str | Path) -> tuple[Record, ...]:
    """The text of a .bib or CSL-JSON file (read from ``path``) as records; a .bib file's
    are deferred (:meth:`~opmlbib.model.Record.deferred`): each entry is decoded, and warns
    of what does not decode, when its decoded values are first read."""
    if is_csl_json(path, text):
        return csl_json_records(text, path)
    from . import bibtex

    records = bibtex.parse_bibtex(text, path=path, deferred=True)
    if not records:
        raise BibError(NO_BIBTEX_ENTRIES, path=path)
    return records


def is_csl_json(path: str | Path, text: str | None = None) -> bool:
    """Whether a bibliography file is CSL-JSON (named ``.json``, or a JSON array) rather than BibTeX."""
    from pathlib import Path

    return Path(path).suffix.lower() == ".json" or (text is not None and text.lstrip().startswith("["))


def csl_json_records(text: str, path: str | Path) -> tuple[Record, ...]:
    """A CSL-JSON file (as Zotero exports it, or ``opmlbib export --format csljson``) as records."""
    from .csljson import from_csl_json
    from .structured import load_json

    records = from_csl_json(load_json(text, path, BibError), path=str(path))
    if not records:
        raise BibError("no CSL-JSON items in this file", path=path)
    return records


# --------------------------------------------------------------------- libraries


class Library:
    """Records to look up, with :mod:`opmlbib.lookup`'s search and resolve."""

    def search(self, query: str, *, limit: int | None = None, floor: float | None = None, full: bool = True):
        """The matches for ``query``, best first.  With ``full`` false, a match's record
        may hold only key, entry type, title, authors, year and line (what a listing of
        matches shows), which is cheaper for a large file's index."""
        raise NotImplementedError

    def resolve(self, query: str, *, first: bool = False) -> Record:
        raise NotImplementedError


class RecordsLibrary(Library):
    """All records in memory: lookup runs over them directly."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = records

    def search(self, query: str, *, limit: int | None = None, floor: float | None = None, full: bool = True):
        from . import lookup

        return lookup.search(self.records, query, limit=limit, floor=lookup.THRESHOLD if floor is None else floor)

    def resolve(self, query: str, *, first: bool = False) -> Record:
        from . import lookup

        return lookup.resolve(self.records, query, first=first)


class IndexedLibrary(Library):
    """A .bib file through its index: lookup scores the columns the index keeps, and reads
    in full only the entries it returns (light ones, key to year, for a listing)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        index.warn_as_read()
        self.full = index.view(full=True)
        self.light = index.view(full=False)

    def _holding(self, wanted: str) -> list[Record]:
        """The entries whose text holds a DOI or URL, read in full: the index keeps none."""
        return [self.index.record(position) for position in self.index.holding(wanted)]

    def search(self, query: str, *, limit: int | None = None, floor: float | None = None, full: bool = True):
        from . import lookup

        floor = lookup.THRESHOLD if floor is None else floor
        wanted = lookup.identifier(query)
        records = self._holding(wanted) if wanted is not None else self.full if full else self.light
        return lookup.search(records, query, limit=limit, floor=floor)

    def resolve(self, query: str, *, first: bool = False) -> Record:
        from . import lookup

        wanted = lookup.identifier(query)
        return lookup.resolve(self._holding(wanted) if wanted is not None else self.full, query, first=first)


def open_library(bibs: Sequence[str | Path] | str | Path | None, progress: Progress | None = None) -> Library:
    """The records a command looks up: the built-in proceedings, a .bib file through its
    index (whatever its size), or several files (and CSL-JSON, and .bib files the index
    cannot read exactly) parsed in full."""
    from . import index

    if not bibs:
        return RecordsLibrary(default_records())
    if not isinstance(bibs, (str, os.PathLike)):
        if len(bibs) > 1:
            return RecordsLibrary(bib_records(*bibs))
        (bibs,) = bibs
    bib = bibs
    if os.path.isfile(bib) and not is_csl_json(bib):  # anything else: bib_records reports it
        from .scan import Unsupported

        try:
            indexed = index.open_index(bib, progress)
        except Unsupported:
            pass
        else:
            if len(indexed):
                return IndexedLibrary(indexed)  # else: no entries, or JSON in a .bib: bib_records says which
    return RecordsLibrary(bib_records(bib))
