"""Search a .bib file without parsing it: an index of what search scores, kept in the
user's cache folder, and full parsing for the entries a query returns.

Every .bib file a command searches is read this way, whatever its size.  Building the
index reads the file once with :mod:`opmlbib.scan` (entry boundaries, keys, decoded
titles, authors and years), hands those fields to :func:`opmlbib.lookup.build_columns`,
the same function that indexes any record list, and writes the columns it returns to one
cache file, with each entry's key, place in the file and light fields (key, type, title,
authors, year).  A later search reads that file instead of the .bib file.

A query is ranked by :func:`opmlbib.lookup.search` over those columns, exactly as over a
whole library in memory: the records it returns come from :class:`Records`, which parses
an entry (:func:`opmlbib.bibtex.parse_bibtex`, with the file's @string definitions and its
crossref parent) only when it is asked for, or gives its light fields for a listing.  The
index holds no DOIs or URLs: a query that is one (:func:`opmlbib.lookup.identifier`)
parses in full the entries whose text contains it, and lookup decides among those.

The cache file is keyed by the .bib file's path and SHA-256, and by the code that wrote
it; when any of them changes, or the file does not validate (wrong magic, header, section
layout or CRC-32 of its contents), it is rebuilt.  A later search need not read the .bib
file to know it unchanged: as git does for its work tree, it compares the file's size,
times, inode and device with those recorded, which it trusts only for a file that had not
changed for a few seconds when it was indexed (:data:`_SETTLED_NS`); otherwise, or when
they differ, the SHA-256 decides.  The cache file is written to a temporary file and
renamed, so a reader never sees half a file and concurrent writers cannot corrupt it.  A
cache that cannot be written is not an error: the index is then rebuilt at the next search.

Files the scanner does not read exactly (:class:`opmlbib.scan.Unsupported`) are parsed
in full instead.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Union

from .errors import BibError, BibWarning, OpmlbibError

if TYPE_CHECKING:
    from pathlib import Path

    from .lookup import Columns, Row
    from .model import Record
    from .scan import Decoder, Entry

#: Version of the cache file layout.
FORMAT = 4
_MAGIC = b"opmlbib index\n"
# Modules whose code decides what an index holds: a change to any of them rebuilds indexes.
_CODE = ("index.py", "scan.py", "bibtex.py", "lookup.py", "names.py", "model.py")
# Separators inside text sections; a file containing them is not indexed.
_ITEM, _FIELD, _AUTHOR, _PART = "\x00", "\x1d", "\x1e", "\x1f"

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------- the index


class _Source:
    """The .bib file as one command reads it: its stamp (:func:`_stamp`) when first looked
    at, and its bytes and SHA-256, read when first needed (a search the cache answers needs
    neither).  A command sees one version of the file: bytes read later than the stamp
    was taken must come with the same stamp."""

    def __init__(self, path: Path, info: os.stat_result, seen_ns: int, data: bytes | None = None) -> None:
        import stat

        self.path = path
        self.stamp = _stamp(info)
        self.regular = stat.S_ISREG(info.st_mode)
        # changed long enough before it was looked at for a later change to show in its times
        self.settled = self.regular and max(info.st_mtime_ns, info.st_ctime_ns) < seen_ns - _SETTLED_NS
        if data is not None:
            self.data = data

    @functools.cached_property
    def data(self) -> bytes:
        data, info = _read_now(self.path)
        if _stamp(info) != self.stamp:
            raise BibError("the file changed while it was read: run the command again", path=self.path)
        return data

    @functools.cached_property
    def sha256(self) -> str:
        import hashlib

        return hashlib.sha256(self.data).hexdigest()

    def settle(self) -> None:
        """Look at the file again, as its index is written (building one takes a while):
        if it has by now gone unchanged long enough and still holds the bytes read, its
        stamp stands for them after all."""
        if self.settled or not self.regular:
            return
        try:
            again = read_source(self.path)
            self.settled = again.settled and again.stamp == self.stamp and again.sha256 == self.sha256
        except OpmlbibError:  # gone, or changed while read: the next command looks again
            pass

    def identity(self) -> dict:
        """What a cache built from this file records of it: the stamp only when the file
        had settled (:data:`_SETTLED_NS`), so that the stamp stands for these bytes."""
        return {"path": str(self.path), "stamp": self.stamp if self.settled else None, "sha256": self.sha256}

    def is_described_by(self, identity: dict) -> bool:
        """Whether the file is the one ``identity`` (:meth:`identity`) describes: by its
        stamp if one was recorded and the file still has it, else by its SHA-256."""
        if identity.get("path") != str(self.path):
            return False
        if self.regular and identity.get("stamp") == self.stamp:
            return True
        return identity.get("sha256") == self.sha256


#: How long before a command looks at a .bib file it must have last changed for its stamp
#: to stand for its content: a file written again within one tick of the file system's
#: clock (some keep times to two seconds) can keep its size and times.  The content of a
#: file changed more recently is checked by its SHA-256, as is that of a file whose stamp
#: is not the one recorded.
_SETTLED_NS = 3_000_000_000


def _read_now(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of the .bib file at ``path``, and its status just after they were read."""
    from .files import MAX_BIBLIOGRAPHY_BYTES, read_file

    data = read_file(path, what="bibliography", limit=MAX_BIBLIOGRAPHY_BYTES, error=BibError)
    try:
        return data, os.stat(path)
    except OSError as exc:
        raise BibError(f"cannot read the bibliography: {exc.strerror or exc}", path=path) from None


