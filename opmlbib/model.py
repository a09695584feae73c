"""Typed, immutable records: what a bibliography entry *is*, independent of any file format.

Nothing here reads or writes files.  Every page number carries where it came from,
and other corrected or added facts carry a :class:`Note` naming their source.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple


class Source(enum.Enum):
    """Where a figure came from."""

    TOC = "table of contents"
    PUBLISHER = "publisher"
    INFERRED = "inferred"
    BIB = "bibliography file"


@dataclass(frozen=True)
class Page:
    """One page number and its provenance (``detail`` says more, e.g. which record)."""

    number: int
    source: Source
    detail: str = ""

    def describe(self) -> str:
        return f"{self.source.value} ({self.detail})" if self.detail else self.source.value


# The patterns below are compiled where first used (and kept by :mod:`re`), not when the
# model is loaded: a command that reads no .bib file uses neither.
_PAGE_RANGE = r"\s*(\d{1,9})\s*(?:[-\u2013\u2014]+\s*(\d{1,9}))?\s*"


def page_range(text: str, source: Source, detail: str = "") -> tuple[Page, Page | None] | None:
    """``39--41``, ``39-41``, ``39–41`` or ``39`` as first and last pages (the last None when
    not given); None for anything else (``e1234``, ``iv``, a number of ten digits or more),
    which is not a page number."""
    match = re.fullmatch(_PAGE_RANGE, text, re.ASCII)
    if not match:
        return None
    last = Page(int(match.group(2)), source, detail) if match.group(2) else None
    return Page(int(match.group(1)), source, detail), last


_ISO_DATE = r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[\d:]+Z?)?[?~%]?"


def iso_dates(text: str) -> list[tuple[int, int | None, int | None]] | None:
    """An ISO 8601 date or range, as biblatex's ``date`` field holds it (``2019-05-20``,
    ``2019-05``, ``1982/1983``, ``2019-05-20/2019-05-22``, ``2019/``), as (year, month,
    day) for the start and, for a closed range, the end; None for anything else.  Month
    numbers over 12 (EDTF seasons) are left out."""
    parts = text.strip().split("/")
    if len(parts) > 2 or not parts[0]:
        return None
    dates = []
    for part in parts:
        if not part or part in ("..", "?"):
            continue
        match = re.fullmatch(_ISO_DATE, part.strip())
        if match is None:
            return None
        year = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else None
        day = int(match.group(3)) if match.group(3) and month is not None else None
        if month is not None and not 1 <= month <= 12:
            month, day = None, None
        dates.append((year, month, day))
    return dates


@dataclass(frozen=True)
class Author:
    """A person or an organisation in one of a work's roles (author, editor, translator, …)."""

    given: str
    family: str
    affiliation: str | None = None
    #: Name particles ("van", "de la") and suffixes ("Jr."), as BibTeX splits names: the
    #: particle kept with the family name where it is sorted ("van Gogh"), CSL's
    #: non-dropping particle.
    von: str = ""
    suffix: str = ""
    #: A particle dropped where the family name is sorted or shortened ("Ludwig *van*
    #: Beethoven" sorts under B), CSL's dropping particle.
    dropping: str = ""
    #: Whether ``family`` is the whole name, written as it is and never split or
    #: reordered (an organisation, "The ACME Team"): CSL's literal name.
    literal: bool = False
    #: What else CSL-JSON says of the name (``comma-suffix``, ``static-ordering``,
    #: ``parse-names``, and engines' extensions such as ``isInstitution``), as it came.
    options: tuple[tuple[str, object], ...] = ()

    @property
    def full_family(self) -> str:
        return f"{self.von} {self.family}".strip()

    @property
    def display(self) -> str:
        """The name in reading order, e.g. ``Ludwig van Beethoven, Jr.``."""
        text = " ".join(part for part in (self.given, self.dropping, self.von, self.family) if part)
        return f"{text}, {self.suffix}" if self.suffix else text


# The values of CSL variables the fields of a record do not hold are named tuples, not
# dataclasses like the rest of the model: only CSL-JSON makes them, and a named tuple is
# made several times faster when the module loads (Python 3.11 compiles each method a
# dataclass generates).  Being tuples, they are told apart from other JSON (plain tuples)
# by their type first, as :func:`opmlbib.csljson.json_value` does.


class Date(NamedTuple):
    """A date as CSL has it: the start and, for a range, the end (``parts``, each the year,
    month and day as far as known, numbers or text as written; an open range ends in an
    empty part), a ``season`` (1–4 or its name), ``circa``, a ``literal`` date to be printed
    as it is, or ``raw`` text for an engine to read."""

    parts: tuple[tuple[int | str, ...], ...] = ()
    season: int | str | None = None
    circa: bool | int | str | None = None
    literal: str | None = None
    raw: str | None = None


class JsonObject(NamedTuple):
    """A JSON object of a CSL variable the model has no type for (an engine's extension,
    such as citeproc-js's ``multi``), its members as they came."""

    members: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Note:
    """Where a fact other than a page number came from."""

    field: str
    source: Source
    detail: str


