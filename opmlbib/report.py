"""One record laid out for reading: every field, and where each figure came from."""

from __future__ import annotations

from typing import Any

from .model import Page, Record


def describe(record: Record) -> dict[str, Any]:
    """An ordered, JSON-ready description of ``record`` with its provenance."""
    venue = record.venue
    date = None
    if venue.year is not None:
        date = str(venue.year)
        if venue.month is not None:
            date += f"-{venue.month:02d}"
            if venue.day is not None:
                date += f"-{venue.day:02d}"
    authors = []
    for author in record.authors:
        entry = {"name": author.display}
        if author.affiliation:
            entry["affiliation"] = author.affiliation
        authors.append(entry)
    sources = []
    if record.first_page is not None:
        sources.append(_page("first page", record.first_page))
    if record.last_page is not None:
        sources.append(_page("last page", record.last_page))
    elif record.first_page is not None:
        sources.append({"field": "last page", "value": None, "source": "unknown: nothing bounds it"})
    for note in record.notes:
        sources.append({"field": note.field, "source": f"{note.source.value} ({note.detail})"})
    return {
        "key": record.key,
        "type": record.entry_type,
        "title": record.title,
        "authors": authors,
        "booktitle": venue.booktitle or None,
        "editors": [editor.display for editor in record.editors] or None,
        "session": record.session,
        "pages": record.pages,
        "date": date,
        "address": venue.address,
        "publisher": venue.publisher,
        "isbn": venue.isbn,
        "url": record.url,
        "doi": record.doi,
        **{name: value for name, value in record.extra},
        "sources": sources,
    }


def _page(field: str, page: Page) -> dict[str, Any]:
    return {"field": field, "value": page.number, "source": page.describe()}
