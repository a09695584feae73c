"""LaTeX ``.aux`` files → the citation keys a document uses, and the records they name.

LaTeX writes what a document cites into its ``.aux`` file:

* ``\\citation{a,b}`` for BibTeX (``\\nocite{*}`` becomes ``\\citation{*}``);
* ``\\abx@aux@cite{0}{key}`` for biblatex (``\\abx@aux@cite{key}`` in older versions),
  and ``\\abx@aux@nociteall`` for its ``\\nocite{*}``;
* ``\\@input{chap.aux}`` for each ``\\include``d file, whose own ``.aux`` holds that
  file's citations.  Included files are found relative to the main ``.aux``, as LaTeX
  writes them there; a file already read is not read again (no cycles).

Keys come out in citation order, each once; ``*`` stands where "everything" was asked for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import OpmlbibError
from .model import Record

ALL = "*"

_COMMAND = re.compile(
    r"\\citation\{(?P<bibtex>[^{}]*)\}"
    r"|\\abx@aux@cite\{(?P<first>[^{}]*)\}(?:\{(?P<second>[^{}]*)\})?"
    r"|\\@input\{(?P<input>[^{}]*)\}"
    r"|(?P<all>\\abx@aux@nociteall)(?![A-Za-z@])"
)
# Lines LaTeX itself writes to every .aux file; at least one must be there.
_AUX_LINE = re.compile(
    r"^\\(?:relax|citation|bibdata|bibstyle|bibcite|newlabel|gdef|providecommand|@input|@writefile"
    r"|@setckpt|abx@aux@|babel@aux|select@language|HyPL@|ttl@)",
    re.MULTILINE,
)
_SOURCE_LINE = re.compile(r"^\s*\\(?:documentclass|begin\{document\})", re.MULTILINE)


class AuxError(OpmlbibError):
    """An .aux file that cannot be read."""


@dataclass(frozen=True)
class Citations:
    """What an .aux file (with the files it includes) cites."""

    #: Cited keys in first-citation order, each once; :data:`ALL` where ``\\nocite{*}`` was.
    keys: tuple[str, ...]
    #: Included .aux files that do not exist (LaTeX skips them too, as not yet written).
    missing: tuple[Path, ...] = ()


def read_aux(path: str | Path) -> Citations:
    """The keys cited by the .aux file at ``path`` and the .aux files it includes."""
    main = Path(path)
    keys: dict[str, None] = {}
    missing: list[Path] = []
    seen: set[str] = set()

    def entries(file: Path, included: bool) -> Iterator[tuple[str, str]]:
        """What ``file`` cites and includes; nothing if it was read before or, included,
        does not exist."""
        resolved = os.path.realpath(file)
        if resolved in seen:
            return iter(())
        seen.add(resolved)
        if included and not file.exists():
            missing.append(file)
            return iter(())
        return iter(parse_aux(_read_text(file), file))

    # Depth first, as LaTeX reads them: an included file's citations come where it is
    # included.  A stack of the files being read, not recursion: a chain of inclusions
    # may be as long as there are files.
    reading = [entries(main, included=False)]
    while reading:
        for kind, value in reading[-1]:
            if kind == "cite":
                keys.setdefault(value, None)
            else:
                reading.append(entries(main.parent / value, included=True))
                break
        else:
            reading.pop()
    return Citations(tuple(keys), tuple(missing))


def parse_aux(text: str, path: str | Path | None = None) -> list[tuple[str, str]]:
    """The citations and inclusions of one .aux text, in order: ``("cite", key)`` and
    ``("input", file)`` pairs."""
    if not _AUX_LINE.search(text):
        if _SOURCE_LINE.search(text):
            raise AuxError("this is a LaTeX source file; give the .aux file LaTeX writes next to it", path=path)
        raise AuxError("not a LaTeX .aux file (none of the lines LaTeX writes there, such as \\relax or \\citation)", path=path)
    found: list[tuple[str, str]] = []
    for match in _COMMAND.finditer(text):
        if match.group("input") is not None:
            name = match.group("input").strip()
            if name:
                found.append(("input", name))
            continue
        if match.group("all") is not None:
            found.append(("cite", ALL))
            continue
        if match.group("bibtex") is not None:
            listed = match.group("bibtex")
        else:
            # Two arguments: {refsection}{key}; one: {key}.
            listed = match.group("second") if match.group("second") is not None else match.group("first")
        for key in listed.split(","):
            key = key.strip()
            if key:
                found.append(("cite", key))
    return found


def _read_text(path: Path) -> str:
    from .files import MAX_TEXT_BYTES, read_file

    data = read_file(path, what=".aux file", limit=MAX_TEXT_BYTES, error=AuxError)
    if b"\x00" in data:
        raise AuxError("binary data, not a LaTeX .aux file", path=path)
    # Keys are ASCII; anything else (labels in a legacy encoding) only needs to pass through.
    return data.decode("utf-8", errors="replace")


def select(records: Sequence[Record], keys: Iterable[str]) -> tuple[tuple[Record, ...], tuple[str, ...]]:
    """The records the keys name, in citation order and each once, and the keys that name
    no record.  :data:`ALL` brings in every record not cited before it, in library order.

    The ``crossref`` parents of the chosen records (and theirs, and the entries ``xdata``
    names) come along, after every record that refers to them, as bibtex needs them to be
    (a cited parent moves there too).
    """
    by_key = {record.key: record for record in records}
    chosen: dict[str, Record] = {}
    unknown: list[str] = []
    for key in keys:
        if key == ALL:
            for record in records:
                chosen.setdefault(record.key, record)
        elif key in by_key:
            chosen.setdefault(key, by_key[key])
        elif key not in unknown:
            unknown.append(key)
    return _with_parents(records, tuple(chosen.values())), tuple(unknown)


def _with_parents(records: Sequence[Record], chosen: tuple[Record, ...]) -> tuple[Record, ...]:
    by_lower = {record.key.lower(): record for record in records}
    parents: dict[str, Record] = {}
    queue = list(chosen)
    while queue:  # a parent's own parent too (biblatex's chains), and the entries xdata names
        record = queue.pop(0)
        for key in _referenced(record):
            parent = by_lower.get(key.lower())
            if parent is not None and parent is not record and parent.key not in parents:
                parents[parent.key] = parent
                queue.append(parent)
    if not parents:
        return chosen
    return tuple(record for record in chosen if record.key not in parents) + tuple(parents.values())


def _referenced(record: Record) -> list[str]:
    """The keys of the entries a record takes fields from: its crossref parent and the
    entries its xdata field names."""
    extra = dict(record.extra)
    keys = [extra.get("crossref", "").strip()]
    keys.extend(key.strip() for key in extra.get("xdata", "").split(","))
    return [key for key in keys if key]
