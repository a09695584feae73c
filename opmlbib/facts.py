"""Proceedings facts from a TOML file, laid over the records a table of contents gives.

A table of contents knows titles, authors and first pages.  The publisher knows more
(last pages, ISBN, URLs) and sometimes better (a misspelt name).  A facts file says so,
each fact with its source; applying it records that source on the record, and refuses
facts that do not fit the table of contents (a paper that is not there, a last page past
the next paper's first page, a correction of a name the table does not have).

Format (every table optional)::

    [sources]                 # short names for sources used below
    usenix = "USENIX record (...)"

    [venue]                   # overrides the header's values
    booktitle = "..."; address = "..."; publisher = "..."; isbn = "..."
    source = "usenix"
    url = "https://.../presentation/{slug}"

    [case]
    proper_nouns = ["Microsoft", "TensorFlow Extended"]

    [[papers]]
    first_page = 47            # which paper
    first_author = "Biokaghazadeh"   # checked against the table of contents
    last_page = 49
    last_page_source = "asu"   # a [sources] name, or the text itself
    last_page_detail = "..."
    slug = "biookaghazadeh"    # fills {slug} in the venue's url
    url = "..."                # or the URL itself; doi = "10..." likewise
    [[papers.corrections]]
    author = 1                 # 1-based position on the author line
    family = "Biookaghazadeh"  # and/or given = "..."
    source = "usenix"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import DataError
from .model import Note, Page, Record, Source, Venue

_VENUE_FIELDS = ("booktitle", "address", "publisher", "isbn")


@dataclass(frozen=True)
class Facts:
    """A parsed facts file, ready to apply."""

    data: dict[str, Any]
    path: str

    def source(self, name: str | None) -> str:
        if not name:
            raise DataError("a fact without a source", path=self.path)
        sources = self.data.get("sources", {})
        return str(sources.get(name, name))


def parse_facts(text: str, path: str | Path = "<facts>") -> Facts:
    from .structured import load_toml

    facts = Facts(load_toml(text, path, DataError), str(path))
    _check_shape(facts)
    return facts


def read_facts(path: str | Path) -> Facts:
    from .files import MAX_TEXT_BYTES, read_file, utf8_text

    raw = read_file(path, what="facts file", limit=MAX_TEXT_BYTES, error=DataError)
    return parse_facts(utf8_text(raw, path, error=DataError), path)


def _check_shape(facts: Facts) -> None:
    data = facts.data
    for table in ("sources", "venue", "case"):
        if table in data and not isinstance(data[table], dict):
            raise DataError(f"[{table}] must be a table", path=facts.path)
    papers = data.get("papers", [])
    if not isinstance(papers, list) or not all(isinstance(p, dict) for p in papers):
        raise DataError("[[papers]] must be an array of tables", path=facts.path)
    seen = set()
    for paper in papers:
        first = paper.get("first_page")
        if not isinstance(first, int) or isinstance(first, bool):
            raise DataError("every [[papers]] entry needs an integer first_page", path=facts.path)
        if first in seen:
            raise DataError(f"two [[papers]] entries for first page {first}", path=facts.path)
        seen.add(first)
        last = paper.get("last_page")
        if last is not None and (not isinstance(last, int) or last < first):
            raise DataError(f"paper on page {first}: last_page must be an integer >= first_page", path=facts.path)
    nouns = data.get("case", {}).get("proper_nouns", [])
    if not isinstance(nouns, list) or not all(isinstance(n, str) and n.strip() for n in nouns):
        raise DataError("[case] proper_nouns must be a list of words", path=facts.path)


def apply_facts(records: tuple[Record, ...], facts: Facts) -> tuple[Record, ...]:
    """Lay the facts over the records; each changed or added figure notes its source."""
    by_page = {r.first_page.number: i for i, r in enumerate(records) if r.first_page is not None}
    venue_data = facts.data.get("venue", {})
    venue_notes: list[Note] = []
    venue_changes: dict[str, Any] = {}
    if any(field in venue_data for field in _VENUE_FIELDS):
        source = facts.source(venue_data.get("source"))
        for field in _VENUE_FIELDS:
            if field in venue_data:
                venue_changes[field] = str(venue_data[field])
                venue_notes.append(Note(field, Source.PUBLISHER, source))
    nouns = tuple(facts.data.get("case", {}).get("proper_nouns", []))

    out = list(records)
    for index, record in enumerate(out):
        venue: Venue = replace(record.venue, **venue_changes)
        protected = tuple(n for n in nouns if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", record.title))
        out[index] = replace(
            record,
            venue=venue,
            notes=record.notes + tuple(venue_notes),
            case_protected=record.case_protected + protected,
        )

    for paper in facts.data.get("papers", []):
        first = paper["first_page"]
        if first not in by_page:
            raise DataError(f"facts for a paper on page {first}, but no paper starts there", path=facts.path)
        index = by_page[first]
        out[index] = _apply_paper(out[index], paper, facts, out[index + 1] if index + 1 < len(out) else None)
    return tuple(out)


def _apply_paper(record: Record, paper: dict[str, Any], facts: Facts, following: Record | None) -> Record:
    first = paper["first_page"]
    expected = paper.get("first_author")
    if expected is not None and (not record.authors or record.authors[0].family != expected):
        found = record.authors[0].family if record.authors else "nobody"
        raise DataError(
            f"the paper on page {first} is by {found}, but the facts are for a paper by {expected}",
            path=facts.path,
        )
    notes = list(record.notes)
    changes: dict[str, Any] = {}

    if "last_page" in paper:
        last = paper["last_page"]
        if following is not None and following.first_page is not None and last >= following.first_page.number:
            raise DataError(
                f"the paper on page {first} cannot end on page {last}: the next starts on page {following.first_page.number}",
                path=facts.path,
            )
        source = facts.source(paper.get("last_page_source"))
        detail = paper.get("last_page_detail")
        changes["last_page"] = Page(last, Source.PUBLISHER, f"{source}; {detail}" if detail else source)

    url = paper.get("url")
    if url is None and "slug" in paper and "url" in facts.data.get("venue", {}):
        url = facts.data["venue"]["url"].format(slug=paper["slug"])
    if url is not None:
        changes["url"] = str(url)
        notes.append(Note("url", Source.PUBLISHER, facts.source(paper.get("url_source") or facts.data.get("venue", {}).get("source"))))
    if "doi" in paper:
        changes["doi"] = str(paper["doi"])
        notes.append(Note("doi", Source.PUBLISHER, facts.source(paper.get("doi_source") or facts.data.get("venue", {}).get("source"))))

    authors = list(record.authors)
    for correction in paper.get("corrections", []):
        position = correction.get("author")
        if not isinstance(position, int) or not 1 <= position <= len(authors):
            raise DataError(f"paper on page {first}: a correction names author {position!r}, which does not exist", path=facts.path)
        author = authors[position - 1]
        fields: dict[str, Any] = {name: str(correction[name]) for name in ("given", "family") if name in correction}
        if not fields:
            raise DataError(f"paper on page {first}: a correction changes neither given nor family name", path=facts.path)
        source = facts.source(correction.get("source"))
        for name, value in fields.items():
            was = getattr(author, name)
            detail = f"{source}; the table of contents has {was!r}"
            if correction.get("detail"):
                detail += f"; {correction['detail']}"
            notes.append(Note(f"author {position} {name}", Source.PUBLISHER, detail))
        authors[position - 1] = replace(author, **fields)
    changes["authors"] = tuple(authors)
    return replace(record, notes=tuple(notes), **changes)
