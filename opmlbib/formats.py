"""Records → the other bibliography formats: biblatex, RIS and CSL-JSON (and BibTeX itself).

BibLaTeX uses its own data model rather than BibTeX's fields:

* ``date`` (``2019-05-20``, or ``2019-05`` / ``2019`` when the day or month is unknown)
  instead of ``year`` and ``month``;
* for a record read from a table of contents, whose header names the event:
  ``eventtitle`` (the event's short name), ``eventdate`` and ``venue`` (its place);
* ``location`` for what BibTeX calls ``address``, ``journaltitle`` for ``journal``, and
  ``thesis``/``report`` entries with a ``type`` for BibTeX's thesis and report types.

Values are escaped exactly as for BibTeX, so accents, TeX specials and Greek letters reach
LaTeX the same way.  RIS and CSL-JSON carry plain Unicode.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .bibtex import (
    BIBLATEX_NAMES,
    _encode_url,
    encode_name,
    encode_text,
    encode_title,
    format_bibtex,
    provenance_comment,
    Definitions,
    write_entry,
)
from .errors import BibError, OpmlbibError
from .model import Author, Record

FORMATS = ("bibtex", "biblatex", "csljson", "ris")

# BibTeX entry types biblatex spells differently: new type and its ``type`` field.
_BIBLATEX_TYPES = {
    "phdthesis": ("thesis", "phdthesis"),
    "mastersthesis": ("thesis", "mathesis"),
    "techreport": ("report", "techreport"),
    "conference": ("inproceedings", None),
    "electronic": ("online", None),
    "www": ("online", None),
}
# BibTeX field names biblatex spells differently (biblatex reads ``address`` as ``location``
# itself, and a thesis's ``school`` as its ``institution``).
_BIBLATEX_FIELDS = {**BIBLATEX_NAMES, "school": "institution", "key": "sortkey"}
_VERBATIM = {"url", "doi", "eprint", "file"}


class FormatError(OpmlbibError):
    """An output format that does not exist or cannot be produced."""


def render(records: Sequence[Record], fmt: str) -> str:
    """All records as one text in the format named ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "bibtex":
        return format_bibtex(records)
    if fmt == "biblatex":
        return format_biblatex(records)
    if fmt == "ris":
        return format_ris(records)
    if fmt == "csljson":
        return format_csl_json(records)
    raise FormatError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def format_csl_json(records: Sequence[Record]) -> str:
    """The records as a CSL-JSON array: the very items ``opmlbib cite`` formats."""
    import json

    from .csljson import to_csl_json

    return json.dumps(to_csl_json(records), indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------- biblatex


def iso_date(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    """``2019-05-20``, ``2019-05`` or ``2019``: as much of the date as is known."""
    if year is None:
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


# An accent on a dotless i or j: ``\\'\\i``, ``\\"{\\i}``.
_DOTLESS = re.compile(r"\\([`'^\"~=.uvHr])\s*(?:\{\\([ij])\}|\\([ij])(?![A-Za-z]))")


def biber_safe(value: str) -> str:
    """BibTeX-escaped text in the spelling biber decodes to characters LaTeX can print.

    Biber turns an accent on a dotless i (``{\\'\\i}``, BibTeX's classic spelling of
    ``í``) into a dotless i and a combining accent, which pdflatex cannot typeset; an
    accent on a plain ``i`` becomes the precomposed letter.
    """
    return _DOTLESS.sub(lambda m: "\\" + m.group(1) + "{" + (m.group(2) or m.group(3)) + "}", value)


# A given name whose escaped spelling starts with a command (``}x`` → ``{\\textbraceright}x``):
# its first unit, which biber cannot take an initial from by itself.
_LEADING_COMMAND = re.compile(r"\{\\[a-zA-Z]+\}|\{\\.\}|\\[a-zA-Z]+")


def biblatex_name(author: Author) -> str:
    """A name as :func:`bibtex.encode_name` writes it, or, when the given name starts with a
    character LaTeX spells as a command, in biber's extended name format with that command
    as the initial (biber would otherwise write an initial that breaks the document)."""
    given = encode_text(author.given) if author.given else ""
    leading = _LEADING_COMMAND.match(given)
    if leading is None:
        return encode_name(author)
    parts = [f"family={{{encode_text(author.family)}}}", f"given={{{given}}}", f"given-i={{{leading.group()}}}"]
    if author.von:
        parts.append(f"prefix={{{encode_text(author.von)}}}")
    if author.suffix:
        parts.append(f"suffix={{{encode_text(author.suffix)}}}")
    return ", ".join(parts)


def biblatex_fields(record: Record) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and the (name, braced value) fields of one record in biblatex's model."""
    entry_type, type_field = _BIBLATEX_TYPES.get(record.entry_type, (record.entry_type, None))
    venue = record.venue
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str | None) -> None:
        if value:
            fields.append((name, "{" + (value if name in _VERBATIM else biber_safe(value)) + "}"))

    add("author", " and ".join(biblatex_name(author) for author in record.authors))
    add("title", encode_title(record.title, record.case_protected))
    add("booktitle", encode_text(venue.booktitle) if venue.booktitle else None)
    add("editor", " and ".join(biblatex_name(editor) for editor in record.editors))
    date = iso_date(venue.year, venue.month, venue.day)
    if venue.short_name:
        # The venue comes from a table of contents: its header names the event.
        add("eventtitle", encode_text(venue.short_name))
        add("eventdate", date)
        add("venue", encode_text(venue.address) if venue.address else None)
    add("date", date)
    add("pages", record.pages.replace("-", "--") if record.pages else None)
    add("location", encode_text(venue.address) if venue.address else None)
    add("publisher", encode_text(venue.publisher) if venue.publisher else None)
    add("isbn", encode_text(venue.isbn) if venue.isbn else None)
    add("url", _encode_url(record.url) if record.url else None)
    add("doi", _encode_url(record.doi) if record.doi else None)
    add("type", type_field)
    for name, value in record.extra:
        name = _BIBLATEX_FIELDS.get(name, name)
        if any(existing == name for existing, _ in fields):
            continue
        add(name, _encode_url(value) if name in _VERBATIM else encode_text(value))
    return entry_type, fields


def format_biblatex(records: Sequence[Record], *, comments: bool = True) -> str:
    """All records as one biblatex file: an entry per record, a blank line between them.

    A record read from a user's file keeps its values as the file wrote them, under
    biblatex's names for its type and fields; the ``@preamble`` and ``@string``
    definitions it uses come first."""
    needed = Definitions(records)
    blocks = [needed.head]
    for position, record in enumerate(records):
        if not record.key:
            raise BibError(f"the record \"{record.title}\" has no citation key")
        if record.source is not None:
            blocks.append(needed.before(position) + (record.source.text or write_entry(*biblatex_source_fields(record))))
            continue
        try:
            entry_type, fields = biblatex_fields(record)
        except BibError as exc:
            raise BibError(f"{record.key}: {exc.message}", path=exc.path, line=exc.line) from None
        comment = provenance_comment(record) if comments else ""
        blocks.append((comment + "\n" if comment else "") + write_entry(entry_type, record.key, fields))
    return "\n".join(block for block in blocks if block)


def biblatex_source_fields(record: Record) -> tuple[str, str, list[tuple[str, str]]]:
    """A user's entry under biblatex's names: its type (with a ``type`` field where
    biblatex needs one) and its fields renamed where biblatex spells them otherwise (and
    the entry has no field of that name already), each value exactly as written."""
    source = record.source
    assert source is not None
    names = {name.lower() for name, _ in source.fields}
    entry_type, type_field = _BIBLATEX_TYPES.get(source.entry_type.lower(), (source.entry_type, None))
    fields = []
    for name, raw in source.fields:
        renamed = _BIBLATEX_FIELDS.get(name.lower())
        fields.append((renamed if renamed and renamed not in names else name, raw))
    if type_field and "type" not in names:
        fields.append(("type", "{" + type_field + "}"))
    return entry_type, record.key, fields


# ---------------------------------------------------------------------------- RIS

_RIS_TYPES = {
    "inproceedings": "CPAPER",
    "conference": "CPAPER",
    "article": "JOUR",
    "book": "BOOK",
    "inbook": "CHAP",
    "incollection": "CHAP",
    "phdthesis": "THES",
    "mastersthesis": "THES",
    "techreport": "RPRT",
    "proceedings": "CONF",
    "online": "ELEC",
    "misc": "GEN",
}


def ris_name(author: Author) -> str:
    """``Family, Given`` (``, Suffix`` after), as RIS spells a person."""
    parts = [author.full_family, author.given]
    if author.suffix:
        parts.append(author.suffix)
    return ", ".join(parts).rstrip(", ")


def ris_fields(record: Record) -> list[tuple[str, str]]:
    """The (tag, value) lines of one record, ``TY`` first and ``ER`` last."""
    venue = record.venue
    extra = dict(record.extra)
    tags: list[tuple[str, str]] = [("TY", _RIS_TYPES.get(record.entry_type, "GEN"))]
    tags.extend(("AU", ris_name(author)) for author in record.authors)
    tags.append(("TI", record.title))
    container = venue.booktitle or extra.get("journal")
    if container:
        tags.append(("T2", container))
    tags.extend(("A2", ris_name(editor)) for editor in record.editors)
    if venue.year is not None:
        tags.append(("PY", f"{venue.year:04d}"))
        month = f"{venue.month:02d}" if venue.month else ""
        day = f"{venue.day:02d}" if venue.month and venue.day else ""
        tags.append(("DA", f"{venue.year:04d}/{month}/{day}/"))
    if record.first_page is not None:
        tags.append(("SP", str(record.first_page.number)))
        if record.last_page is not None and record.last_page.number != record.first_page.number:
            tags.append(("EP", str(record.last_page.number)))
    elif "pages" in extra:
        tags.append(("SP", extra["pages"]))
    for tag, name in (("VL", "volume"), ("IS", "number")):
        if name in extra:
            tags.append((tag, extra[name]))
    for tag, value in (("CY", venue.address), ("PB", venue.publisher), ("SN", venue.isbn or extra.get("issn")),
                       ("UR", record.url), ("DO", record.doi)):
        if value:
            tags.append((tag, value))
    tags.append(("ER", ""))
    return tags


def format_ris(records: Sequence[Record]) -> str:
    """All records as RIS: ``TAG  - value`` lines, one record after another."""
    out = []
    for record in records:
        for tag, value in ris_fields(record):
            value = " ".join(value.split())  # one line per tag
            out.append(f"{tag}  - {value}".rstrip() if tag != "ER" else "ER  - ")
        out.append("")
    return "\n".join(out)
