"""One record laid out for reading: every field, and where each figure came from."""

from __future__ import annotations

from typing import Any

import json

from .model import Author, Date, Page, Record


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
        "csl": [f"{variable}: {_csl_text(value)}" for variable, value in record.csl if value is not None] or None,
        "sources": sources,
    }


def _csl_text(value: Any) -> str:
    """A CSL variable's value on one line: names in reading order, dates as ISO 8601
    (a range with ``/``), anything else as JSON."""
    if isinstance(value, tuple) and value and all(isinstance(v, Author) for v in value):
        return "; ".join(name.display for name in value)
    if isinstance(value, Date):
        text = value.literal or value.raw or "/".join("-".join(f"{p:02d}" if isinstance(p, int) and i else str(p)
                                                            for i, p in enumerate(part)) for part in value.parts)
        if value.season is not None:
            text += f" (season {value.season})"
        return f"circa {text}" if value.circa else text
    if isinstance(value, str):
        return value
    from .csljson import json_value

    return json.dumps(json_value(value), ensure_ascii=False)


def _page(field: str, page: Page) -> dict[str, Any]:
    return {"field": field, "value": page.number, "source": page.describe()}