def _stamp(info: os.stat_result) -> list[int]:
    """What tells a file unchanged without reading it, as git tells its work tree's files:
    size, modification and change times, inode and device (the change time cannot be set
    back by a tool that restores the modification time)."""
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


class Index:
    """The index of one .bib file: per entry its key, place in the file and light fields, and
    the folded fields lookup scores, with unique words and names listed once."""

    def __init__(self, source: _Source, sections: _Sections) -> None:
        self.source = source
        self._s = sections

    @property
    def keys(self) -> list[str]:
        return self._s.texts("key")

    def __len__(self) -> int:
        return len(self._s.numbers("line"))

    # --------------------------------------------------------------- search

    @functools.cached_property
    def columns(self) -> Columns:
        """What :mod:`opmlbib.lookup` scores, as the index keeps it (each field read when
        first used)."""
        from .lookup import Columns, Field

        s = self._s

        def load(name: str) -> Field:
            return Field(str(s.blob(name), "utf-8"), s.numbers(f"{name}.starts"), s.numbers(f"{name}.offsets"),
                         s.numbers(f"{name}.owners"), s.numbers(f"{name}.placed") if f"{name}.placed" in s else None)

        return Columns(None, load=load, sorted_keys=(s.texts("key.sorted"), s.numbers("key.order")))

    def warn_as_read(self) -> None:
        """Give the warnings the full reader gives for the entries that do not parse (or
        have a field twice), as reading the whole file would: reading them gives them."""
        for position in self._s.numbers("warned"):
            self.record(position)

    def view(self, *, full: bool = True) -> Records:
        """The entries as a sequence of records for :mod:`opmlbib.lookup`, each read when
        first used: in full (:meth:`record`), or light (:meth:`light`)."""
        return Records(self, self.record if full else self.light)

    def with_key(self, lowered: str) -> list[int]:
        """Positions of the entries whose lower-case key is ``lowered``."""
        return [position for position, _ in self.columns.with_key(lowered, prefix=False)]

    def holding(self, wanted: str) -> list[int]:
        """Positions of the entries whose text holds the DOI, URL or arXiv number ``wanted``
        (as :func:`opmlbib.lookup.identifier` writes it) written in any case: the index
        keeps no identifiers, so the file's text is searched for the longest piece of it
        that a .bib file cannot have escaped (``_`` is often written ``\\_``)."""
        import re
        from bisect import bisect_right

        pieces = re.split(r"[\\%#_&~{}$^]", wanted.partition(":")[2])
        needle = max(pieces, key=len).encode("utf-8")
        if not needle:
            return []
        data = self.source.data.lower()
        starts, ends = self._s.numbers("start"), self._s.numbers("end")
        found: dict[int, None] = {}
        offset = data.find(needle)
        while offset >= 0:
            position = bisect_right(starts, offset) - 1
            if position >= 0 and offset < ends[position]:
                found[position] = None
            offset = data.find(needle, offset + 1)
        return list(found)

    # --------------------------------------------------------------- records

    def light(self, position: int) -> Record:
        """The entry as a record with only what search reads: key, title, authors, year."""
        from .model import Author, Record, Venue

        s = self._s
        offsets = s.numbers("light.offsets")
        light = str(s.blob("light")[offsets[position]: offsets[position + 1]], "utf-8")
        key, entry_type, title, people = light.split(_FIELD)
        authors = tuple(
            Author(given=given, family=family, von=von, suffix=suffix)
            for given, von, family, suffix in (person.split(_PART) for person in people.split(_AUTHOR) if person)
        )
        year = s.numbers("year")[position]
        return Record(
            title=title,
            authors=authors,
            venue=Venue(booktitle="", year=None if year < 0 else year),
            key=key,
            entry_type=entry_type,
            line=s.numbers("line")[position],
        )

    def record(self, position: int) -> Record:
        """The entry parsed in full, exactly as parsing the whole file gives it (with the
        fields it inherits through its crossref, from a parent's parent too)."""
        from dataclasses import replace

        from .errors import warn

        line = self._s.numbers("line")[position]
        record, caught, own = self._parse([position])
        chain = self._crossref_chain(position, _crossref(record))
        if len(chain) > 1:  # read again with its parents
            record, caught, own = self._parse(chain)
        for warning in caught:  # located in the snippet: say where the entry is in the file
            message = warning.message
            if isinstance(message, BibWarning):
                if message.line is None or own(message.line):  # what is wrong in a parent is its to say
                    warn(message.message, path=self.source.path, line=line)
            else:
                warnings.warn_explicit(message, warning.category, warning.filename, warning.lineno)
        return replace(record, line=line)

    def _parse(self, chain: list[int]) -> tuple[Record, list[warnings.WarningMessage], Callable[[int], bool]]:
        """The first entry of ``chain`` parsed with the others (its crossref parents): the
        file's preambles, then its @string definitions and the entries of the chain in file
        order (each entry after the definitions before it in the file, so its macros read
        as they read there), then the definitions after them (so the record's file has all
        of them, as the full reading's has).  Also the warnings given, and which lines of
        the snippet are the entry's own: up to its end, but none of a parent's."""
        from .bibtex import parse_bibtex

        s = self._s
        strings, defined, starts = s.texts("strings"), s.numbers("defined"), s.numbers("start")
        parts = list(s.texts("preambles"))
        lines = sum(part.count("\n") + 1 for part in parts)  # the snippet's lines so far (parts joined by newlines)
        spans: dict[int, tuple[int, int]] = {}  # each entry of the chain → its first and last line in the snippet
        cursor = 0
        for member in sorted(chain, key=starts.__getitem__):  # file order
            for block in strings[cursor: defined[member]]:
                parts.append(block)
                lines += block.count("\n") + 1
            cursor = max(cursor, defined[member])
            text = self._text(member)
            parts.append(text)
            spans[member] = (lines + 1, lines + 1 + text.count("\n"))
            lines += text.count("\n") + 1
        parts.extend(strings[cursor:])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", BibWarning)
            try:
                records = parse_bibtex("\n".join(parts), path=self.source.path)
            except BibError as exc:  # located in the snippet: say where the entry is in the file
                raise BibError(exc.message, path=self.source.path, line=s.numbers("line")[chain[0]]) from None
        key = self.keys[chain[0]]
        record = next((record for record in records if record.key.lower() == key.lower()), None)
        if record is None:  # the scanner found the entry as the full reader finds it: not expected
            raise BibError(f"{key}: the entry cannot be read on its own", path=self.source.path,
                           line=s.numbers("line")[chain[0]])
        last = spans[chain[0]][1]
        parents = [spans[member] for member in chain[1:]]

        def own(line: int) -> bool:
            return line <= last and not any(first <= line <= end for first, end in parents)

        return record, caught, own

    def _crossref_chain(self, position: int, parent: str) -> list[int]:
        """The entry, its crossref ``parent``, the parent's parent and so on, as far as the
        file has them (each parent read alone for its own crossref field)."""
        chain = [position]
        while parent:
            found = [other for other in self.with_key(parent) if other not in chain]
            if not found:
                break
            chain.append(found[0])
            try:
                parent = _crossref(self._parse([found[0]])[0])  # its warnings are its own
            except OpmlbibError:
                break  # the full reading says what is wrong
        return chain

    def _text(self, position: int) -> str:
        s = self._s
        return self.source.data[s.numbers("start")[position]: s.numbers("end")[position]].decode("utf-8")