@dataclass(frozen=True)
class Venue:
    """The proceedings (or other container) a record appeared in."""

    booktitle: str
    short_name: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    address: str | None = None
    publisher: str | None = None
    isbn: str | None = None


@dataclass(frozen=True)
class SourceFile:
    """What a bibliography file defines for all its entries, as written: ``@string``
    macros (name, raw value) and ``@preamble`` values, in file order."""

    path: str | None = None
    strings: tuple[tuple[str, str], ...] = ()
    preambles: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceEntry:
    """An entry exactly as its file wrote it: the type and field names as spelt there and
    each value's raw text (``{Monte {C}arlo}``, ``jan # " / " # feb``, ``"x"``), which is
    what writing the entry back as BibTeX reproduces."""

    entry_type: str
    fields: tuple[tuple[str, str], ...]
    file: SourceFile = SourceFile()
    #: The entry's whole text, for an entry that is not well-formed BibTeX (braces that do
    #: not balance where they should): written back as it is, so that bibtex reads it as it
    #: read the original.
    text: str | None = None
    #: How many of the file's ``@string`` definitions come before the entry (those are the
    #: ones its macros read, as bibtex reads them in file order).
    defined: int = 0

    def raw(self, name: str) -> str | None:
        """The raw value of the field ``name`` (any case), if the entry has it."""
        name = name.lower()
        return next((value for field, value in self.fields if field.lower() == name), None)


@dataclass(frozen=True, slots=True)
class Record:
    """One paper.  ``key`` is empty until keys are assigned for a whole library.

    A record read from a user's file may be *deferred* (:meth:`deferred`): its key, type,
    line and source are known, and its other fields are decoded from the source the first
    time one of them is read (writing the entry back as its file wrote it reads none)."""

    title: str
    authors: tuple[Author, ...]
    venue: Venue
    first_page: Page | None = None
    last_page: Page | None = None
    key: str = ""
    session: str | None = None
    url: str | None = None
    doi: str | None = None
    entry_type: str = "inproceedings"
    #: Further fields read from a user's .bib, decoded, in file order.
    extra: tuple[tuple[str, str], ...] = ()
    notes: tuple[Note, ...] = ()
    #: Words and phrases of the title whose capitals must survive case changes
    #: (proper nouns from the proceedings' data, braced words of a user's .bib).
    case_protected: tuple[str, ...] = ()
    #: 1-based line where the record starts in its source file, if known.
    line: int | None = None
    #: Editors of the book or proceedings the record appeared in, when its source names them.
    editors: tuple[Author, ...] = ()
    #: Character ranges of ``title`` whose case must survive case changes, exactly (as the
    #: braces of a user's .bib mark them); None where they are inferred from the title's
    #: words and ``case_protected``.
    title_protected: tuple[tuple[int, int], ...] | None = None
    #: The entry as its file wrote it, for a record read from a user's .bib; None for a
    #: record opmlbib made (or changed).
    source: SourceEntry | None = None
    #: The CSL variables of a record read from CSL-JSON that the fields above do not give
    #: back as the item had them (every name role, every date, the CSL type, a page range
    #: as written, ...), each with its value as it came: text or a number, names (a tuple
    #: of :class:`Author`), a :class:`Date`, or other JSON (tuples and
    #: :class:`JsonObject`).  None as a value: the item has no such variable although the
    #: fields above would give it one.  ``csljson.to_csl_json`` applies them last.
    csl: tuple[tuple[str, object], ...] = ()
    #: What makes a deferred record's fields (a record with the same key, type, line and
    #: source); None once they are made, and for every record that is not deferred.
    decoder: Callable[[], Record] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def deferred(cls, key: str, entry_type: str, line: int | None, source: SourceEntry,
                 decoder: Callable[[], Record]) -> Record:
        """A record whose fields other than these are ``decoder()``'s, made when first read."""
        record = object.__new__(cls)
        for name, value in (("key", key), ("entry_type", entry_type), ("line", line), ("source", source),
                            ("decoder", decoder)):
            object.__setattr__(record, name, value)
        return record

    if not TYPE_CHECKING:  # for the type checker, every field is always there

        def __getattr__(self, name: str):
            # Called only for a field that is not set: one of a deferred record, not yet decoded.
            decoder = object.__getattribute__(self, "decoder")
            if decoder is None or name not in _RECORD_FIELDS:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            decoded = decoder()
            for each in _RECORD_FIELDS:
                object.__setattr__(self, each, getattr(decoded, each))
            return getattr(self, name)

    @property
    def pages(self) -> str | None:
        """The page range as plain text (``39-41``), or the first page alone."""
        if self.first_page is None:
            return None
        if self.last_page is None or self.last_page.number == self.first_page.number:
            return str(self.first_page.number)
        return f"{self.first_page.number}-{self.last_page.number}"

    @property
    def year(self) -> int | None:
        return self.venue.year


_RECORD_FIELDS = tuple(Record.__dataclass_fields__)
