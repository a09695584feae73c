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

from .bibtex import _LATEX, decode


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
}


@functools.cache
def _pattern(name: str) -> re.Pattern:
    """One of the large expressions, compiled when first used."""
    return re.compile(_PATTERNS[name])


class Unsupported(Exception):
    """The file holds something only the full parser handles exactly (``str(exc)`` says what)."""


@dataclass(frozen=True, slots=True)
class Entry:
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
        entry_pattern, string_pattern = _pattern("entry"), _pattern("string")
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
                    read = self._plain_string(string_pattern, head, end)
                elif kind not in ("@", "@comment", "@preamble"):
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
        fields = _pattern("field").findall(match.group("fields") or "")
        names = [name.lower() for name, _ in fields]
        if len(set(names)) != len(names):
            return False  # the full reader warns about it
        wanted = self.wanted
        found = {name: value for name, (_, value) in zip(names, fields) if name in wanted}
        self._add(Entry(match.group("key"), head.group(1)[1:].lower(), head.start(1), match.end(), line, found,
                        len(self.strings)))
        return True

    def _plain_string(self, pattern: re.Pattern, head: re.Match, end: int) -> bool:
        match = pattern.match(self.text, head.end(), end)
        if match is None or not self._rest_is_text(match.end(), end):
            return False
        self._define(match.group(1), match.group(2), self.text[head.start(1): match.end()])
        return True

    def _read_exactly(self, start: int, end: int, line: int, beyond: int) -> None:
        """The blocks of ``text[start:end]`` as bibtexparser's splitter reads them.

        Where a block does not parse, where the splitter gave up on it may depend on what
        follows: the piece is read again with the next one (up to ``beyond``), and must end
        that block at the same place."""
        import bibtexparser
        from bibtexparser import model as bp

        from .bibtex import _library_logs_off, preamble_macros, salvage

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

# Characters after which a name needs the full name parser.
_NAME_SPECIAL = re.compile(r"[\\{}~]")
# Brace groups (one level of nesting inside) without whitespace, commas or ties: they
# stay inside one word, so words, sections and "and" are found as without them.
_WORD_GROUP = re.compile(r"\{[^{}\s,~]*+(?:\{[^{}\s,~]*+\}[^{}\s,~]*+)*+\}")
# Escapes that hide a delimiter from BibTeX's name rules (or end the text), and escapes
# starting a word (bibtexparser's splitter starts a name after " and " past them).
_HIDING_ESCAPE = re.compile(r"\\(?:[\s{}\\,~]|$)|(?<=[ \r\n\t])\\")
_NAME_SEPARATOR = re.compile(r"[ \r\n\t]+[aA][nN][dD][ \r\n\t]+(?=[^ \r\n\t])")
_NAME_SPACE = re.compile(r"[ \r\n\t]+")
# Values that are one brace group (every brace counts, as resolve_value counts them), one
# quoted string without braces, or one macro name.
_ONE_GROUP = re.compile(r"\{(?:[^{}]++|\{(?:[^{}]++|\{(?:[^{}]++|\{[^{}]*+\})*+\})*+\})*+\}")
_ONE_STRING = re.compile(r'"[^"{}]*+"')
_MACRO = re.compile(r'[^\s#{}"=,0-9][^\s#{}"=,]*+')


class Decoder:
    """Decodes the search fields of scanned entries as :func:`~opmlbib.bibtex.parse_bibtex`
    decodes them, with the @string macros the file defines before each entry."""

    def __init__(self, strings: list[tuple[str, str]]) -> None:
        from .bibtex import _MONTH_STRINGS, _int_or_none, resolve_value

        self._resolve_value, self._int_or_none = resolve_value, _int_or_none
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
        """:func:`opmlbib.bibtex.resolve_value`, at once for one group, string, number or macro."""
        if _ONE_GROUP.fullmatch(raw) or _ONE_STRING.fullmatch(raw):
            return raw[1:-1]
        if raw.isdigit() and raw.isascii():
            return raw
        macros = self._macros(len(self._definitions) if defined is None else defined)
        if _MACRO.fullmatch(raw) and raw.lower() in macros:
            return macros[raw.lower()]
        return self._resolve_value(raw, macros)

    def own(self, entry: Entry) -> dict[str, str]:
        """An entry's search fields, macros resolved."""
        return {name: self.resolve(raw, entry.defined) for name, raw in entry.fields.items()}

    @staticmethod
    def inheriting(entries: list[Entry], own: list[dict[str, str]]) -> list[dict[str, str]]:
        """Each entry's fields (``own``) with what it inherits through its crossref
        (:func:`opmlbib.bibtex.inherited`)."""
        from .bibtex import inherited

        if not any("crossref" in fields for fields in own):
            return own
        values: dict[str, tuple[str, dict[str, str]]] = {}
        for entry, fields in zip(entries, own):
            values.setdefault(entry.key.lower(), (entry.entry_type.lower(), fields))
        return [inherited(entry.key, fields, values)[0] if "crossref" in fields else fields
                for entry, fields in zip(entries, own)]

    @staticmethod
    def title(fields: dict[str, str]) -> str:
        from .bibtex import title_text

        value = fields.get("title")
        return title_text(value) if value is not None else ""

    def year(self, fields: dict[str, str]) -> int | None:
        """The year, or else the year of an ISO ``date`` (biblatex's), as the full reader reads them."""
        value, date = fields.get("year"), fields.get("date")
        year = None if value is None else self._int_or_none(decode(value))
        if year is None and date is not None:
            from .model import iso_dates

            dates = iso_dates(date)
            year = dates[0][0] if dates else None
        return year

    @staticmethod
    def authors(fields: dict[str, str]) -> tuple[tuple[str, str, str, str], ...]:
        """Each author as (given, von, family, suffix)."""
        value = fields.get("author")
        if value is None:
            return ()
        return tuple(filter(None, map(_author, _split_names(value))))


