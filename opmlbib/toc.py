"""Tables of contents in the USENIX house style → records.

The format, as the OpML '19 proceedings and their sister workshops print it::

    OpML '19: 2019 USENIX Conference on Operational Machine Learning     <- header: short name: full name
    May 20, 2019                                                          <- date
    Santa Clara, CA, USA                                                  <- place

    Production Experiences and Learnings                                  <- session heading
    Opportunities and Challenges ... In Production1                       <- title, first page
    Rajagopal Ananthanarayanan, ..., and Maheswaran Sathiamoorthy, *Google, Inc.*

Page numbers follow the title after dotted leaders (``.....``, ``. . .``, ``……``), white
space or a tab, or are glued to its last word (``Production31``); a number of more than six
digits is part of the title, never a page.  A glued number is split so that first pages increase
through the file (``Production31`` after page 27 is page 31, not page 1 of
"Production3"); among splits that keep every page increasing, the shortest number wins.

Author lines hold groups separated by ``;``, each a list of names (split on commas and
``and``) ending in an affiliation in ``*Markdown*`` or ``<i>HTML</i>`` italics; a group
may lack the affiliation (``Paul Rausch;``).  Commas and ``and`` inside an affiliation
never split names.  Every author line must name at least one affiliation or use ``;``,
which is what tells it apart from a session heading; one that follows anything but a title
is an error, so no paper is ever read as a heading and lost.

The last page of each paper is inferred as the next paper's first page minus one, an
upper bound marked :attr:`Source.INFERRED`; the final paper gets its first page only.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import OpmlbibError, TocError
from .model import Author, Page, Record, Source, Venue
from .names import SUFFIX, parse_name

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}

_DATE = re.compile(
    r"^(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2})(?:\s*[-\u2013\u2014]\s*(?:[A-Za-z]+\.?\s+)?\d{1,2})?,?\s+(?P<year>\d{4})$"
)
_AFFILIATION = re.compile(r"\*(?P<md>[^*]+)\*|<i>(?P<html>[^<]*)</i>", re.IGNORECASE)
_DIGITS = "0123456789"
_MAX_PAGE_DIGITS = 6  # a longer number is part of a title, not a page
_LEADER = ". \u2026"  # dots, spaced dots and ellipses between a title and its page
_NAME_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_SPLIT = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True)
class Header:
    short_name: str
    full_name: str
    year: int
    month: int
    day: int
    place: str

    @property
    def booktitle(self) -> str:
        """USENIX's form: ``2019 USENIX Conference on ... (OpML 19)``."""
        return f"{self.full_name} ({self.short_name.replace(chr(39), '').replace(chr(8217), '')})"

    def venue(self) -> Venue:
        return Venue(
            booktitle=self.booktitle,
            short_name=self.short_name,
            year=self.year,
            month=self.month,
            day=self.day,
            address=self.place,
        )


@dataclass(frozen=True)
class _Title:
    line: int
    session: str | None
    #: (title, first page) readings of the line; more than one when digits are glued.
    candidates: tuple[tuple[str, int], ...]


def read_toc(path: str | Path) -> tuple[Header, tuple[Record, ...]]:
    """Read a table-of-contents file (UTF-8, with or without a byte-order mark)."""
    from .files import MAX_TEXT_BYTES, read_file

    path = Path(path)
    data = read_file(path, what="table of contents", limit=MAX_TEXT_BYTES, error=TocError)
    return parse_toc(decode(data, path), path=path)


def decode(data: bytes, path: str | Path | None = None) -> str:
    """UTF-8 text, a leading byte-order mark dropped; anything else is refused with its line."""
    from .files import utf8_text

    return utf8_text(data, path, error=TocError)


