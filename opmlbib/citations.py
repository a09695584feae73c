"""Citations in a document: cite items (a work, with a locator, affixes, …), citations
(the cites of one place in the text, in a note or not), and a document's citations read
from JSON as citeproc-js takes them.

A file of citations is a JSON array, in document order, of citations as citeproc-js's
``processCitationCluster`` takes them::

    [{"citationID": "c1", "citationItems": [{"id": "hsu2019tony", "locator": "39", "label": "page",
      "prefix": "see", "suppress-author": true}], "properties": {"noteIndex": 1}}, ...]

or of arrays of cite items (each array one citation, not in a note).  A cite item may have
``locator``, ``label`` (one of :data:`LOCATOR_LABELS`, ``page`` by default), ``prefix``,
``suffix``, ``suppress-author``, ``author-only``, and, to fix what the document does not
say, ``position`` (``first``, ``subsequent``, ``ibid``, ``ibid-with-locator``, or
citeproc-js's numbers 0 to 3) and ``near-note``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .errors import CitationError

#: The kinds of locator CSL knows (its locator terms).
LOCATOR_LABELS = (
    "act", "appendix", "article-locator", "book", "canon", "chapter", "column", "elocation", "equation", "figure",
    "folio", "issue", "line", "note", "opus", "page", "paragraph", "part", "rule", "scene", "section",
    "sub-verbo", "supplement", "table", "timestamp", "title-locator", "verse", "version", "volume",
)
#: Where a cite stands among the document's cites of the same work.
POSITIONS = ("first", "subsequent", "ibid", "ibid-with-locator")


class CiteItem(NamedTuple):
    """One work cited at one place, with what the place adds to it."""

    key: str
    locator: str | None = None
    label: str = "page"
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False
    author_only: bool = False
    #: A position given, not worked out from the document (one of :data:`POSITIONS`).
    position: str | None = None
    near_note: bool | None = None


class Citation(NamedTuple):
    """The cites of one place in a document; ``note`` is the number of the footnote it is
    in (0: in the text)."""

    items: tuple[CiteItem, ...]
    note: int = 0
    id: str = ""


def read_citations(data, path: str | None = None) -> list[Citation]:
    """A document's citations from parsed JSON (see the module's description)."""
    if not isinstance(data, list):
        raise CitationError("citations must be a JSON array of citations", path=path)
    citations = []
    for number, value in enumerate(data, start=1):
        where = f"citation {number}"
        items: Any  # checked below, whichever form gave it
        if isinstance(value, list):
            items, note, cid = value, 0, ""
        elif isinstance(value, dict):
            items = value.get("citationItems")
            properties = value.get("properties") or {}
            if not isinstance(properties, dict):
                raise CitationError(f"{where}: properties must be an object", path=path)
            note = properties.get("noteIndex", 0) or 0
            cid = str(value.get("citationID") or "")
            if not isinstance(note, int) or isinstance(note, bool) or note < 0:
                raise CitationError(f"{where}: noteIndex must be a note number (0 outside notes)", path=path)
        else:
            raise CitationError(f"{where} is neither a citation object nor an array of cite items", path=path)
        if not isinstance(items, list) or not items:
            raise CitationError(f"{where} has no cite items", path=path)
        citations.append(Citation(tuple(cite_item(item, f"{where}, item {n}", path) for n, item in enumerate(items, 1)),
                                  note, cid))
    return citations


def cite_item(value, where: str = "cite item", path: str | None = None) -> CiteItem:
    """One cite item of a citation file (a JSON object)."""
    if not isinstance(value, dict) or value.get("id") in (None, ""):
        raise CitationError(f"{where} must be an object with an id", path=path)

    def text(name: str) -> str | None:
        found = value.get(name)
        if found is None:
            return None
        if isinstance(found, bool) or not isinstance(found, (str, int, float)):
            raise CitationError(f"{where}: {name} must be text", path=path)
        return str(found)

    label = text("label") or "page"
    label = {"sub verbo": "sub-verbo"}.get(label, label)  # CSL 1.0's spelling
    if label not in LOCATOR_LABELS:
        raise CitationError(f"{where}: unknown locator label {label!r}; one of {', '.join(LOCATOR_LABELS)}", path=path)
    position = value.get("position")
    if isinstance(position, int) and not isinstance(position, bool) and 0 <= position < len(POSITIONS):
        position = POSITIONS[position]
    if position is not None and position not in POSITIONS:
        raise CitationError(f"{where}: unknown position {position!r}; one of {', '.join(POSITIONS)}", path=path)
    near_note = value.get("near-note")
    return CiteItem(
        key=str(value["id"]),
        locator=text("locator"),
        label=label,
        prefix=text("prefix") or "",
        suffix=text("suffix") or "",
        suppress_author=bool(value.get("suppress-author")),
        author_only=bool(value.get("author-only")),
        position=position,
        near_note=None if near_note is None else bool(near_note),
    )


def load_citations(path) -> list[Citation]:
    """A document's citations from a JSON file (UTF-8)."""
    from .files import MAX_TEXT_BYTES, read_file, utf8_text
    from .structured import load_json

    raw = read_file(path, what="citations file", limit=MAX_TEXT_BYTES, error=CitationError)
    return read_citations(load_json(utf8_text(raw, path, error=CitationError), path, CitationError), str(path))
