"""A fast pass over a large BibTeX file: where each entry starts and ends, its key, and the
few fields a search needs (title, author, year), decoded exactly as
:func:`opmlbib.bibtex.parse_bibtex` decodes them.

The pass follows bibtexparser's splitter mark by mark: the same block starts (``@type``
followed by ``{``), the same delimiters (a brace, quote, comma or ``=`` right after a
backslash does not count), the same rules for values in braces and in quotes, the same
line numbers.  It keeps none of the objects bibtexparser builds, which is where the time
goes.

Whatever the pass does not reproduce exactly raises :class:`Unsupported`, and the caller
parses the file in full instead: blocks delimited by parentheses, blocks bibtexparser
would reject (so the full parser reports them, with their line), duplicate keys or fields.

Decoding has fast paths for what most values are, plain text or text with protective
braces, and for names without braces or commands; everything else goes through the same
functions :func:`~opmlbib.bibtex.parse_bibtex` uses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .bibtex import _LATEX, decode


#: Fields whose raw values the pass keeps (lower-case names).
SEARCH_FIELDS = ("title", "author", "year")

# A block start is "@type" right before "{" or "("; the other marks are the delimiters, each
# ignored right after a backslash (as bibtexparser's splitter has them).  Newlines are
# counted separately.
_BLOCK_START = r"@\w*[ \t]*(?=[{(])"
_BLOCK = re.compile(_BLOCK_START)
_ENTRY_MARK = re.compile(r'(?<!\\)[{}",=]|' + _BLOCK_START)
_BRACED_MARK = re.compile(r"(?<!\\)[{}]|" + _BLOCK_START)
_QUOTED_MARK = re.compile(r'(?<!\\)"|' + _BLOCK_START)
_ESCAPED_NEWLINE = re.compile(r"(?<!\\)\n")

# The same rules as one regular expression per field, for the common case: a name, "=", and a
# value of bare text, "quoted" text and {braced} groups (nested up to a few levels), ending at
# a comma or the closing brace.  Each character is either a delimiter or text, decided by the
# character before it, so matching is unambiguous and possessive (no backtracking).  Anything
# else (deeper nesting, "@type{" inside a value) falls back to the mark-by-mark path.
_NOT_BLOCK = r"@(?!\w*[ \t]*[{(])"
_BRACED_TEXT = r"(?:[^{}@\\]++|\\|(?<=\\)[{}]|" + _NOT_BLOCK + ")"


def _braced(depth: int) -> str:
    inner = _BRACED_TEXT + "*+" if depth == 0 else "(?:" + _BRACED_TEXT + "|" + _braced(depth - 1) + ")*+"
    return r"(?<!\\)\{" + inner + r"(?<!\\)\}"


_QUOTED = r'(?<!\\)"(?:[^"@\\]++|\\|(?<=\\)"|(?<=\{)"(?=\}[\s\S])|' + _NOT_BLOCK + r')*+(?<!\\)"'
_BARE = r'(?:[^{}",@\\]++|\\|(?<=\\)[{}",]|' + _NOT_BLOCK + ")"
_NAME = r'(?:[^{}",=@\\]++|\\|(?<=\\)[{}",=]|' + _NOT_BLOCK + r")*+"
_VALUE = r"(?:" + _BARE + "|" + _QUOTED + "|" + _braced(4) + r")*+"
_PATTERNS = {
    # one field: (name, value) up to the comma or closing brace after it
    "field": "(" + _NAME + r")(?<!\\)=(" + _VALUE + r")(?<!\\)[,}]",
    # a whole entry after its opening brace: the key, then "}" or "," and fields up to the "}"
    "entry": "(?P<key>" + _NAME + r")(?:\}|(?P<sep>,)(?:" + _NAME + r"(?<!\\)=" + _VALUE + r"(?<!\\)(?:,|(?=\})))*+\s*+\})",
}


@functools.cache
def _pattern(name: str) -> re.Pattern:
    """One of the large expressions, compiled when first used (compiling them all takes
    longer than a search that needs none of them)."""
    return re.compile(_PATTERNS[name])


class Unsupported(Exception):
    """The file holds something only the full parser handles exactly (``str(exc)`` says what)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry as found: ``start``/``end`` are offsets in the text (``end`` just past the
    closing brace), ``line`` is 1-based, ``fields`` maps the :data:`SEARCH_FIELDS` present to
    their raw values."""

    key: str
    entry_type: str
    start: int
    end: int
    line: int
    fields: dict[str, str]


@dataclass(frozen=True)
class Scan:
    entries: list[Entry]
    #: @string macros in file order: (name as written, raw value).
    strings: list[tuple[str, str]]
    #: The @string blocks as written, in file order (to parse single entries on their own).
    #: The text of each @string and @preamble block, in file order.
    string_blocks: list[str]


def scan(text: str, fields: tuple[str, ...] = SEARCH_FIELDS, progress=None) -> Scan:
    """Find every block of ``text`` (a .bib file's decoded contents, byte-order mark removed).

    ``progress``, if given, is called now and then with the offset reached.
    """
    return _Scanner(text, frozenset(fields), progress).run()


class _Scanner:
    def __init__(self, text: str, wanted: frozenset[str], progress) -> None:
        self.text = text
        self.wanted = wanted
        self.progress = progress
        self.entries: list[Entry] = []
        self.strings: list[tuple[str, str]] = []
        self.string_blocks: list[str] = []
        self.keys: set[str] = set()
        self.string_keys: set[str] = set()
        self.escaped_newlines = "\\\n" in text
        self.line = 1
        self.line_at = 0

    def run(self) -> Scan:
        from .bibtex import preamble_macros

        text = self.text
        position = 0
        report_every = 1 << 20
        next_report = report_every
        while True:
            match = _BLOCK.search(text, position)
            if match is None:
                break
            start = match.start()
            if self.progress is not None and start >= next_report:
                self.progress(start)
                next_report = start + report_every
            kind = match.group().lower()
            opening = match.end()
            if text[opening] != "{":
                raise Unsupported(f"a block delimited by parentheses at line {self._line(start)}")
            if kind.startswith("@comment"):
                position = self._closing(opening + 1, start) + 1
            elif kind.startswith("@preamble"):
                position = self._closing(opening + 1, start) + 1
                if preamble_macros([text[start:position]]):
                    # the full reader expands the commands it defines; this pass does not
                    raise Unsupported(f"an @preamble that defines commands at line {self._line(start)}")
                self.string_blocks.append(text[start:position])
            elif kind.startswith("@string"):
                position = self._string(start, opening)
            else:
                position = self._entry(start, opening, kind[1:].strip())
        if self.progress is not None:
            self.progress(len(text))
        return Scan(self.entries, self.strings, self.string_blocks)

    # ------------------------------------------------------------------ helpers

    def _line(self, position: int) -> int:
        """1-based line of ``position``, counted as bibtexparser counts (lines never go back)."""
        if self.escaped_newlines:
            self.line += len(_ESCAPED_NEWLINE.findall(self.text, self.line_at, position))
        else:
            self.line += self.text.count("\n", self.line_at, position)
        self.line_at = position
        return self.line

    def _at_line_start(self, position: int) -> bool:
        before = self.text.rfind("\n", 0, position)
        segment = self.text[before + 1: position]
        return not segment or segment.isspace()

    def _abort_if_block(self, mark: re.Match, block_start: int) -> None:
        """A block start at the start of a line inside a block: bibtexparser gives up there."""
        if self._at_line_start(mark.start()):
            raise Unsupported(f"the block at line {self._line(block_start)} does not close")

    def _closing(self, position: int, block_start: int) -> int:
        """Offset of the ``}`` closing a block whose body starts at ``position``."""
        depth = 0
        text = self.text
        for mark in _BRACED_MARK.finditer(text, position):
            char = mark.group()
            if char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    return mark.start()
                depth -= 1
            else:
                self._abort_if_block(mark, block_start)
        raise Unsupported(f"the block at line {self._line(block_start)} does not close")

    # ------------------------------------------------------------------- blocks

    def _string(self, start: int, opening: int) -> int:
        text = self.text
        mark = _ENTRY_MARK.search(text, opening + 1)
        if mark is None or mark.group() != "=":
            raise Unsupported(f"an @string without '=' at line {self._line(start)}")
        name = text[opening + 1: mark.start()].strip()
        end = self._closing(mark.end(), start)
        if name in self.string_keys:
            raise Unsupported(f"@string {name} is defined twice")
        self.string_keys.add(name)
        self.strings.append((name, text[mark.end(): end].strip()))
        self.string_blocks.append(text[start: end + 1])
        return end + 1

    def _entry(self, start: int, opening: int, entry_type: str) -> int:
        text = self.text
        if not entry_type:
            raise Unsupported(f"an entry without a type at line {self._line(start)}")
        fast = _pattern("entry").match(text, opening + 1)
        if fast is not None:
            key, end = fast.group("key"), fast.end()
            fields = _pattern("field").findall(text, fast.end("sep"), end) if fast.group("sep") else []
        else:
            key, end, fields = self._entry_by_marks(start, opening)
        key = key.strip()
        names = [name.strip() for name, _ in fields]
        if len(set(names)) != len(names):
            raise Unsupported(f"a field given twice in the entry at line {self._line(start)}")
        wanted = self.wanted
        found: dict[str, str] = {}
        for lowered, (_, value) in zip(map(str.lower, names), fields):
            if lowered in wanted:
                found.setdefault(lowered, value.strip())  # the first of a field given twice, as bibtex reads it
        if key in self.keys:
            raise Unsupported(f"the key {key} is used twice")
        self.keys.add(key)
        self.entries.append(Entry(key, entry_type, start, end, self._line(start), found))
        return end

    def _entry_by_marks(self, start: int, opening: int) -> tuple[str, int, list[tuple[str, str]]]:
        """The key, the offset past the closing brace, and the (name, value) pairs of an entry
        the single expression did not match, read mark by mark."""
        text = self.text
        mark = _ENTRY_MARK.search(text, opening + 1)
        char = mark.group() if mark else ""
        if char != "," and char != "}":
            raise Unsupported(f"no comma after the key of the entry at line {self._line(start)}")
        key = text[opening + 1: mark.start()]
        fields: list[tuple[str, str]] = []
        if char == "}":
            return key, mark.end(), fields
        position = mark.end()
        while True:
            mark = _ENTRY_MARK.search(text, position)
            char = mark.group() if mark else ""
            if char == "}" and not text[position: mark.start()].strip():
                return key, mark.end(), fields
            if char != "=":
                raise Unsupported(f"a field without '=' in the entry at line {self._line(start)}")
            end = self._value_end(mark.end(), start)
            fields.append((text[position: mark.start()], text[mark.end(): end]))
            if text[end] == "}":
                return key, end + 1, fields
            position = end + 1

    def _value_end(self, position: int, block_start: int) -> int:
        """Offset of the comma or closing brace that ends the value starting at ``position``.

        Braces nest outside quotes; quotes count only outside braces, and ``{"}`` inside
        quotes is a literal quote.
        """
        text = self.text
        while True:
            mark = _ENTRY_MARK.search(text, position)
            if mark is None:
                raise Unsupported(f"the block at line {self._line(block_start)} does not close")
            char = mark.group()
            if char == "{":
                position = self._braced_end(mark.end(), block_start)
            elif char == '"':
                position = self._quoted_end(mark.end(), block_start)
            elif char == "," or char == "}":
                return mark.start()
            else:  # "=" is text inside a value; so is "@" unless it starts a line
                if char[0] == "@":
                    self._abort_if_block(mark, block_start)
                position = mark.end()

    def _braced_end(self, position: int, block_start: int) -> int:
        """Offset just past the brace closing a group opened right before ``position``."""
        depth = 1
        for mark in _BRACED_MARK.finditer(self.text, position):
            char = mark.group()
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return mark.end()
            else:
                self._abort_if_block(mark, block_start)
        raise Unsupported(f"the block at line {self._line(block_start)} does not close")

    def _quoted_end(self, position: int, block_start: int) -> int:
        """Offset just past the quote closing a string opened right before ``position``."""
        text = self.text
        for mark in _QUOTED_MARK.finditer(text, position):
            if mark.group() == '"':
                at = mark.start()
                # {"} inside quotes is a quote character, not the end of the value
                if at >= 1 and text[at - 1] == "{" and at + 2 < len(text) and text[at + 1] == "}":
                    continue
                return mark.end()
            self._abort_if_block(mark, block_start)
        raise Unsupported(f"the block at line {self._line(block_start)} does not close")


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
    decodes them, with the file's @string macros."""

    def __init__(self, strings: list[tuple[str, str]]) -> None:
        from .bibtex import _MONTH_STRINGS, _int_or_none, resolve_value

        self._resolve_value, self._int_or_none = resolve_value, _int_or_none
        self.strings = dict(_MONTH_STRINGS)
        for name, raw in strings:
            self.strings[name.lower()] = resolve_value(raw, self.strings)

    def resolve(self, raw: str) -> str:
        """:func:`opmlbib.bibtex.resolve_value`, at once for one group, string, number or macro."""
        if _ONE_GROUP.fullmatch(raw) or _ONE_STRING.fullmatch(raw):
            return raw[1:-1]
        if raw.isdigit() and raw.isascii():
            return raw
        if _MACRO.fullmatch(raw) and raw.lower() in self.strings:
            return self.strings[raw.lower()]
        return self._resolve_value(raw, self.strings)

    def title(self, entry: Entry) -> str:
        raw = entry.fields.get("title")
        return decode(self.resolve(raw)) if raw is not None else ""

    def year(self, entry: Entry) -> int | None:
        raw = entry.fields.get("year")
        return None if raw is None else self._int_or_none(decode(self.resolve(raw)))

    def authors(self, entry: Entry) -> tuple[tuple[str, str, str, str], ...]:
        """Each author as (given, von, family, suffix)."""
        raw = entry.fields.get("author")
        if raw is None:
            return ()
        return tuple(filter(None, map(_author, _split_names(self.resolve(raw)))))


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