def _crossref(record: Record) -> str:
    """The key a record names as its crossref parent, lower-case; empty for none."""
    return dict(record.extra).get("crossref", "").strip().lower()


class Records(Sequence):
    """An index's entries as a sequence of records, each read when first asked for, with
    the index's :attr:`Index.columns` (which :func:`opmlbib.lookup.columns` uses as they are)."""

    def __init__(self, index: Index, read: Callable[[int], Record]) -> None:
        self.columns = index.columns
        self._read = read
        self._length = len(index)
        self._read_already: dict[int, Record] = {}

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, position):  # positions only, no slices
        record = self._read_already.get(position)
        if record is None:
            if not -self._length <= position < self._length:
                raise IndexError(position)
            record = self._read_already[position] = self._read(position % self._length)
        return record


# ----------------------------------------------------------------- building


def _read(source: _Source, text: str, fields: tuple[str, ...], scanned: Callable[[int, int], None] | None = None):
    """Scan ``source`` (its ``text``): the sections that read any entry in full later (where
    it is, what it reads before it), the decoder, and each entry with its wanted ``fields``
    (macros resolved, crossref inherited).  ``scanned`` is told (characters done, characters)."""
    import codecs

    from .scan import Decoder, Unsupported, scan

    if any(separator in text for separator in (_ITEM, _FIELD, _AUTHOR, _PART)):
        raise Unsupported("control characters in the file")
    bom = 3 if source.data.startswith(codecs.BOM_UTF8) else 0
    length = len(text)
    result = scan(text, fields, progress=None if scanned is None else lambda offset: scanned(offset, length))
    entries = result.entries
    to_bytes = _ByteOffsets(text, bom)
    starts, ends = array("q"), array("q")
    for entry in entries:
        starts.append(to_bytes(entry.start))
        ends.append(to_bytes(entry.end))
    del text, to_bytes
    keys = [entry.key for entry in entries]
    lowered = [key.lower() for key in keys]
    order = sorted(range(len(lowered)), key=lowered.__getitem__)
    sections: dict[str, Section] = {
        "key": keys, "key.sorted": [lowered[i] for i in order], "key.order": array("i", order),
        "start": starts, "end": ends, "line": array("i", (entry.line for entry in entries)),
        "defined": array("i", (entry.defined for entry in entries)),
        "strings": result.string_blocks, "preambles": result.preambles, "warned": array("i", result.warned),
    }
    decoder = Decoder(result.strings)
    try:
        decoder.define_all()
        decoder.inherit(entries)
    except OpmlbibError as exc:
        raise BibError(exc.message, path=source.path) from None
    return sections, decoder, entries


