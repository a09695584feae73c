"""Citations in any CSL style: records → CSL-JSON → citeproc-py → text, HTML or Markdown.

The target is the output of citeproc-js (the engine of Zotero and Mendeley) for the same
CSL-JSON, style and locale.  Where citeproc-py departs from the CSL specification as
citeproc-js implements it, a small compatibility layer (below, "citeproc-py fixes")
corrects the engine itself, not its output strings.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from .errors import OpmlbibError, StyleError
from .model import Record
from .styles import Style

FORMATS = ("text", "html", "markdown")

NOCASE_OPEN = '<span class="nocase">'
NOCASE_CLOSE = "</span>"


# ------------------------------------------------------------------------ CSL-JSON


def csl_title(record: Record) -> str:
    """The title with its case-protected words in CSL ``nocase`` spans.

    Protected are the words BibTeX braces (:func:`bibtex.protected_spans`) and, as
    BibTeX's sentence case keeps it, a capitalized word right after a colon.
    """
    from .bibtex import protected_spans

    title = record.title
    spans = list(protected_spans(title, record.case_protected))
    for match in re.finditer(r":\s+([A-Z][\w'-]*)", title):
        start, end = match.span(1)
        if not any(s <= start < e for s, e in spans):
            spans.append((start, end))
    out, position = [], 0
    for start, end in sorted(spans):
        out.append(title[position:start])
        out.append(NOCASE_OPEN + title[start:end] + NOCASE_CLOSE)
        position = end
    out.append(title[position:])
    return "".join(out)


def _csl_name(author) -> dict:
    name = {"family": author.family}
    if author.given:
        name["given"] = author.given
    if author.von:
        name["non-dropping-particle"] = author.von
    if author.suffix:
        name["suffix"] = author.suffix
    return name


def _csl_type(record: Record) -> str:
    return {
        "inproceedings": "paper-conference",
        "conference": "paper-conference",
        "article": "article-journal",
        "book": "book",
        "incollection": "chapter",
        "inbook": "chapter",
        "phdthesis": "thesis",
        "mastersthesis": "thesis",
        "techreport": "report",
        "misc": "document",
    }.get(record.entry_type, "paper-conference")


def to_csl_json(records: Sequence[Record]) -> list[dict]:
    """The records as CSL-JSON items, exactly as they are fed to citeproc-py."""
    items = []
    for record in records:
        if not record.key:
            raise OpmlbibError(f"the record {record.title!r} has no citation key")
        venue = record.venue
        item: dict = {"id": record.key, "type": _csl_type(record), "title": csl_title(record)}
        if record.authors:
            item["author"] = [_csl_name(a) for a in record.authors]
        if venue.booktitle:
            item["container-title"] = venue.booktitle
            if item["type"] == "paper-conference":
                item["event-title"] = venue.booktitle
        if venue.address:
            if item["type"] == "paper-conference":
                item["event-place"] = venue.address
            item["publisher-place"] = venue.address
        if venue.publisher:
            item["publisher"] = venue.publisher
        if venue.year is not None:
            parts = [venue.year]
            if venue.month is not None:
                parts.append(venue.month)
                if venue.day is not None:
                    parts.append(venue.day)
            item["issued"] = {"date-parts": [parts]}
        if record.pages:
            item["page"] = record.pages
        if venue.isbn:
            item["ISBN"] = venue.isbn
        if record.url:
            item["URL"] = record.url
        if record.doi:
            item["DOI"] = record.doi
        items.append(item)
    return items


# ---------------------------------------------------------------------- formatters


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", str(text))


def _wrapper(before: str, after: str):
    return lambda text: f"{before}{text}{after}" if str(text) else str(text)


@functools.cache
def _formatter(fmt: str):
    from citeproc import formatter

    if fmt == "text":
        return formatter.plain
    if fmt == "html":
        return formatter.html
    if fmt == "markdown":
        plain = _wrapper("", "")
        italic = _wrapper("*", "*")
        return SimpleNamespace(
            preformat=_markdown_escape,
            Italic=italic,
            Oblique=italic,
            Bold=_wrapper("**", "**"),
            Light=plain,
            Underline=plain,
            Superscript=_wrapper("<sup>", "</sup>"),
            Subscript=_wrapper("<sub>", "</sub>"),
            SmallCaps=plain,
        )
    raise OpmlbibError(f"unknown output format {fmt!r}; choose from {', '.join(FORMATS)}")


# ----------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Entry:
    """One bibliography entry: the record's key and its rendering."""

    key: str
    text: str


