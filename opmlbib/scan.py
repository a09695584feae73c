"""A fast pass over a BibTeX file: where each entry starts and ends, its key, and the few
fields a search needs (title, author, year), decoded exactly as
:func:`opmlbib.bibtex.parse_bibtex` decodes them.

The pass does not split the file by rules of its own.  It cuts the text where a line
starts a block (``@type{`` after nothing but spaces), and reads a piece with one regular
expression only when the piece is a plainly written entry: a key, then ``name = value``
fields whose values are numbers, macro names, ``"quoted"`` or ``{braced}`` text (nested a
few levels, no ``@``, no backslash before a brace or another backslash), joined by ``#``,
and after the closing brace nothing that could start another block.  bibtexparser's
splitter, the one rule, reads such a piece the same way (the tests hold the two equal on
random text); every other piece is read by bibtexparser itself.

An entry bibtexparser cannot parse is read as the full parser reads it
(:func:`opmlbib.bibtex.salvage`: what bibtex reads of it).  What only the full parser
reads exactly raises :class:`Unsupported`, and the caller parses the file in full
instead: an ``@preamble`` that defines commands.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .model import Author


#: Fields whose raw values the pass keeps (lower-case names).
SEARCH_FIELDS = ("title", "author", "year", "date", "crossref")

# Where a piece starts: a block's "@type{" (or "(") with nothing but spaces before it on its line.
_HEAD = re.compile(r"^[ \t]*(@\w*)[ \t]*([{(])", re.M)


def _braced(depth: int) -> str:
    """A brace group (``depth`` levels of groups inside it) holding no ``@`` and no
    backslash before a brace, a backslash or an ``@``."""
    text = r"[^{}@\\]|\\[^{}@\\]"
    inner = text if depth == 0 else text + "|" + _braced(depth - 1)
    return r"\{(?:" + inner + r")*+\}"


_QUOTED = r'"(?:[^"{}@\\]|\\[^{}@\\"]|' + _braced(3) + r')*+"'
_PIECE = r"(?:\d++|[A-Za-z][\w.:+/-]*+|" + _QUOTED + "|" + _braced(4) + ")"
_VALUE = _PIECE + r"(?:\s*+#\s*+" + _PIECE + r")*+"
_NAME = r"[A-Za-z][\w.:+-]*+"
_KEY = r"""[^\s,{}()"#%'=\\~@]++"""
_PATTERNS = {
    # a plainly written entry after its opening brace, up to and with its closing brace
    "entry": r"\s*(?P<key>" + _KEY + r")\s*(?:\}|,\s*(?P<fields>(?:" + _NAME + r"\s*=\s*" + _VALUE
             + r"\s*(?:,\s*|(?=\})))*+)\})",
    # one field of such an entry
    "field": "(" + _NAME + r")\s*=\s*(" + _VALUE + ")",
    # a plainly written @string after its opening brace
    "string": r"\s*(" + _NAME + r")\s*=\s*(" + _VALUE + r")\s*\}",
    # a plainly written @preamble, and @comment, after the opening brace
    "preamble": r"\s*(" + _VALUE + r")\s*\}",
    "comment": r"(?:[^{}@\\]|\\[^{}@\\]|" + _braced(3) + r")*+\}",
}


@functools.cache
def _pattern(name: str) -> re.Pattern:
    """One of the large expressions, compiled when first used."""
    return re.compile(_PATTERNS[name])


class Unsupported(Exception):
    """The file holds something only the full parser handles exactly (``str(exc)`` says what)."""


class Entry(NamedTuple):
    """One entry as found: ``start``/``end`` are offsets in the text (``end`` just past the
    closing brace), ``line`` is 1-based, ``fields`` maps the :data:`SEARCH_FIELDS` present to
    their raw values, ``defined`` is how many @string macros the file defines before it."""

    key: str
    entry_type: str
    start: int
    end: int
    line: int
    fields: dict[str, str]
    defined: int = 0


@dataclass(frozen=True)
class Scan:
    entries: list[Entry]
    #: @string macros in file order: (name as written, raw value).
    strings: list[tuple[str, str]]
    #: The text of each @string block, in file order (to parse single entries on their own).
    string_blocks: list[str]
    #: The text of each @preamble block, in file order.
    preambles: list[str]
    #: Positions (in ``entries``) of the entries the full reader warns about when it reads
    #: them: those that do not parse, and those with a field given twice.
    warned: list[int]


def scan(text: str, fields: tuple[str, ...] = SEARCH_FIELDS, progress=None) -> Scan:
    """Find every block of ``text`` (a .bib file's decoded contents, byte-order mark removed).

    ``progress``, if given, is called now and then with the offset reached.
    """
    return _Scanner(text, frozenset(fields), progress).run()


def _counting_lines_but_escaped(text: str):
    def count(newline: str, start: int, end: int) -> int:
        return len(_UNESCAPED_NEWLINE.findall(text, start, end))

    return count


_UNESCAPED_NEWLINE = re.compile(r"(?<!\\)\n")


class _Scanner:
    def __init__(self, text: str, wanted: frozenset[str], progress) -> None:
        self.text = text
        self.wanted = wanted
        self.progress = progress
        self.entries: list[Entry] = []
        self.strings: list[tuple[str, str]] = []
        self.string_blocks: list[str] = []
        self.preambles: list[str] = []
        self.warned: list[int] = []
        self.keys: set[str] = set()
        self.field_pattern = _pattern("field")

    def run(self) -> Scan:
        text = self.text
        # bibtexparser does not count a line that ends in a backslash; lines are counted as it counts them
        count_lines = _counting_lines_but_escaped(text) if "\\\n" in text else text.count
        starts = [match.start() for match in _HEAD.finditer(text)]
        line, previous = 1, 0
        if not starts or "@" in text[: starts[0]]:
            starts.insert(0, 0)  # text before the first line-start block that may hold one
        starts.append(len(text))
        report_every = 1 << 20
        next_report = report_every
        entry_pattern = _pattern("entry")
        for n, (start, end) in enumerate(zip(starts, starts[1:])):
            line += count_lines("\n", previous, start)
            previous = start
            if self.progress is not None and start >= next_report:
                self.progress(start)
                next_report = start + report_every
            head = _HEAD.match(text, start)
            read = None
            if head is not None and head.group(2) == "{":
                kind = head.group(1).lower()
                if kind == "@string":
                    read = self._plain_string(head, end)
                elif kind == "@preamble":
                    read = self._plain_preamble(head, end)
                elif kind == "@comment":
                    read = self._plain_block("comment", head, end) is not None
                elif kind != "@":
                    read = self._plain_entry(entry_pattern, head, end, line)
            if not read:
                self._read_exactly(start, end, line, starts[min(n + 2, len(starts) - 1)])
        if self.progress is not None:
            self.progress(len(text))
        return Scan(self.entries, self.strings, self.string_blocks, self.preambles, self.warned)

    def _rest_is_text(self, position: int, end: int) -> bool:
        """Whether nothing between ``position`` and ``end`` could start a block."""
        return self.text.find("@", position, end) < 0

    def _plain_entry(self, pattern: re.Pattern, head: re.Match, end: int, line: int) -> bool:
        text = self.text
        match = pattern.match(text, head.end(), end)
        if match is None or not self._rest_is_text(match.end(), end):
            return False
        found: dict[str, str] = {}
        fields = match.group("fields")
        if fields:
            pairs = self.field_pattern.findall(fields)
            names = {name.lower() for name, _ in pairs}
            if len(names) != len(pairs):
                return False  # a field given twice: the full reader warns about it
            wanted = self.wanted
            for name, value in pairs:
                name = name.lower()
                if name in wanted:
                    found[name] = value
        self._add(Entry(match.group("key"), head.group(1)[1:].lower(), head.start(1), match.end(), line, found,
                        len(self.strings)))
        return True

    def _plain_string(self, head: re.Match, end: int) -> bool:
        match = self._plain_block("string", head, end)
        if match is None:
            return False
        self._define(match.group(1), match.group(2), self.text[head.start(1): match.end()])
        return True

    def _plain_block(self, pattern: str, head: re.Match, end: int) -> re.Match | None:
        match = _pattern(pattern).match(self.text, head.end(), end)
        return match if match is not None and self._rest_is_text(match.end(), end) else None

    def _plain_preamble(self, head: re.Match, end: int) -> bool:
        from .bibtex import preamble_macros

        match = self._plain_block("preamble", head, end)
        if match is None:
            return False
        if preamble_macros([match.group(1)]):
            raise Unsupported("an @preamble that defines commands")
        self.preambles.append(self.text[head.start(1): match.end()])
        return True

    def _read_exactly(self, start: int, end: int, line: int, beyond: int) -> None:
        """The blocks of ``text[start:end]`` as bibtexparser's splitter reads them.

        Where a block does not parse, where the splitter gave up on it may depend on what
        follows: the piece is read again with the next one (up to ``beyond``), and must end
        that block at the same place."""
        import bibtexparser
        from bibtexparser import model as bp

        from .bibtex import _library_logs_off, preamble_macros, readable, salvage

        _library_logs_off()
        piece = self.text[start:end]
        blocks = bibtexparser.parse_string(piece, parse_stack=[]).blocks
        failed = [(block.start_line or 0, (block.raw or "").rstrip()) for block in blocks
                  if isinstance(block, bp.ParsingFailedBlock)]
        if failed and beyond > end:
            longer = bibtexparser.parse_string(self.text[start:beyond], parse_stack=[]).blocks
            if failed != [(block.start_line or 0, (block.raw or "").rstrip()) for block in longer
                          if isinstance(block, bp.ParsingFailedBlock)][: len(failed)]:
                raise Unsupported(f"the block at line {line + failed[0][0]} does not parse")
        cursor = 0
        for read in blocks:
            at = line + (read.start_line or 0)
            block: bp.Block | None = read
            if isinstance(block, bp.DuplicateBlockKeyBlock):
                block = block.ignore_error_block  # a macro defined anew, or a key used again (left out below)
            warned = isinstance(block, (bp.DuplicateFieldKeyBlock, bp.ParsingFailedBlock))
            if isinstance(block, bp.DuplicateFieldKeyBlock):
                block = block.ignore_error_block  # the first of each field is used (the full reader warns)
            if block is None:
                raise Unsupported(f"the block at line {at} does not parse")
            raw = block.raw or ""
            if isinstance(block, bp.ParsingFailedBlock):
                salvaged = salvage(raw)
                if salvaged is None or not raw.lstrip().startswith("@"):
                    raise Unsupported(f"the block at line {at} does not parse")
                block = salvaged[0]
            offset = piece.find(raw, cursor) if raw else -1
            if offset >= 0:
                cursor = offset + len(raw)
            if isinstance(block, bp.String):
                self._define(block.key, str(block.value), raw)
            elif isinstance(block, bp.Preamble):
                if preamble_macros([str(block.value)]):
                    raise Unsupported(f"an @preamble that defines commands at line {at}")
                self.preambles.append(raw)
            elif isinstance(block, bp.Entry):
                if offset < 0:
                    raise Unsupported(f"the entry at line {at} is not where bibtexparser says")
                found: dict[str, str] = {}
                for field in block.fields:
                    if not readable(str(field.value)):
                        raise Unsupported(f"a value the full reader refuses at line {at}")
                    if field.key.lower() in self.wanted:
                        found.setdefault(field.key.lower(), str(field.value))
                if self._add(Entry(block.key, block.entry_type, start + offset, start + offset + len(raw), at, found,
                                   len(self.strings))) and warned:
                    self.warned.append(len(self.entries) - 1)

    def _add(self, entry: Entry) -> bool:
        """Add an entry, unless its key is taken: bibtex reads the first (the full reader
        warns when it reads the file)."""
        key = entry.key.lower()  # keys are compared as bibtex compares them
        if key in self.keys:
            return False
        self.keys.add(key)
        self.entries.append(entry)
        return True

    def _define(self, name: str, raw: str, block: str) -> None:
        self.strings.append((name.strip(), raw.strip()))
        self.string_blocks.append(block)


# ----------------------------------------------------------------------- decoding

class Decoder:
    """Decodes the search fields of scanned entries as :func:`~opmlbib.bibtex.parse_bibtex`
    decodes them, with the @string macros the file defines before each entry."""

    def __init__(self, strings: list[tuple[str, str]]) -> None:
        from .bibtex import _MONTH_STRINGS, ValueReader, _int_or_none, resolve_value

        self._resolve_value, self._int_or_none = resolve_value, _int_or_none
        self._reader = ValueReader()
        self._inherited: dict[int, dict[str, str]] = {}
        self._definitions = strings
        self._defined = 0
        self.strings = dict(_MONTH_STRINGS)

    def _macros(self, defined: int) -> dict[str, str]:
        """The macros in effect after the file's first ``defined`` definitions, each read
        with those before it (entries come in file order, so this mostly moves forward)."""
        if defined < self._defined:
            from .bibtex import _MONTH_STRINGS

            self._defined, self.strings = 0, dict(_MONTH_STRINGS)
        for name, raw in self._definitions[self._defined: defined]:
            self.strings[name.lower()] = self._resolve_value(raw, self.strings)
        self._defined = max(self._defined, defined)
        return self.strings

    def define_all(self) -> None:
        """Read every definition of the file, as the full reader does (which refuses a file
        with one it cannot read, even when no entry uses it)."""
        self._macros(len(self._definitions))

    def resolve(self, raw: str, defined: int | None = None) -> str:
        """:func:`opmlbib.bibtex.resolve_value` with the macros defined before an entry that
        has ``defined`` definitions before it (all of them by default)."""
        return self._resolve_value(raw, self._macros(len(self._definitions) if defined is None else defined))

    def own(self, entry: Entry) -> dict[str, str]:
        """An entry's search fields, macros resolved."""
        return {name: self.resolve(raw, entry.defined) for name, raw in entry.fields.items()}

    def inherit(self, entries: list[Entry]) -> None:
        """Find what the crossref children among ``entries`` (the file's, in order) inherit
        (:func:`opmlbib.bibtex.inherited`), for :meth:`fields`."""
        from .bibtex import inherited

        self._inherited = {}
        if not any("crossref" in entry.fields for entry in entries):
            return
        own = [self.own(entry) for entry in entries]
        values: dict[str, tuple[str, dict[str, str]]] = {}
        for entry, fields in zip(entries, own):
            values.setdefault(entry.key.lower(), (entry.entry_type.lower(), fields))
        for position, (entry, fields) in enumerate(zip(entries, own)):
            if "crossref" in fields:
                self._inherited[position] = inherited(entry.key, fields, values)[0]

    def fields(self, position: int, entry: Entry) -> dict[str, str]:
        """The search fields of the entry at ``position``, macros resolved, with what it
        inherits through its crossref (after :meth:`inherit`)."""
        inherited = self._inherited.get(position)
        return inherited if inherited is not None else self.own(entry)

    def title(self, fields: dict[str, str]) -> str:
        value = fields.get("title")
        return self._reader.title(value) if value is not None else ""

    def year(self, fields: dict[str, str]) -> int | None:
        """The year, or else the year of an ISO ``date`` (biblatex's), as the full reader reads them."""
        from .bibtex import decode

        value, date = fields.get("year"), fields.get("date")
        year = None if value is None else self._int_or_none(decode(value))
        if year is None and date is not None:
            from .model import iso_dates

            dates = iso_dates(date)
            year = dates[0][0] if dates else None
        return year

    def authors(self, fields: dict[str, str]) -> tuple[Author, ...]:
        """The authors, as the full reader reads them."""
        value = fields.get("author")
        return () if value is None else self._reader.people(value)