def _fields(source: _Source, decoder: Decoder, entries: list[Entry]) -> Iterator[tuple[Entry, dict[str, str]]]:
    """Each entry with its search fields, the entries list emptied as it goes (memory)."""
    entries.reverse()
    position = 0
    while entries:
        entry = entries.pop()
        try:
            yield entry, decoder.fields(position, entry)
        except OpmlbibError as exc:
            raise BibError(f"{entry.key}: {exc.message}", path=source.path, line=entry.line) from None
        position += 1


# Progress of building an index, in thousandths: scanning is the first 30 %.
_DONE, _SCANNING = 1000, 300


def build(source: _Source, progress: Progress | None = None) -> Index:
    """Scan ``source`` and derive every section of its index (raises Unsupported)."""
    from .files import utf8_text
    from .lookup import FIELDS, build_columns
    from .scan import SEARCH_FIELDS

    def scanned(done: int, length: int) -> None:
        if progress is not None:
            progress(done * _SCANNING // max(length, 1), _DONE)

    text = utf8_text(source.data, source.path, error=BibError)
    sections, decoder, entries = _read(source, text, SEARCH_FIELDS, scanned if progress else None)
    del text
    light, light_offsets, years = bytearray(), array("q", [0]), array("i")
    with warnings.catch_warnings():  # what the full reader warns of, it warns of when it reads the entry
        warnings.simplefilter("ignore", BibWarning)
        columns = build_columns(_rows(source, decoder, entries, (light, light_offsets, years), progress))
    del decoder, entries
    sections.update({"light": bytes(light), "light.offsets": light_offsets, "year": years})
    del light
    for name in FIELDS:
        field = columns.field(name)
        sections[name], sections[f"{name}.starts"], sections[f"{name}.offsets"], sections[f"{name}.owners"] = (
            field.joined.encode("utf-8"), array("q", field.starts), array("i", field.offsets), array("i", field.owners))
        if field.placed is not None:
            sections[f"{name}.placed"] = array("i", field.placed)
    if progress is not None:
        progress(_DONE, _DONE)
    return Index(source, _Sections(sections))


def _rows(source: _Source, decoder: Decoder, entries: list[Entry], light: tuple[bytearray, array, array],
          progress: Progress | None) -> Iterator[Row]:
    """Each entry's key, title and authors (rows for lookup's columns), as it adds the
    entry's light fields to ``light`` (their bytes, where each entry's end, its year)."""
    blob, offsets, years = light
    count = max(len(entries), 1)
    step = max(count // 100, 1)
    for position, (entry, own) in enumerate(_fields(source, decoder, entries)):
        try:
            title = decoder.title(own)
            authors = decoder.authors(own)
            year = decoder.year(own)
        except OpmlbibError as exc:
            raise BibError(f"{entry.key}: {exc.message}", path=source.path, line=entry.line) from None
        written = _AUTHOR.join(_PART.join((a.given, a.von, a.family, a.suffix)) for a in authors)
        blob += _FIELD.join((entry.key, entry.entry_type.lower(), title, written)).encode("utf-8")
        offsets.append(len(blob))
        years.append(-1 if year is None else year)
        if progress is not None and position % step == 0:
            progress(_SCANNING + (_DONE - _SCANNING) * position // count // 2, _DONE)
        yield entry.key, title, authors


def titles(source: _Source, text: str) -> tuple[Index, list[Record]]:
    """A .bib file (``source``, its ``text``) read for finding papers in it: its entries as
    records of their key, line, title, DOI and URL only (what
    :func:`opmlbib.lookup.papers_like` looks candidates up by), and an index that reads any
    entry in full (:meth:`Index.record`) but searches nothing.  Raises
    :class:`opmlbib.scan.Unsupported` as :func:`build` does."""
    from .bibtex import read_doi, read_verbatim
    from .model import Record, Venue

    sections, decoder, entries = _read(source, text, ("title", "doi", "url", "crossref"))
    records: list[Record] = [
        Record(title=decoder.title(own), authors=(), venue=Venue(booktitle=""), key=entry.key, line=entry.line,
               doi=read_doi(own.get("doi")), url=read_verbatim(own.get("url")))
        for entry, own in _fields(source, decoder, entries)
    ]
    return Index(source, _Sections(sections)), records


class _ByteOffsets:
    """Turns increasing character offsets of the decoded text into byte offsets of the file."""

    def __init__(self, text: str, bom: int) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.bom = bom
        self.char = 0
        self.byte = bom

    def __call__(self, offset: int) -> int:
        if self.ascii:
            return offset + self.bom
        if offset < self.char:  # offsets come in order; start afresh otherwise
            self.char, self.byte = 0, self.bom
        self.byte += len(self.text[self.char: offset].encode("utf-8"))
        self.char = offset
        return self.byte


# ------------------------------------------------------------- the cache file


def _code_version() -> str:
    import hashlib

    from . import __version__

    digest = hashlib.sha256(f"{FORMAT} {__version__}".encode())
    here = os.path.dirname(__file__)
    for name in _CODE:
        try:
            with open(os.path.join(here, name), "rb") as handle:
                digest.update(handle.read())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()


def cache_path(path: Path) -> Path:
    """The cache file of the .bib file at ``path`` (absolute)."""
    import hashlib

    name = hashlib.sha256(os.fsencode(path)).hexdigest()[:32]
    from .cache import cache_dir

    return cache_dir() / "bib" / f"{name}.index"


#: What a section holds: text items, numbers, or bytes (read back: a view of the cache file).
Section = Union[list[str], array, bytes, memoryview]


def _encode(sections: dict[str, Section]) -> tuple[list, list[bytes]]:
    """The layout (name, kind, offset, length, CRC-32) of each section, and the sections' bytes."""
    import zlib

    layout, chunks, offset = [], [], 0
    for name, value in sections.items():
        kind: str
        if isinstance(value, array):
            blob, kind = value.tobytes(), value.typecode
        elif isinstance(value, (bytes, memoryview)):
            blob, kind = bytes(value), "bytes"
        else:
            blob, kind = _ITEM.join(value).encode("utf-8"), f"text:{len(value)}"
        layout.append([name, kind, offset, len(blob), zlib.crc32(blob)])
        chunks.append(blob)
        offset += len(blob)
    return layout, chunks


class _Sections:
    """An index's named sections: given as built, or decoded from a cache file's payload
    when first used (a search reads a few of them).

    A section read from the payload is checked against its CRC-32 first, so that a search
    reads (and the system pages in) only the sections it uses.  Should one not match (the
    cache file was damaged on disk), ``remake`` gives all sections again, made from the
    file the cache describes: equal to what the cache held, so what was already read
    stays true."""

    def __init__(self, values: dict[str, Section] | None = None, layout: list | None = None,
                 payload: bytes | memoryview = b"", remake: Callable[[], dict[str, Section]] | None = None) -> None:
        self.values: dict[str, Section] = dict(values or {})
        self.payload = payload
        self.remake = remake
        self.layout: dict[str, tuple[str, int, int, int]] = {}
        for name, kind, offset, length, checksum in layout or ():
            if not all(isinstance(number, int) for number in (offset, length, checksum)):
                raise ValueError("section bounds are not numbers")
            if not 0 <= offset <= offset + length <= len(payload):
                raise ValueError("section out of bounds")
            if kind not in ("i", "q", "bytes") and not (isinstance(kind, str) and kind.startswith("text:") and kind[5:].isdigit()):
                raise ValueError(f"unknown section kind {kind!r}")
            self.layout[name] = (kind, offset, length, checksum)

    def _get(self, name: str) -> Section:
        import zlib

        value = self.values.get(name)
        if value is None:
            kind, offset, length, checksum = self.layout[name]
            blob = self.payload[offset: offset + length]
            if zlib.crc32(blob) != checksum:
                assert self.remake is not None  # only sections read from a cache file are checked
                self.values, self.layout, self.payload = self.remake(), {}, b""
                return self.values[name]
            if kind == "bytes":
                value = blob  # a view: what is read of it is read alone
            elif kind in ("i", "q"):
                value = array(kind)
                value.frombytes(blob)
            else:
                # the section's checksum matched, so the item count does too
                value = str(blob, "utf-8").split(_ITEM) if int(kind[5:]) else []
            self.values[name] = value
        return value

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.layout

    def texts(self, name: str) -> list[str]:
        value = self._get(name)
        assert isinstance(value, list), name
        return value

    def numbers(self, name: str) -> array:
        value = self._get(name)
        assert isinstance(value, array), name
        return value

    def blob(self, name: str) -> bytes | memoryview:
        value = self._get(name)
        assert isinstance(value, (bytes, memoryview)), name
        return value


def write_cache(index: Index, target: Path) -> bool:
    """Write ``index`` to ``target`` atomically; False if the cache folder is not writable."""
    import json

    layout, chunks = _encode(index._s.values)
    header = json.dumps(
        {
            "format": FORMAT,
            "code": _code_version(),
            "byteorder": sys.byteorder,
            "source": index.source.identity(),
            "sections": layout,
        }
    ).encode()
    from .files import write_cache_file

    return write_cache_file(target, [_MAGIC, len(header).to_bytes(8, "little"), header, *chunks])


def read_cache(source: _Source, target: Path) -> Index | None:
    """The index in ``target`` if it was built from this very ``source`` by this code.

    The file is mapped into memory, not read: a search decodes (and checks, see
    :class:`_Sections`) only the sections it uses.  Cache files are only ever replaced
    whole (renamed over), never changed in place, so the mapping keeps the file as it was
    when opened."""
    import json
    import mmap

    try:
        with open(target, "rb") as handle:
            blob = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # no such file, or an empty one
        return None
    try:
        if blob[: len(_MAGIC)] != _MAGIC:
            return None
        start = len(_MAGIC) + 8
        size = int.from_bytes(blob[len(_MAGIC): start], "little")
        header = json.loads(blob[start: start + size])
        if (
            not isinstance(header, dict)
            or header.get("format") != FORMAT
            or header.get("byteorder") != sys.byteorder
            or header.get("code") != _code_version()
            or not isinstance(header.get("source"), dict)
            or not source.is_described_by(header["source"])
        ):
            return None
        payload = memoryview(blob)[start + size:]
        return Index(source, _Sections(layout=header["sections"], payload=payload,
                                       remake=lambda: _made(source, target)._s.values))
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        return None


def read_source(path: str | Path) -> _Source:
    """The .bib file at ``path`` as a command first sees it: a regular file is read only
    when its bytes are needed."""
    import time
    from pathlib import Path

    from .files import MAX_BIBLIOGRAPHY_BYTES

    path = Path(path).absolute()
    seen_ns = time.time_ns()
    try:
        info = os.stat(path)
    except OSError:
        info = None
    if info is not None:
        source = _Source(path, info, seen_ns)
        if source.regular and info.st_size <= MAX_BIBLIOGRAPHY_BYTES and os.access(path, os.R_OK):
            return source
    # a pipe or device, read now; or what read_file refuses, as it says
    data, info = _read_now(path)
    source = _Source(path, info, seen_ns, data)
    source.settled = False  # a stamp taken after the bytes were read does not vouch for them
    return source


def _made(source: _Source, target: Path, progress: Progress | None = None) -> Index:
    """The index of ``source``, built, and cached in ``target``."""
    from .collector import paused

    with paused():  # building makes millions of small objects, and no cycles
        index = build(source, progress)
    source.settle()
    write_cache(index, target)
    return index


def open_index(path: str | Path, progress: Progress | None = None) -> Index:
    """The index of the .bib file at ``path``: from the cache if it is current, else built
    (and cached).  Raises :class:`opmlbib.scan.Unsupported` for files only the full parser
    reads exactly, and :class:`BibError` for files that are not UTF-8 or have a broken
    title, author or year."""
    source = read_source(path)
    target = cache_path(source.path)
    return read_cache(source, target) or _made(source, target, progress)


