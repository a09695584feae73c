"""Holding a user's .bib file against official records, entry by entry.

Each entry (or each one a LaTeX run cited) is looked for among the official records: the
built-in proceedings and any other records given (a .bib or CSL-JSON file, or a table of
contents).  An entry is a paper of the records when :func:`opmlbib.lookup.find_paper` says
so, which decides on title *and* authors; a similar title by other authors is another
paper.  What is found, one :class:`Finding` each:

``differs``
    The entry is a paper of the records and a field disagrees with the record: title words
    (case and punctuation aside), an author's name or the author list, year, pages, venue,
    publisher or DOI.  Initials, given names left out, ``and others`` and DBLP's numbers are
    no disagreement; an accent left out or a misspelt name is.  A last page the records know
    only as an upper bound (the page before the next paper) is wrong only past that bound.
    Fields the entry leaves out are not reported.
``preprint``
    The entry cites an arXiv, CoRR or other preprint of a paper the records have as
    published.
``unknown-paper``
    The entry says it appeared in a venue of the records (its booktitle, series, event or
    journal names the venue, or its URL is one of the venue's paper pages) but no paper of
    that venue has its title and authors.  The closest papers are named.
``duplicate``
    Two entries are the same work (by title and authors, or by DOI or URL, or as copies of
    one official record), whatever their keys: reported at the later entry.

A venue is named by its acronym ("OpML", "OpML '19", "OpML19") or by the distinctive words of
its full name ("Operational Machine Learning"); a year written with it, or the entry's year,
must be the venue's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BibError, OpmlbibError
from .lookup import (
    SUGGESTION_FLOOR,
    find_paper,
    identifier,
    identifiers,
    named_authors,
    normalize,
    same_papers,
    search,
)
from .model import Record, Source
from .names import is_others, same_person, spelt_alike

KINDS = ("differs", "preprint", "unknown-paper", "duplicate")


@dataclass(frozen=True)
class Finding:
    """One thing wrong with one entry."""

    key: str
    line: int | None
    kind: str
    message: str
    #: The BibTeX field it is about, where one is.
    field: str | None = None
    yours: str | None = None
    official: str | None = None
    official_key: str | None = None
    #: unknown-paper: the keys of the closest papers of the venue.
    closest: tuple[str, ...] = ()
    #: duplicate: the key and line of the earlier entry of the same work.
    same_as: str | None = None
    same_as_line: int | None = None

    def as_dict(self) -> dict:
        out: dict[str, object] = {
            "key": self.key, "line": self.line, "kind": self.kind, "field": self.field,
            "yours": self.yours, "official": self.official, "official_key": self.official_key,
            "message": self.message,
        }
        if self.kind == "unknown-paper":
            out["closest"] = list(self.closest)
        if self.kind == "duplicate":
            out["same_as"] = self.same_as
            out["same_as_line"] = self.same_as_line
        return out


@dataclass(frozen=True)
class Report:
    """What checking one file found."""

    path: str
    #: The entries checked (all, or those the .aux file cites), in file order.
    entries: tuple[Record, ...]
    #: The official record each checked entry is (None where it is none), by position.
    papers: tuple[Record | None, ...]
    findings: tuple[Finding, ...]
    #: Cited keys that no entry of the file has.
    not_in_file: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """One line per finding: ``FILE:LINE: KEY: kind: what``."""
        return [describe(self.path, finding) for finding in self.findings]

    def summary(self) -> str:
        counts = {kind: sum(1 for f in self.findings if f.kind == kind) for kind in KINDS}
        entries = len({(f.key, f.line) for f in self.findings})
        checked = f"{len(self.entries)} entr{'y' if len(self.entries) == 1 else 'ies'} checked"
        if not self.findings:
            return f"{self.path}: {checked}, {_plural(sum(p is not None for p in self.papers), 'paper')} of the records, nothing to report"
        parts = [f"{counts[kind]} {kind}" for kind in KINDS if counts[kind]]
        return f"{self.path}: {checked}, {_plural(len(self.findings), 'finding')} in {_plural(entries, 'entry', 'entries')} ({', '.join(parts)})"


def describe(path: str, finding: Finding) -> str:
    return f"{path}:{finding.line if finding.line is not None else '?'}: {finding.key}: {finding.kind}: {finding.message}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# ------------------------------------------------------------------ the records


def official_records(against: Iterable[str | Path] = ()) -> tuple[Record, ...]:
    """The built-in proceedings and the records of each ``against`` file: a .bib or CSL-JSON
    file (named ``.bib`` or ``.json``, or starting with ``@`` or ``[``), else a table of
    contents as ``opmlbib toc`` reads it."""
    from .library import default_records

    records = list(default_records())
    for path in against:
        records.extend(read_records(path))
    return tuple(records)


def read_records(path: str | Path) -> tuple[Record, ...]:
    """One file of official records (see :func:`official_records`)."""
    from .library import bib_records, toc_records

    suffix = Path(path).suffix.lower()
    if suffix in (".bib", ".json"):
        return bib_records(path)
    try:
        with open(path, "rb") as handle:
            start = handle.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    except OSError as exc:
        raise BibError(f"cannot read the records: {exc.strerror or exc}", path=path) from None
    if start.startswith(("@", "[", "%")):
        return bib_records(path)
    return toc_records(path)


# ---------------------------------------------------------------------- venues


# Words that say what kind of meeting a venue is rather than which one.
_GENERIC = frozenset(
    "proceedings proc of the on in and for a an annual international intl conference conf workshop "
    "symposium usenix acm ieee sig".split()
)
_ORDINAL = re.compile(r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)$")
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_SHORT_YEAR = re.compile(r"(\d{2}|\d{4})$")


@dataclass(frozen=True)
class Venue:
    """How a venue of the records is recognised in an entry."""

    label: str
    #: Its acronym, folded ("opml"), when it has one.
    acronym: str | None
    #: The distinctive words of its full name, folded ("operational machine learning").
    phrase: str | None
    #: The whole name, folded.
    name: str
    year: int | None
    #: What the identifiers of its papers' URLs start with (``url:usenix.org/.../presentation/``).
    url_prefix: str | None
    keys: tuple[str, ...]


def venue_text(record: Record) -> tuple[str, str] | None:
    """The field that names where a record appeared and its text: booktitle, journal or
    howpublished, the first that is there."""
    if record.venue.booktitle:
        return "booktitle", record.venue.booktitle
    extra = dict(record.extra)
    for name in ("journal", "journaltitle", "howpublished"):
        if extra.get(name):
            return name, extra[name]
    return None


def venues(records: Sequence[Record]) -> list[Venue]:
    """The venues of the records, one per name and year."""
    groups: dict[tuple[str, int | None], list[Record]] = {}
    for record in records:
        text = venue_text(record)
        if text:
            groups.setdefault((text[1], record.year), []).append(record)
    return [_venue(name, year, group) for (name, year), group in groups.items()]


def _venue(name: str, year: int | None, records: list[Record]) -> Venue:
    short = next((r.venue.short_name for r in records if r.venue.short_name), None)
    bracket = re.search(r"\(([^()]*)\)\s*$", name)
    acronym = None
    for candidate in (short, bracket.group(1) if bracket else None):
        if candidate:
            letters = [word for word in normalize(candidate).split() if not word.isdigit()]
            if len(letters) == 1 and len(letters[0]) >= 3:
                acronym = _SHORT_YEAR.sub("", letters[0]) or None
                break
    full = name[: bracket.start()] if bracket else name
    words = [w for w in normalize(full).split() if w not in _GENERIC and not w.isdigit() and not _ORDINAL.match(w)]
    phrase = " ".join(words) if len(words) >= 2 else None
    urls = [ident for r in records for ident in identifiers(r) if ident.startswith("url:")]
    prefix = None
    if len(urls) >= 2:
        import os.path

        common = os.path.commonprefix(urls)
        common = common[: common.rfind("/") + 1]
        if common.count("/") >= 2:
            prefix = common
    label = short or (bracket.group(1) if bracket else name)
    return Venue(label, acronym, phrase, normalize(name), year, prefix, tuple(r.key for r in records))


_VENUE_FIELDS = ("booktitle", "series", "eventtitle", "event", "journal", "journaltitle", "howpublished")


def names_venue(entry: Record, venue: Venue, *, years: bool = True) -> bool:
    """Whether the entry says it appeared in ``venue`` (with ``years``, in the venue's year:
    a year written with the name, else the entry's year, must be the venue's)."""
    extra = dict(entry.extra)
    texts = [entry.venue.booktitle] + [extra.get(name, "") for name in _VENUE_FIELDS[1:]]
    for text in texts:
        folded = normalize(text)
        if not folded:
            continue
        written_year = None
        hit = folded == venue.name
        if not hit and venue.acronym:
            match = re.search(rf"\b{re.escape(venue.acronym)} ?(\d{{2}}|\d{{4}})?\b", folded)
            if match:
                hit = True
                if match.group(1):
                    written_year = int(match.group(1)) % 100
        if not hit and venue.phrase:
            hit = re.search(rf"\b{re.escape(venue.phrase)}\b", folded) is not None
        if not hit:
            continue
        if not years or venue.year is None:
            return True
        if written_year is None:
            found = _YEAR.findall(folded)
            if found:
                return any(int(y) == venue.year for y in found)
            return entry.year is None or entry.year == venue.year
        return written_year == venue.year % 100
    if venue.url_prefix:
        return any(ident.startswith(venue.url_prefix) for ident in identifiers(entry))
    return False


# ------------------------------------------------------------------- preprints

_PREPRINT = re.compile(r"\b(?:arxiv|corr|biorxiv|medrxiv|chemrxiv|ssrn|preprints?)\b", re.IGNORECASE)


def preprint(entry: Record) -> tuple[str, str] | None:
    """The field that makes the entry a preprint and its text, or None: a journal,
    booktitle, series or howpublished naming arXiv, CoRR or another preprint server (or
    saying "preprint"); else, with no venue at all, an ``@unpublished`` entry or an arXiv
    number (eprint, URL or DOI)."""
    extra = dict(entry.extra)
    for name, value in (("journal", extra.get("journal")), ("booktitle", entry.venue.booktitle),
                        ("series", extra.get("series")), ("howpublished", extra.get("howpublished")),
                        ("publisher", entry.venue.publisher)):
        if value and _PREPRINT.search(value):
            return name, value
    if venue_text(entry) is not None:
        return None
    if entry.entry_type == "unpublished":
        return "entry type", "@unpublished"
    kind = (extra.get("archiveprefix") or extra.get("eprinttype") or "").strip()
    if kind and _PREPRINT.search(kind):
        return "eprint", f"{kind}:{extra.get('eprint', '')}".rstrip(":")
    eprint = extra.get("eprint", "").strip()
    for name, value, written in (("eprint", eprint, f"arXiv:{eprint}"), ("url", entry.url, entry.url),
                                 ("doi", entry.doi, entry.doi)):
        if value and (identifier(written or "") or "").startswith("arxiv:"):
            return name, value
    return None


# -------------------------------------------------------------------- checking


def read_entries(path: str | Path, text: str | None = None) -> tuple[Record, ...]:
    """The entries of a user's .bib (or CSL-JSON) file (its ``text``, if already read); none
    for a file that holds no entry at all (only comments, say), which is nothing to check
    rather than an error."""
    from .library import NO_BIBTEX_ENTRIES, bib_records, text_records

    try:
        return bib_records(path) if text is None else text_records(text, path)
    except BibError as error:
        if error.message != NO_BIBTEX_ENTRIES:
            raise
        return ()


def check_file(path: str | Path, *, aux: str | Path | None = None, against: Iterable[str | Path] = ()) -> Report:
    """Check the .bib file at ``path`` (only the entries ``aux`` cites, if given)."""
    entries = read_entries(path)
    official = official_records(against)
    not_in_file: tuple[str, ...] = ()
    warnings: list[str] = []
    if aux is not None:
        entries, not_in_file, missing = cited(entries, aux)
        warnings.extend(f"{file} is included but does not exist (not written yet?)" for file in missing)
        warnings.extend(f"{key} is cited but not in {path}" for key in not_in_file)
    report = check_entries(entries, official, path=str(path))
    return Report(report.path, report.entries, report.papers, report.findings, not_in_file, tuple(warnings))


def cited(entries: Sequence[Record], aux: str | Path) -> tuple[tuple[Record, ...], tuple[str, ...], tuple[Path, ...]]:
    """The entries the .aux file cites (in file order; keys compared without case, as
    BibTeX compares them), the cited keys no entry has, and included .aux files that do not
    exist."""
    from .aux import ALL, read_aux

    citations = read_aux(aux)
    if ALL in citations.keys:
        return tuple(entries), (), citations.missing
    wanted = {key.lower(): key for key in citations.keys}
    have = {entry.key.lower() for entry in entries}
    chosen = tuple(entry for entry in entries if entry.key.lower() in wanted)
    return chosen, tuple(key for low, key in wanted.items() if low not in have), citations.missing


def check_entries(entries: Sequence[Record], official: Sequence[Record], *, path: str = "") -> Report:
    """Check each entry against the official records, and the entries against each other."""
    entries = tuple(entries)
    official = tuple(official)
    known = venues(official)
    papers: list[Record | None] = []
    findings: list[list[Finding]] = []
    for entry in entries:
        claimed = {key for venue in known if names_venue(entry, venue) for key in venue.keys}
        match = find_paper(official, entry, venue=claimed) if entry.title or entry.doi or entry.url else None
        paper = match.record if match else None
        papers.append(paper)
        if paper is not None:
            found = compare(entry, paper)
        else:
            found = _unknown(entry, official, known)
        findings.append(found)
    for later, earlier, how in duplicates(entries, papers):
        first, paper = entries[earlier], papers[later]
        findings[later].append(Finding(
            entries[later].key, entries[later].line, "duplicate",
            f"the same work as {first.key} (line {first.line}), {how}",
            official_key=paper.key if paper is not None else None,
            same_as=first.key, same_as_line=first.line,
        ))
    flat = tuple(f for group in findings for f in group)
    return Report(path, entries, tuple(papers), flat)


def duplicates(entries: Sequence[Record], papers: Sequence[Record | None] = ()) -> list[tuple[int, int, str]]:
    """(later, earlier, how) for each entry that is the same work as an earlier one (the
    first found so: an entry that is A's copy by its title and B's by its DOI is reported
    once), by :func:`opmlbib.lookup.same_papers` or as copies of one official record
    (``papers``, by position)."""
    pairs = [(earlier, later, f"by {match.how}") for earlier, later, match in same_papers(entries)]
    first_copy: dict[int, int] = {}
    for position, paper in enumerate(papers):
        if paper is None:
            continue
        earlier = first_copy.setdefault(id(paper), position)
        if earlier != position:
            pairs.append((earlier, position, f"both being copies of the record {paper.key}"))
    marked: dict[int, tuple[int, str]] = {}
    for earlier, later, how in sorted(pairs, key=lambda pair: pair[:2]):  # stable: same_papers' reason first
        if later not in marked:
            marked[later] = (earlier, how)
    return sorted((later, earlier, how) for later, (earlier, how) in marked.items())


def _unknown(entry: Record, official: tuple[Record, ...], known: list[Venue]) -> list[Finding]:
    if entry.entry_type in ("proceedings", "mvproceedings", "book", "mvbook", "collection", "periodical"):
        return []  # the venue itself, not a paper of it
    for venue in known:
        if not names_venue(entry, venue):
            continue
        keys = set(venue.keys)
        near: list[Record] = []
        queries = [entry.title] + [a.full_family for a in named_authors(entry.authors)[:1]]
        for query in queries:
            if query and not near:
                near = [m.record for m in search(official, query, floor=SUGGESTION_FLOOR) if m.record.key in keys][:3]
        closest = "; closest: " + "; ".join(f"{r.key} ({r.title})" for r in near) if near else ""
        return [Finding(
            entry.key, entry.line, "unknown-paper",
            f"{venue.label} has no paper with this title and these authors{closest}",
            field="title", yours=entry.title, closest=tuple(r.key for r in near),
        )]
    return []


def compare(entry: Record, paper: Record) -> list[Finding]:
    """What the entry, a copy of ``paper``, gets wrong."""
    out: list[Finding] = []

    def differs(name: str, yours: str | None, official: str | None, message: str) -> None:
        out.append(Finding(entry.key, entry.line, "differs", message, name, yours, official, paper.key))

    is_preprint = preprint(entry)
    if is_preprint:
        name, text = is_preprint
        where = venue_text(paper)
        out.append(Finding(
            entry.key, entry.line, "preprint",
            f"cites a preprint ({name}: {text}) of a paper published in {where[1] if where else 'the records'} ({paper.key})",
            name, text, where[1] if where else None, paper.key,
        ))
    if entry.title and normalize(entry.title) != normalize(paper.title):
        differs("title", entry.title, paper.title, f"title: yours {entry.title!r}, the record has {paper.title!r}")
    out.extend(_authors(entry, paper))
    if entry.year is not None and paper.year is not None and entry.year != paper.year and not is_preprint:
        differs("year", str(entry.year), str(paper.year), f"year: yours {entry.year}, the record has {paper.year}")
    pages = _pages(entry, paper)
    if pages:
        differs("pages", entry.pages or dict(entry.extra).get("pages"), paper.pages, pages)
    yours_venue, official_venue = venue_text(entry), venue_text(paper)
    if yours_venue and official_venue and not is_preprint:
        own = venues([paper])
        if own and not names_venue(entry, own[0], years=False):
            differs(yours_venue[0], yours_venue[1], official_venue[1],
                    f"{yours_venue[0]}: yours {yours_venue[1]!r}, the record has {official_venue[1]!r}")
    mine, theirs = entry.venue.publisher, paper.venue.publisher
    if mine and theirs and not is_preprint and not _words_within(mine, theirs):
        differs("publisher", mine, theirs, f"publisher: yours {mine!r}, the record has {theirs!r}")
    if entry.doi and paper.doi and identifier(entry.doi) != identifier(paper.doi) and not is_preprint:
        differs("doi", entry.doi, paper.doi, f"doi: yours {entry.doi}, the record has {paper.doi}")
    return out


def _words_within(a: str, b: str) -> bool:
    """Whether the words of one are all words of the other ("USENIX" and "USENIX Association")."""
    x, y = set(normalize(a).split()), set(normalize(b).split())
    return bool(x and y) and (x <= y or y <= x)


def _names(authors) -> str:
    return " and ".join("others" if is_others(a) else a.display for a in authors)


def _authors(entry: Record, paper: Record) -> list[Finding]:
    if not entry.authors or not paper.authors:
        return []
    named = named_authors(entry.authors)
    etal = len(named) < len(entry.authors)
    theirs = list(paper.authors)
    free = list(range(len(theirs)))
    pairs: list[tuple[int, int]] = []
    for i, person in enumerate(named):
        for j in sorted(free, key=lambda j: (j != i, j)):  # the same place first
            if same_person(person, theirs[j]):
                pairs.append((i, j))
                free.remove(j)
                break
    out = []
    for i, j in pairs:
        if not spelt_alike(named[i], theirs[j]):
            yours, official = named[i].display, theirs[j].display
            out.append(Finding(entry.key, entry.line, "differs",
                               f"author {i + 1}: yours {yours!r}, the record has {official!r}",
                               "author", yours, official, paper.key))
    paired = {i for i, _ in pairs}
    problems = []
    missing = [theirs[j].display for j in free] if not etal else []
    if missing:
        problems.append("missing " + ", ".join(missing))
    extra = [named[i].display for i in range(len(named)) if i not in paired]
    if extra:
        problems.append("not an author: " + ", ".join(extra))
    order = [j for _, j in pairs]
    if etal and not extra and order != list(range(len(order))):
        problems.append("before 'and others', the first authors in their order")
    elif order != sorted(order):
        problems.append("in another order")
    if problems:
        out.append(Finding(entry.key, entry.line, "differs", "author list: " + "; ".join(problems),
                           "author", _names(entry.authors), _names(paper.authors), paper.key))
    return out


def _pages(entry: Record, paper: Record) -> str | None:
    """What is wrong with the entry's pages, or None (pages left out are not wrong)."""
    if paper.first_page is None:
        return None
    if entry.first_page is None:
        written = dict(entry.extra).get("pages")
        return f"pages: yours {written!r}, the record has {paper.pages}" if written else None
    first, last = entry.first_page.number, entry.last_page.number if entry.last_page else None
    official_last = paper.last_page
    if first != paper.first_page.number:
        return f"pages: yours {entry.pages}, the record has {paper.pages}"
    if last is not None and last < first:
        return f"pages: yours {entry.pages} end before they start; the record has {paper.pages}"
    if official_last is None:
        return None
    if official_last.source is Source.INFERRED:
        if last is not None and last > official_last.number:
            return (f"pages: yours {entry.pages} run past page {official_last.number}, where the next paper "
                    f"starts on page {official_last.number + 1}; the record has {paper.pages}")
        return None
    if last is None and official_last.number != first:
        return f"pages: yours {entry.pages}, the record has {paper.pages}"
    if last is not None and last != official_last.number:
        return f"pages: yours {entry.pages}, the record has {paper.pages}"
    return None


# ------------------------------------------------------------------------ add


def already_in_file(path: str | Path, records: Sequence[Record]) -> tuple[list[tuple[Record, list[Record]]], str | None]:
    """For ``opmlbib add``: each record that the .bib file at ``path`` already holds under
    another key, with the entries that hold it (in file order); and a warning if the file
    could not be read as BibTeX to look (nothing is found then)."""
    import stat

    from .files import utf8_text
    from .index import read_source, titles
    from .scan import Unsupported

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return [], None  # a pipe or device is written into, never read
        source = read_source(path)
        text = utf8_text(source.data, path, error=BibError)
    except (OSError, OpmlbibError):
        return [], None  # adding reports what is wrong with the file
    try:
        index, entries = titles(source, text)  # titles, DOIs and URLs; the entries alike are read in full
    except OpmlbibError as exc:
        return [], _unsearched(path, exc)
    except Unsupported:  # only the full reader reads it exactly
        from .library import bib_records

        try:
            return _held(bib_records(path), records), None
        except OpmlbibError as exc:
            return [], _unsearched(path, exc)
    index.warn_as_read()  # an entry that does not parse is a warning, as bibtex gives it
    try:
        return _held(entries, records, read=index.record), None
    except OpmlbibError as exc:
        return [], _unsearched(path, exc)


def _held(entries: Sequence[Record], records: Sequence[Record], read=None) -> list[tuple[Record, list[Record]]]:
    """Each record that ``entries`` hold under another key, with the entries that hold it (in
    file order); ``read`` as :func:`opmlbib.lookup.papers_like` takes it."""
    from .lookup import papers_like

    keys = {entry.key.lower() for entry in entries}
    found = []
    for record in records:
        if record.key.lower() in keys:
            continue  # the same key: adding skips it, or --update replaces it
        holders = [match.record for match in papers_like(entries, record, read=read)]
        if holders:
            found.append((record, sorted(holders, key=lambda r: r.line or 0)))
    return found


def _unsearched(path: str | Path, problem: OpmlbibError) -> str:
    return f"{path} could not be read as BibTeX ({problem}), so it was not searched for these papers under other keys"