def parse_toc(text: str, path: str | Path | None = None) -> tuple[Header, tuple[Record, ...]]:
    """Parse a whole table of contents into its header and records (keys not yet assigned)."""
    lines = [(number, _clean(raw)) for number, raw in enumerate(text.splitlines(), start=1)]
    if "\x00" in text:
        raise TocError("binary data, not a table of contents", path=path)
    body_start, header = _parse_header(lines, path)
    venue = header.venue()

    titles: list[_Title] = []
    author_lines: list[tuple[int, str]] = []
    session: str | None = None
    pending: _Title | None = None
    previous: tuple[int, str] | None = None  # the last non-blank line of the body
    for number, line in lines[body_start:]:
        if not line:
            continue
        candidates = _page_candidates(line)
        if pending is not None:
            if candidates or not _looks_like_authors(line):
                raise TocError(
                    f"the title {_short(pending.candidates[-1][0])!r} (line {pending.line}) has no author line "
                    "(names followed by an *affiliation*, groups separated by ';')",
                    path=path,
                    line=number,
                )
            titles.append(pending)
            author_lines.append((number, line))
            pending = None
        elif candidates:
            pending = _Title(number, session, candidates)
        elif _looks_like_authors(line):
            raise TocError(_orphan_authors(previous), path=path, line=number)
        else:
            session = line
        previous = (number, line)
    if pending is not None:
        raise TocError(
            f"the title {_short(pending.candidates[-1][0])!r} has no author line", path=path, line=pending.line
        )
    if not titles:
        raise TocError("no papers found (a paper is a title ending in its page number, then its authors)", path=path)

    first_pages = _resolve_pages(titles, path)
    records = []
    for title, (title_text, page), (author_number, author_line) in zip(titles, first_pages, author_lines):
        try:
            authors = parse_authors(author_line)
        except OpmlbibError as exc:
            raise TocError(exc.message, path=path, line=author_number) from None
        records.append(
            Record(
                title=title_text,
                authors=authors,
                venue=venue,
                first_page=Page(page, Source.TOC, f"line {title.line}"),
                session=title.session,
                line=title.line,
            )
        )
    return header, infer_last_pages(records)


def infer_last_pages(records: list[Record] | tuple[Record, ...]) -> tuple[Record, ...]:
    """Each paper ends at the latest on the page before the next one starts."""
    out = []
    for index, record in enumerate(records):
        last = None
        if index + 1 < len(records):
            following = records[index + 1].first_page
            assert following is not None and record.first_page is not None
            last = Page(
                following.number - 1,
                Source.INFERRED,
                f"the next paper starts on page {following.number}; an upper bound",
            )
        out.append(replace(record, last_page=last))
    return tuple(out)


def parse_authors(line: str) -> tuple[Author, ...]:
    """Names and affiliations of one author line, in order."""
    if "<" in line:
        line = html.unescape(re.sub(r"</?(?!i>)(?!/i>)[a-zA-Z][^<>]*>", "", line))
    affiliations: list[str] = []

    def stash(match: re.Match[str]) -> str:
        affiliations.append(_clean(match.group("md") or match.group("html") or ""))
        return _PLACEHOLDER.format(len(affiliations) - 1)

    marked = _AFFILIATION.sub(stash, line)
    if "*" in marked or re.search(r"</?i>", marked, re.IGNORECASE):
        raise OpmlbibError("an affiliation's italics are not closed")
    pieces = _PLACEHOLDER_SPLIT.split(marked)
    # pieces: text, affiliation index, text, affiliation index, ..., trailing text
    authors: list[Author] = []
    for position in range(0, len(pieces), 2):
        text = pieces[position].strip().lstrip(";,").strip()
        affiliation = affiliations[int(pieces[position + 1])] if position + 1 < len(pieces) else None
        groups = text.split(";")
        for index, group in enumerate(groups):
            is_last = index == len(groups) - 1
            group_affiliation = affiliation if is_last else None
            names = _split_names(group)
            if not names:
                if is_last and group_affiliation is not None:
                    raise OpmlbibError(f"the affiliation {group_affiliation!r} has no names before it")
                if group.strip() or (not is_last):
                    raise OpmlbibError("an empty author group (two ';' in a row)")
                continue
            authors.extend(parse_name(name, group_affiliation) for name in names)
    if not authors:
        raise OpmlbibError("an author line without names")
    return tuple(authors)


def _split_names(group: str) -> list[str]:
    text = group.strip().rstrip(",").strip()
    if not text:
        return []
    names: list[str] = []
    for piece in _NAME_SEPARATOR.split(text):
        piece = piece.strip()
        if not piece:
            raise OpmlbibError(f"an empty name in {text!r}")
        if SUFFIX.match(piece) and names:
            names[-1] = f"{names[-1]}, {piece}"  # "John Smith, Jr." stays one person
        else:
            names.append(piece)
    return names