def _words_as_written(value: str) -> bool:
    """Whether whitespace, commas and "and" delimit ``value``'s words and names wherever they
    occur: no tie, every brace group inside one word, no escape hiding a delimiter."""
    if _NAME_SPECIAL.search(value) is None:
        return True
    if "~" in value or _HIDING_ESCAPE.search(value) is not None:
        return False
    rest = _WORD_GROUP.sub("", value) if "{" in value else value
    return "{" not in rest and "}" not in rest


def _split_names(value: str) -> list[str]:
    """bibtexparser's ``split_multiple_persons_names``; a fast path for names whose braces
    stay inside words."""
    if _words_as_written(value):
        value = value.strip(" \r\n\t")
        return _NAME_SEPARATOR.split(value) if value else []
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return split_multiple_persons_names(value)


@functools.lru_cache(maxsize=1 << 16)  # people recur across a bibliography; memory stays bounded
def _author(name: str) -> tuple[str, str, str, str] | None:
    """(given, von, family, suffix) as :func:`opmlbib.bibtex.parse_bibtex` reads one name;
    None for a name it leaves out."""
    from .bibtex import _author_from_bibtex

    if "=" in name:  # perhaps biblatex's extended name format: the full reader's rule
        author = _author_from_bibtex(name)
        return None if author is None else (author.given, author.von, author.family, author.suffix)
    parts = None
    if _NAME_SPECIAL.search(name) is None:
        parts = _name_parts(name)
    elif _words_as_written(name):
        parts = _name_parts(name, letters_first=True)
    if parts is None:
        parts = _bibtex_name_parts(name)
    if parts is not None:
        if _LATEX.search(name) is None:  # nor has any part: decoding leaves them as they are
            first, von, last, jr = (" ".join(words) for words in parts)
        else:
            first, von, last, jr = (decode(" ".join(words)) for words in parts)
        if last:
            return first, von, last, jr
    # A name the parser rejects: the full reader's rule (which warns when the entry is read)
    author = _author_from_bibtex(name)
    return None if author is None else (author.given, author.von, author.family, author.suffix)


def _bibtex_name_parts(name: str) -> tuple[list[str], list[str], list[str], list[str]] | None:
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    try:
        parts = parse_single_name_into_parts(name, strict=True)
    except InvalidNameError:
        return None
    return parts.first, parts.von, parts.last, parts.jr


def _case(word: str) -> int:
    """1 if the word's first letter is upper case, 0 if lower case, -1 without letters."""
    for char in word:
        if char.isalpha():
            return 1 if char.isupper() else 0
    return -1


def _name_parts(name: str, letters_first: bool = False) -> tuple[list[str], list[str], list[str], list[str]] | None:
    """BibTeX's split of a name into first, von, last and jr words, as bibtexparser's
    ``parse_single_name_into_parts`` does it, for names whose words :func:`_words_as_written`
    delimits; None for the forms it rejects or that leave a part empty (the full parser
    reports those).  With ``letters_first`` (a name with braces or commands), also None
    unless every word starts with a letter, which then gives the word its case."""
    sections = [[word for word in _NAME_SPACE.split(section) if word] for section in name.split(",")]
    if len(sections) > 3 or not all(sections):
        return None
    if letters_first and not all(word[0].isalpha() for words in sections for word in words):
        return None
    first: list[str] = []
    von: list[str] = []
    if len(sections) == 1:
        words = sections[0]
        if len(words) == 1:
            return first, von, words, []
        if len(words) == 2:
            return words[:1], von, words[1:], []
        cases = [_case(word) for word in words]
        if 0 not in cases:
            return words[:-1], von, words[-1:], []
        first_lower = cases.index(0) - len(cases)
        last_lower = -cases[::-1].index(0) - 1
        if last_lower == -1:
            last_lower -= 1
        return words[:first_lower], words[first_lower: last_lower + 1], words[last_lower + 1:], []
    first = sections[-1]
    jr = sections[1] if len(sections) == 3 else []
    words = sections[0]
    if len(words) == 1:
        return first, von, words, jr
    cases = [_case(word) for word in words[:-1]]
    if 0 not in cases:
        return first, von, words, jr
    split = len(cases) - cases[::-1].index(0)
    return first, words[:split], words[split:], jr