class _Session:
    """citeproc-py with one style, one output format and the records registered in order."""

    def __init__(self, records: Sequence[Record], style: Style, fmt: str):
        from io import BytesIO

        from citeproc import CitationStylesBibliography, CitationStylesStyle
        from citeproc.source.json import CiteProcJSON

        _install_fixes()
        self.records = list(records)
        self.by_id = {r.key.lower(): r for r in self.records}
        if len(self.by_id) != len(self.records):
            raise OpmlbibError("two records have the same citation key (keys are compared ignoring case)")
        self.style_name = style.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                csl = CitationStylesStyle(BytesIO(style.xml), locale=style.locale, validate=False)
            except (ValueError, OSError) as exc:
                raise StyleError(f"cannot use the style {style.name!r}: {exc}") from None
            source = CiteProcJSON(to_csl_json(self.records))
        self.has_bibliography = csl.has_bibliography()
        self.bib = CitationStylesBibliography(csl, source, _formatter(fmt))
        from citeproc import Citation, CitationItem

        for record in self.records:
            self.bib.register(Citation([CitationItem(record.key)]))
        self._guard(self.bib.sort)

    def _guard(self, func, *args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return func(*args)
            except OpmlbibError:
                raise
            except Exception as exc:  # citeproc-py fails in many ways on unusual styles
                raise StyleError(f"citeproc-py cannot render with the style {self.style_name!r}: {type(exc).__name__}: {exc}") from None

    def bibliography(self) -> list[Entry]:
        if not self.has_bibliography:
            raise StyleError(f"the style {self.style_name!r} has no bibliography; use the in-text citation instead")
        rendered = self._guard(self.bib.bibliography)
        return [Entry(self.by_id[key].key, _finish(str(text))) for key, text in zip(self.bib.keys, rendered)]

    def citation(self, keys: Sequence[str]) -> str:
        from citeproc import Citation, CitationItem

        citation = Citation([CitationItem(key) for key in keys])
        missing = [key for key in keys if key.lower() not in self.by_id]
        if missing:
            raise OpmlbibError(f"no record with the key {missing[0]!r}")
        self.bib.register(citation)
        text = self._guard(self.bib.cite, citation, lambda item: None)
        return _finish(str(text))


def _finish(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def bibliography(records: Sequence[Record], style: Style, fmt: str = "text") -> list[Entry]:
    """The bibliography of ``records`` in the style's order."""
    return _Session(records, style, fmt).bibliography()


def citation(records: Sequence[Record], style: Style, fmt: str = "text", keys: Sequence[str] | None = None) -> str:
    """One in-text citation (a single cluster) of ``keys``, all of ``records`` by default."""
    session = _Session(records, style, fmt)
    return session.citation([r.key for r in records] if keys is None else keys)


#: What ``opmlbib cite --format`` offers: rendered citations, and the records themselves.
CITE_FORMATS = (*FORMATS, "bibtex", "csljson", "key")


def cite(records: Sequence[Record], *, style: str | None = None, fmt: str = "text", in_text: bool = False) -> str:
    """What ``opmlbib cite`` prints for ``records`` (already chosen, in query order).

    text, html and markdown: one bibliography in the style's order (one entry a line),
    or with ``in_text`` one in-text citation of all records; bibtex: the records as
    BibTeX; csljson: the CSL-JSON items; key: a LaTeX ``\\cite`` command.
    """
    import json

    if fmt not in CITE_FORMATS:
        raise OpmlbibError(f"unknown format {fmt!r}; choose from {', '.join(CITE_FORMATS)}")
    if fmt == "bibtex":
        from .bibtex import format_bibtex

        return format_bibtex(records, comments=False)
    if fmt == "csljson":
        return json.dumps(to_csl_json(records), indent=2, ensure_ascii=False) + "\n"
    if fmt == "key":
        return "\\cite{" + ",".join(r.key for r in records) + "}\n"
    from .styles import load_style

    chosen = load_style(style)
    if in_text:
        text = citation(records, chosen, fmt)
        return (f'<span class="csl-citation">{text}</span>' if fmt == "html" else text) + "\n"
    entries = bibliography(records, chosen, fmt)
    if fmt == "html":
        body = "".join(f'  <div class="csl-entry">{e.text}</div>\n' for e in entries)
        return f'<div class="csl-bib-body">\n{body}</div>\n'
    return "".join(e.text + "\n" for e in entries)


# ------------------------------------------------------------------ citeproc-py fixes


_INSTALLED = False


def _install_fixes() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True


__all__ = ["CITE_FORMATS", "Entry", "FORMATS", "cite", "bibliography", "citation", "csl_title", "to_csl_json"]