def _parse_header(lines: list[tuple[int, str]], path: str | Path | None) -> tuple[int, Header]:
    """The leading block of non-blank lines: ``SHORT: Full name``, the date, the place."""
    index = 0
    while index < len(lines) and not lines[index][1]:
        index += 1
    block: list[tuple[int, str]] = []
    while index < len(lines) and lines[index][1]:
        block.append(lines[index])
        index += 1
    if not block:
        raise TocError("empty file: no header and no papers", path=path)
    number, name_line = block[0]
    short, sep, full = name_line.partition(":")
    if not sep or not short.strip() or not full.strip():
        raise TocError(
            f"expected a header line 'SHORT NAME: Full conference name', found {_short(name_line)!r}",
            path=path,
            line=number,
        )
    date = None
    place = None
    for number, line in block[1:]:
        match = _DATE.match(line)
        if match and match.group("month").lower() in MONTHS and date is None:
            date = (int(match.group("year")), MONTHS[match.group("month").lower()], int(match.group("day")))
            try:
                datetime.date(*date)
            except ValueError as exc:
                raise TocError(f"the date {_short(line)!r} does not exist ({exc})", path=path, line=number) from None
        elif place is None:
            place = line
        else:
            raise TocError(f"unexpected header line {_short(line)!r} (expected the date and the place)", path=path, line=number)
    if date is None:
        raise TocError("the header has no date line such as 'May 20, 2019'", path=path, line=block[0][0])
    if place is None:
        raise TocError("the header has no place line such as 'Santa Clara, CA, USA'", path=path, line=block[0][0])
    year, month, day = date
    return index, Header(short.strip(), full.strip(), year, month, day, place)


def _page_candidates(line: str) -> tuple[tuple[str, int], ...]:
    """The (title, first page) readings of a line, or none if it does not end in a number.

    Written without backtracking regular expressions, so a huge line costs linear time.
    """
    head = line.rstrip(_DIGITS)
    digits = line[len(head):]
    if not digits:
        return ()
    spaced = head.rstrip()
    undotted = spaced.rstrip(_LEADER)
    leader = spaced[len(undotted):]
    if leader.count(".") + 3 * leader.count("\u2026") >= 2:  # dotted leaders: "Title.....5", "Title . . . 5"
        title = undotted.rstrip()
    elif spaced != head:  # white space or a tab: "Title 5"
        title = spaced
    else:  # glued: "Production31" may be page 1 or page 31
        if not head:
            return ()
        return tuple(
            (head + digits[:-width], int(digits[-width:]))
            for width in range(1, min(len(digits), _MAX_PAGE_DIGITS) + 1)
            if not digits[-width:].startswith("0")
        )
    if len(digits) > _MAX_PAGE_DIGITS:  # after leaders or a space: part of the title, not a page
        return ()
    return ((title, int(digits)),) if title else ()


def _resolve_pages(titles: list[_Title], path: str | Path | None) -> list[tuple[str, int]]:
    """Pick one reading per title so that first pages strictly increase.

    ``ceiling[i]`` is the largest first page paper ``i`` can have while every later paper
    can still follow it; going forward, each paper takes the smallest reading above the
    previous page and within its ceiling.
    """
    ceiling = [0] * len(titles)
    limit = float("inf")
    for index in range(len(titles) - 1, -1, -1):
        fitting = [page for _, page in titles[index].candidates if page < limit]
        ceiling[index] = max(fitting) if fitting else 0
        limit = ceiling[index] if fitting else limit
    chosen: list[tuple[str, int]] = []
    previous_page, previous_line = 0, None
    for index, title in enumerate(titles):
        options = [(t, p) for t, p in title.candidates if previous_page < p <= ceiling[index]]
        if not options:  # a later paper goes backwards whatever this one reads as: blame that one
            options = [(t, p) for t, p in title.candidates if previous_page < p]
        if not options:
            page = title.candidates[-1][1] if len(title.candidates) == 1 else max(p for _, p in title.candidates)
            if previous_line is None:
                raise TocError(f"page {page} cannot be a first page here", path=path, line=title.line)
            raise TocError(
                f"pages go backwards: {_short(title.candidates[0][0])!r} starts on page {page}, "
                f"but the paper on line {previous_line} starts on page {previous_page}",
                path=path,
                line=title.line,
            )
        text, page = min(options, key=lambda option: option[1])
        chosen.append((text.strip(), page))
        previous_page, previous_line = page, title.line
    return chosen


def _orphan_authors(previous: tuple[int, str] | None) -> str:
    """Why an author line (names, *affiliation*) has no paper to belong to."""
    message = "an author line with no paper title before it"
    if previous is None:
        return message
    number, line = previous
    if line.rstrip(_DIGITS) != line:
        why = f"ends in a number too long for a page number ({_MAX_PAGE_DIGITS} digits at most)"
    else:
        why = "does not end in a page number"
    return f"{message}: line {number} ({_short(line)!r}) {why}"


def _looks_like_authors(line: str) -> bool:
    return bool(_AFFILIATION.search(line)) or ";" in line


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("\ufeff", "")).strip()


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"
