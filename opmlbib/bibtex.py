"""Records ⇄ BibTeX: citation keys, escaping, case protection, writing and reading.

Writing turns plain Unicode into plain-ASCII BibTeX that LaTeX prints literally:

* TeX specials become commands in their own brace group (``&`` → ``{\\&}``,
  ``{`` → ``{\\textbraceleft}``, so braces in a value always balance, as BibTeX needs),
  and non-ASCII letters become accent commands (``ü`` → ``{\\"u}``); a character with
  no LaTeX spelling that reads back as itself is kept as UTF-8.
* ``--`` in a title is text, not a dash: it is written ``-{}-``.
* Title words whose capitals matter are braced one by one (``{TonY}: An Orchestrator``)
  so styles that lower-case titles keep them: words with capitals after their first
  letter (TonY, AutoML, TFX), a one-word system name before the title's colon
  (``{Katib}:``, ``{tensorflow-tracing}:``), and the record's protected phrases
  (proper nouns from the proceedings' data, braced words of a user's .bib).

Reading decodes values back to Unicode (LaTeX commands and protective braces removed),
so writing and reading a record gives back the same text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .errors import BibError, DataError, OpmlbibError
from .model import Author, Record, Source, Venue, page_range
from .names import ascii_fold

if TYPE_CHECKING:
    from pathlib import Path

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: Words skipped when a citation key takes the first word of a title.
STOP_WORDS = frozenset(
    "a an and are as at by for from in into is of on or the to via with".split()
)

# Characters that must never reach BibTeX bare, and their literal LaTeX spelling.
_SPECIALS = {
    "\\": r"\textbackslash",
    "{": r"\textbraceleft",
    "}": r"\textbraceright",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde",
    "^": r"\textasciicircum",
    # In LaTeX's default OT1 font encoding these print as other glyphs (¡ ¿ —).
    "<": r"\textless",
    ">": r"\textgreater",
    "|": r"\textbar",
}
# Character pairs TeX fonts join into one glyph (dashes, quotes, ¡ ¿, „): split by {}.
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=,)(?=,)|(?<=[!?])(?=`)")


# --------------------------------------------------------------------------- keys


def base_key(record: Record) -> str:
    """``<first author's family name><year><first title word that is not a stop word>``.

    Everything is ASCII-folded and lower-cased, with only letters and digits kept:
    ``hsu2019tony``, ``hashemi2019tensorflowtracing``.
    """
    family = record.authors[0].full_family if record.authors else "anonymous"
    year = str(record.venue.year) if record.venue.year is not None else ""
    word = ""
    for token in record.title.split():
        folded = _key_part(token)
        if folded and folded not in STOP_WORDS:
            word = folded
            break
    return f"{_key_part(family) or 'anonymous'}{year}{word}"


def assign_keys(records: Iterable[Record]) -> tuple[Record, ...]:
    """Give each record its key; on a clash the first keeps the plain key and later ones
    get ``a``, ``b``, … in order, so adding a paper never renames one already cited."""
    out = []
    taken: set[str] = set()
    for record in records:
        base = base_key(record)
        key = base
        for suffix in _suffixes():
            if key not in taken:
                break
            key = base + suffix
        taken.add(key)
        out.append(replace(record, key=key))
    return tuple(out)


def _suffixes() -> Iterable[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield ""
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second


def _key_part(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


# ----------------------------------------------------------------------- escaping


@functools.cache
def _encoder():
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(
        non_ascii_only=True, replacement_latex_protection="braces-all", unknown_char_policy="keep"
    )


@functools.cache
def _encode_char(char: str) -> str:
    if char in _SPECIALS:
        return "{" + _SPECIALS[char] + "}"
    if char.isascii():
        return char
    encoded = _encoder().unicode_to_latex(char)
    # Keep a spelling only if it reads back as the very same character.
    return encoded if encoded != char and decode(encoded) == char else char


def encode_text(text: str) -> str:
    """Plain Unicode → BibTeX value text that LaTeX prints literally."""
    text = _LIGATURE.sub("\x00", text)  # "--" stays two hyphens, "``" two backquotes
    return "".join(_encode_char(ch) for ch in text).replace("\x00", "{}")


def protected_spans(title: str, phrases: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Character ranges of ``title`` whose case must survive, merged and sorted."""
    spans: list[tuple[int, int]] = []
    head, colon, _ = title.partition(":")
    if colon and head.strip() and len(head.split()) == 1:
        start = title.index(head.strip())
        spans.append((start, start + len(head.strip())))
    for match in re.finditer(r"\S+", title):
        token = match.group()
        core = token.strip("()[]{}\"'.,;:!?\u201c\u201d\u2018\u2019")
        if core and any(ch.isupper() for ch in core[1:]):
            start = match.start() + token.index(core)
            spans.append((start, start + len(core)))
    for phrase in phrases:
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", title):
            spans.append(match.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + (1 if title[merged[-1][1]: start].isspace() else 0):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def encode_title(title: str, phrases: Iterable[str] = ()) -> str:
    """A title as BibTeX: escaped, with the words that need it braced against case changes."""
    out, position = [], 0
    for start, end in protected_spans(title, phrases):
        out.append(encode_text(title[position:start]))
        out.append("{" + encode_text(title[start:end]) + "}")
        position = end
    out.append(encode_text(title[position:]))
    return "".join(out)


def encode_name(author: Author) -> str:
    """``von Family, Jr, Given`` (BibTeX's unambiguous order), escaped."""
    family = encode_text(author.full_family)
    if "," in author.full_family or " and " in author.full_family:
        family = "{" + family + "}"
    elif not author.given and not author.suffix and len(author.family.split()) > 1:
        # Without a comma BibTeX would take the first words for given names: brace the
        # family ("{The ACME Team}"), as a corporate author is written.
        family = " ".join(filter(None, (encode_text(author.von), "{" + encode_text(author.family) + "}")))
    parts = [family]
    if author.suffix:
        parts.append(encode_text(author.suffix))
    if author.given:
        parts.append(encode_text(author.given))
    elif author.suffix:
        parts.append("")
    return ", ".join(parts)


# ----------------------------------------------------------------------- decoding


@functools.cache
def _decoder():
    from pylatexenc import latex2text

    literal = {
        "textbraceleft": "{", "textbraceright": "}", "textbackslash": "\\",
        "textasciitilde": "~", "textasciicircum": "^",
        "textless": "<", "textgreater": ">", "textbar": "|",
        "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX",
    }
    db = latex2text.get_default_latex_context_db()
    db.add_context_category(
        "opmlbib-literal",
        macros=[
            *(latex2text.MacroTextSpec(name, text) for name, text in literal.items()),
            latex2text.MacroTextSpec(_VERBATIM_MACRO, simplify_repl=_verbatim_text),
            latex2text.MacroTextSpec("url", simplify_repl=_argument_text(0)),
            latex2text.MacroTextSpec("href", simplify_repl=_argument_text(1)),
            *(latex2text.MacroTextSpec(name, discard=True) for name in _SORT_ONLY),
        ],
        prepend=True,
    )
    # A macro latex2text does not know keeps the text of its arguments (\texttt{grep},
    # \mbox{A B}) rather than losing it.
    db.set_unknown_macro_spec(latex2text.MacroTextSpec("", discard=False))
    # pylatexenc logs what it cannot follow in odd input; opmlbib reports what matters itself.
    import logging

    logging.getLogger("pylatexenc").addHandler(logging.NullHandler())
    logging.getLogger("pylatexenc").propagate = False
    return latex2text.LatexNodes2Text(latex_context=db, math_mode="text", strict_latex_spaces=True)


@functools.cache
def _parsing_context():
    # What the LaTeX walker knows of macros' arguments: pylatexenc's default, built once
    # (the walker would otherwise rebuild it for every value), plus our verbatim carrier
    # and hyperref's \href.
    from pylatexenc import latexwalker, macrospec

    db = latexwalker.get_default_latex_context_db()
    db.add_context_category(
        "opmlbib-arguments",
        macros=[
            macrospec.MacroSpec(_VERBATIM_MACRO, "{"),
            macrospec.MacroSpec("href", "{{"),
            *(macrospec.MacroSpec(name, "{") for name in _SORT_ONLY),
        ],
        prepend=True,
    )
    return db


# Text with none of these needs no LaTeX decoding (and pylatexenc is slow on long runs).
_NEEDS_DECODING = re.compile(r"[\\{}$%&#~^_]|--|``|''|[!?]`")
# Macros whose argument LaTeX reads verbatim (``%``, ``_``, ``~`` and ``#`` are text there).
_VERBATIM_ARGUMENT = re.compile(r"\\(?:url|nolinkurl|path)\s*\{([^{}]*)\}")
_VERBATIM_MACRO = "opmlbibverbatim"
# Macros a .bib's @preamble defines to steer sorting; their argument is never printed.
_SORT_ONLY = ("noopsort", "sortnoop", "SortNoop", "noop")


def _carry_verbatim(match: re.Match[str]) -> str:
    # hex digits pass the LaTeX walker untouched; _verbatim_text turns them back
    return "\\" + _VERBATIM_MACRO + "{" + match.group(1).encode("utf-8").hex() + "}"


def _argument_text(position: int):
    """A replacement that is the text of the macro's argument at ``position`` (none if absent)."""

    def text(node, l2tobj) -> str:
        arguments = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
        if position < len(arguments) and arguments[position] is not None:
            return l2tobj.nodelist_to_text([arguments[position]])
        return ""

    return text


def _verbatim_text(node, l2tobj) -> str:
    (argument,) = node.nodeargd.argnlist
    return bytes.fromhex(l2tobj.nodelist_to_text([argument])).decode("utf-8")


def decode(value: str) -> str:
    """BibTeX value text → plain Unicode (commands resolved, protective braces dropped,
    ``\\url{...}`` read verbatim, ``\\href{url}{text}`` as its text)."""
    if _NEEDS_DECODING.search(value):
        if "\\" in value:
            value = _VERBATIM_ARGUMENT.sub(_carry_verbatim, value)
        try:
            text = _decoder().latex_to_text(value, latex_context=_parsing_context())
        except (IndexError, KeyError, TypeError, ValueError, AttributeError) as exc:
            # pylatexenc's own limits on odd input: say so rather than fail obscurely
            raise DataError(f"cannot read the LaTeX in {value[:60]!r} ({type(exc).__name__})") from None
    else:
        text = value
    return re.sub(r"\s+", " ", text).strip() if any(ch in text for ch in "\n\t\r") else text


# ------------------------------------------------------------------------ writing


def entry_fields(record: Record) -> list[tuple[str, str]]:
    """The record's BibTeX fields in the order they are written, values encoded."""
    fields: list[tuple[str, str]] = []

    def braced(name: str, value: str | None) -> None:
        if value:
            fields.append((name, "{" + value + "}"))

    braced("author", " and ".join(encode_name(a) for a in record.authors))
    braced("title", encode_title(record.title, record.case_protected))
    venue = record.venue
    braced("booktitle", encode_text(venue.booktitle) if venue.booktitle else None)
    braced("editor", " and ".join(encode_name(e) for e in record.editors))
    if venue.year is not None:
        fields.append(("year", "{" + str(venue.year) + "}"))
    if venue.month is not None:
        fields.append(("month", MONTH_MACROS[venue.month - 1]))
    if record.first_page is not None:
        pages = str(record.first_page.number)
        if record.last_page is not None and record.last_page.number != record.first_page.number:
            pages += f"--{record.last_page.number}"
        fields.append(("pages", "{" + pages + "}"))
    braced("address", encode_text(venue.address) if venue.address else None)
    braced("publisher", encode_text(venue.publisher) if venue.publisher else None)
    braced("isbn", encode_text(venue.isbn) if venue.isbn else None)
    braced("url", _encode_url(record.url) if record.url else None)
    braced("doi", _encode_url(record.doi) if record.doi else None)
    for name, value in record.extra:
        braced(name, encode_text(value))
    return fields


def _encode_url(url: str) -> str:
    # url and doi are verbatim fields for biblatex and hyperref; only braces and
    # backslashes could break the entry, and neither occurs in a valid URL.
    if any(ch in url for ch in "{}\\") or not url.isascii() or any(ch.isspace() for ch in url):
        raise BibError(f"not a URL that can be written to BibTeX: {url!r}")
    return url.replace("%", r"\%").replace("#", r"\#")


def provenance_comment(record: Record) -> str:
    """One comment line saying where each page figure came from."""
    if record.first_page is None:
        return ""
    parts = [f"first page {record.first_page.number}: {record.first_page.describe()}"]
    if record.last_page is not None:
        parts.append(f"last page {record.last_page.number}: {record.last_page.describe()}")
    else:
        parts.append("last page unknown")
    return f"% {record.key}: " + "; ".join(parts)


def format_bibtex(records: Sequence[Record], *, comments: bool = True) -> str:
    """All records as one BibTeX file: each entry written by bibtexparser from values encoded
    here, preceded by its provenance comment, entries separated by a blank line."""
    from bibtexparser import Library, write_string
    from bibtexparser.model import Entry, Field
    from bibtexparser.writer import BibtexFormat

    fmt = BibtexFormat()
    fmt.indent = "  "
    fmt.value_column = "auto"
    blocks = []
    for record in records:
        if not record.key:
            raise BibError(f"the record {record.title!r} has no citation key")
        library = Library([Entry(record.entry_type, record.key, [Field(k, v) for k, v in entry_fields(record)])])
        comment = provenance_comment(record) if comments else ""
        blocks.append((comment + "\n" if comment else "") + write_string(library, unparse_stack=[], bibtex_format=fmt))
    return "\n".join(blocks)


# ------------------------------------------------------------------------ reading


def parse_bibtex(text: str, path: str | Path | None = None) -> tuple[Record, ...]:
    """Entries of a BibTeX file as records (values decoded; pages, year, month as numbers).

    Fields the model does not name are kept in :attr:`Record.extra`.  A block that does
    not parse is an error naming its line.
    """
    import bibtexparser

    library = bibtexparser.parse_string(text, parse_stack=[])
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise BibError(f"cannot parse this entry: {block.error}", path=path, line=block.start_line + 1)
    strings = {name: name_value for name, name_value in _MONTH_STRINGS.items()}
    for block in library.strings:
        strings[block.key.lower()] = resolve_value(str(block.value), strings)
    records = []
    for entry in library.entries:
        try:
            records.append(_record_from_entry(entry, strings))
        except OpmlbibError as exc:
            raise BibError(f"{entry.key}: {exc.message}", path=path, line=entry.start_line + 1) from None
    return tuple(records)


_MONTH_STRINGS = {macro: str(number) for number, macro in enumerate(MONTH_MACROS, start=1)}
_VALUE_PART = re.compile(r'\s*(?:\{(?P<braced>)|"(?P<quoted>)|(?P<number>\d+)|(?P<name>[^\s#{}"=,]+))')


def resolve_value(raw: str, strings: dict[str, str]) -> str:
    """A field's raw BibTeX value (``{a} # macro # "b"``) as one string, macros expanded.

    An unknown macro is an error.  Month macros expand to their numbers.
    """
    out, position = [], 0
    while True:
        match = _VALUE_PART.match(raw, position)
        if not match:
            raise OpmlbibError(f"cannot read the value {raw!r}")
        if match.group("braced") is not None or match.group("quoted") is not None:
            close = "}" if match.group("braced") is not None else '"'
            start = match.end()
            depth, index = 0, start
            while index < len(raw):
                char = raw[index]
                if char == "{":
                    depth += 1
                elif char == "}" and depth:
                    depth -= 1
                elif char == close and depth == 0:
                    break
                index += 1
            else:
                raise OpmlbibError(f"unbalanced value {raw!r}")
            out.append(raw[start:index])
            position = index + 1
        elif match.group("number") is not None:
            out.append(match.group("number"))
            position = match.end()
        else:
            name = match.group("name").lower()
            if name not in strings:
                raise OpmlbibError(f"unknown @string macro {match.group('name')!r}")
            out.append(strings[name])
            position = match.end()
        rest = re.match(r"\s*(#)?\s*", raw[position:])
        position += rest.end()
        if not rest.group(1):
            if position != len(raw):
                raise OpmlbibError(f"cannot read the value {raw!r}")
            return "".join(out)


def _month_number(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().lower()[:3]
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTH_MACROS.index(text) + 1 if text in MONTH_MACROS else None


# Far beyond any real field (an abstract runs to a few thousand characters), and beyond what
# BibTeX itself can hold in its buffers.
MAX_VALUE_CHARS = 100_000
_KNOWN = {"author", "editor", "title", "booktitle", "year", "month", "pages", "address", "publisher", "isbn", "url", "doi"}


def read_pages(pages: str | None, detail: str) -> tuple:
    """(first page, last page, extra fields) of a pages value from a bibliography file:
    a value that is no page range is kept whole as a "pages" extra field."""
    if pages:
        page_numbers = page_range(pages, Source.BIB, detail)
        if page_numbers:
            return (*page_numbers, [])
        return None, None, [("pages", pages)]
    return None, None, []


def _record_from_entry(entry, strings: dict[str, str]) -> Record:
    from bibtexparser.middlewares.names import split_multiple_persons_names

    values = {field.key.lower(): resolve_value(str(field.value), strings) for field in entry.fields}
    for name, raw in values.items():
        if len(raw) > MAX_VALUE_CHARS:
            raise DataError(
                f"field {name} is {len(raw):,} characters long; opmlbib reads values of up to {MAX_VALUE_CHARS:,}"
            )

    def text(name: str) -> str | None:
        raw = values.get(name)
        if raw is None:
            return None
        return decode(raw) or None

    def people(name: str) -> tuple[Author, ...]:
        return tuple(_author_from_bibtex(person) for person in split_multiple_persons_names(values.get(name, "")))

    authors, editors = people("author"), people("editor")
    title_raw = values.get("title", "")
    year = _int_or_none(text("year"))
    month = _month_number(values.get("month"))
    first_page, last_page, extra = read_pages(text("pages"), f"entry {entry.key}")
    for field in entry.fields:
        name = field.key.lower()
        if name not in _KNOWN:
            extra.append((name, decode(values[name])))
    venue = Venue(
        booktitle=text("booktitle") or "",
        year=year,
        month=month,
        address=text("address"),
        publisher=text("publisher"),
        isbn=text("isbn"),
    )
    return Record(
        title=decode(title_raw),
        authors=authors,
        venue=venue,
        first_page=first_page,
        last_page=last_page,
        key=entry.key,
        url=_verbatim(values.get("url")),
        doi=_verbatim(values.get("doi")),
        entry_type=entry.entry_type.lower(),
        extra=tuple(extra),
        case_protected=_braced_phrases(title_raw),
        line=entry.start_line + 1,
        editors=editors,
    )


def _author_from_bibtex(name: str) -> Author:
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    try:
        parts = parse_single_name_into_parts(name, strict=True)
    except InvalidNameError as exc:
        raise OpmlbibError(f"cannot read the name {name!r}: {exc}") from None

    def joined(words: list[str]) -> str:
        return decode(" ".join(words))

    family = joined(parts.last)
    if not family:
        raise OpmlbibError(f"the name {name!r} has no family name")
    return Author(given=joined(parts.first), family=family, von=joined(parts.von), suffix=joined(parts.jr))


def _braced_phrases(raw_title: str) -> tuple[str, ...]:
    """The decoded text of each top-level brace group that is not a lone command."""
    phrases, depth, start = [], 0, 0
    for index, char in enumerate(raw_title):
        if char == "\\":
            continue
        if char == "{" and (index == 0 or raw_title[index - 1] != "\\"):
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and (index == 0 or raw_title[index - 1] != "\\") and depth:
            depth -= 1
            if depth == 0:
                group = raw_title[start + 1: index]
                if not group.startswith("\\"):
                    decoded = decode(group)
                    if decoded.strip():
                        phrases.append(decoded)
    return tuple(dict.fromkeys(phrases))


def _verbatim(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip().replace(r"\%", "%").replace(r"\#", "#").replace(r"\_", "_")
    return text or None


def _int_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() else None
