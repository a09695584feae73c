"""Adding records to a user's own .bib file without touching anything already there.

A user's file may hold comments, ``@string`` macros, odd formatting, CRLF line ends and
even entries that do not parse.  None of it is read as BibTeX: existing keys are found by
a tolerant scan for ``@type{key,`` (or ``@type(key,``), and new entries are appended, so
every byte of the old file stays where it was.

Replacing an entry (``update``) swaps exactly the bytes from its ``@`` to its closing
brace, together with the provenance comment line written directly above it when the
entry was added (``% key: first page ...``), and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .bibtex import Definitions, format_bibtex
from .errors import BibError
from .model import Record

# ``@type{key,`` as BibTeX reads it: white space allowed around the parts.
_ENTRY_START = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t\r\n]*([{(])[ \t\r\n]*([^\s,{}()\"#%'=\\]+)[ \t\r\n]*,")
_NOT_ENTRIES = {"comment", "string", "preamble"}
# ``@string{name =``, tolerantly, as entry starts are found.
_STRING_START = re.compile(r"@[ \t]*string[ \t\r\n]*[{(][ \t\r\n]*([^\s=,{}()\"#%]+)[ \t\r\n]*=", re.I)
# What _closing looks at: braces, and in an entry in parentheses quotes and ")" too.
_BRACE_MARK = re.compile(r"[{}]")
_PAREN_MARK = re.compile(r'[{}")]')
# Another entry starting on a line of its own: the one before it never closed.
_NEXT_ENTRY = re.compile(r"\n[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]")


@dataclass(frozen=True)
class Span:
    """Where one entry sits in the text: ``start`` is its ``@``; ``end`` is one past its
    closing delimiter, or ``None`` when the delimiters never balance."""

    key: str
    start: int
    end: int | None
    line: int


@dataclass
class Outcome:
    """What :func:`merge` did, key by key."""

    added: list[str] = field(default_factory=list)
    replaced: list[tuple[str, int]] = field(default_factory=list)
    #: Keys already in the file and left alone, with the line of the existing entry.
    skipped: list[tuple[str, int]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


def scan(text: str) -> list[Span]:
    """Every entry start in the file, in order, found without parsing the entries."""
    spans = []
    line, counted = 1, 0  # line numbers counted on from the previous entry, not from the top
    for match in _ENTRY_START.finditer(text):
        if match.group(1).lower() in _NOT_ENTRIES:
            continue
        line += text.count("\n", counted, match.start())
        counted = match.start()
        spans.append(Span(match.group(3), match.start(), _closing(text, match.start(2)), line))
    return spans


def _closing(text: str, opening: int) -> int | None:
    """One past the delimiter that closes the one at ``opening`` (braces counted as BibTeX
    counts them), or ``None`` if it never closes before the next entry begins."""
    paren = text[opening] == "("
    depth, quoted = 0, False
    end = None
    for mark in (_PAREN_MARK if paren else _BRACE_MARK).finditer(text, opening + 1):
        char = mark.group()
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                end = None if paren else mark.end()
                break
            depth -= 1
        elif depth == 0 and char == '"':
            quoted = not quoted
        elif depth == 0 and not quoted and char == ")":
            end = mark.end()
            break
    if end is None or _NEXT_ENTRY.search(text, opening, end):
        return None
    return end


def line_ending(text: str) -> str:
    """The file's line ending: CRLF if most lines use it, else LF."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def merge(text: str, records: Sequence[Record], *, update: bool = False, path: str | Path | None = None) -> tuple[str, Outcome]:
    """``text`` with the records added (or, with ``update``, replacing their entries).

    Keys are compared without regard to case, as BibTeX and biber compare them.
    """
    newline = line_ending(text)
    outcome = Outcome()
    appended: list[str] = []
    new_records: list[Record] = []
    unique: dict[str, Record] = {}
    for record in records:
        unique.setdefault(record.key.lower(), record)
    by_key: dict[str, list[Span]] | None = None  # the file's entries by key, found again after a replacement
    for record in unique.values():
        if by_key is None:
            by_key = {}
            for found in scan(text):
                by_key.setdefault(found.key.lower(), []).append(found)
        spans = by_key.get(record.key.lower(), [])
        if not spans:
            appended.append(_block(record, newline))
            new_records.append(record)
            outcome.added.append(record.key)
            continue
        if not update:
            outcome.skipped.append((record.key, spans[0].line))
            continue
        if len(spans) > 1:
            lines = ", ".join(str(span.line) for span in spans)
            raise BibError(f"{record.key} is in the file {len(spans)} times (lines {lines}); keep one, then update", path=path)
        span = spans[0]
        if span.end is None:
            raise BibError(f"the entry {span.key} never closes its braces; fix it by hand, then update", path=path, line=span.line)
        start, with_comment = _comment_start(text, span)
        new = _block(record, newline, comment=with_comment).removesuffix(newline)
        text = text[:start] + new + text[span.end:]
        by_key = None
        outcome.replaced.append((record.key, span.line))
    if appended:
        if text and not text.endswith("\n"):
            text += newline
        if text and not text.endswith(("\n\n", "\r\n\r\n")):
            text += newline
        # entries taken from another .bib bring the definitions they use that the file lacks
        defined = {match.group(1).lower() for match in _STRING_START.finditer(text)}
        needed = Definitions(new_records, defined=defined, present=text)
        appended = [needed.before(position).replace("\n", newline) + block for position, block in enumerate(appended)]
        if needed.head:
            appended.insert(0, needed.head.replace("\n", newline))
        text += newline.join(appended)
    return text, outcome


def _block(record: Record, newline: str, *, comment: bool = True) -> str:
    return format_bibtex([record], comments=comment, definitions=False).replace("\n\n@", "\n@").replace("\n", newline)


def _comment_start(text: str, span: Span) -> tuple[int, bool]:
    """Where the replacement starts: at our provenance comment directly above the entry if
    it is there (it describes the entry being replaced), else at the entry's ``@``."""
    line_start = text.rfind("\n", 0, span.start) + 1
    if text[line_start: span.start].strip():
        return span.start, False
    if line_start == 0:
        return span.start, False
    previous_start = text.rfind("\n", 0, line_start - 1) + 1
    previous = text[previous_start: line_start].rstrip("\r\n")
    if re.match(rf"% {re.escape(span.key)}: first page \d+", previous):
        return previous_start, True
    return span.start, False


def add_to_file(path: str | Path, records: Sequence[Record], *, update: bool = False) -> Outcome:
    """Add ``records`` to the .bib file at ``path`` (created if missing), atomically.

    The file is locked while it is read and rewritten, so that two runs at once both
    add their entries, and is only rewritten when something changed; a file that cannot
    be read, is not UTF-8, or is write-protected is left exactly as it was.
    """
    from .files import MAX_BIBLIOGRAPHY_BYTES, update_file

    outcome = Outcome()

    def change(raw: bytes | None) -> str | None:
        nonlocal outcome
        text = "" if raw is None else _decode(raw, path)
        new_text, outcome = merge(text, records, update=update, path=path)
        return new_text if outcome.changed else None

    update_file(path, change, what=".bib file", limit=MAX_BIBLIOGRAPHY_BYTES, error=BibError)
    return outcome


def _decode(raw: bytes, path: str | Path) -> str:
    from .files import utf8_text

    return utf8_text(raw, path, error=BibError, bom=False, advice="opmlbib adds only to UTF-8 files (nothing changed)")
