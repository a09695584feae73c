"""The user's cache folder, and the built-in proceedings' records remembered in it.

Reading the embedded table of contents and facts takes longer than the rest of a command;
the records they make are kept in the cache folder (``records/NAME.marshal``) until those
files or the code that reads them change.  Indexes of large .bib files live there too
(:mod:`opmlbib.index`).  A cache is a convenience, never an error: one that cannot be
written or read back is made anew.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from .model import Record

#: Environment variable naming the cache folder (tests point it at a temporary one).
CACHE_ENV = "OPMLBIB_CACHE_DIR"
#: Version of the records cache's layout.
RECORDS_FORMAT = 2


def cache_dir() -> Path:
    """Where opmlbib keeps caches: ``$OPMLBIB_CACHE_DIR``, else the user's cache folder as
    platformdirs finds it: ``$XDG_CACHE_HOME/opmlbib`` where that is set to an absolute
    path (on Linux and macOS), else ``~/.cache/opmlbib`` on Linux, ``~/Library/Caches/opmlbib``
    on macOS, ``%LOCALAPPDATA%\\opmlbib\\Cache`` on Windows."""
    from pathlib import Path

    return Path(_cache_folder())


def _cache_folder() -> str:
    """:func:`cache_dir` as a string."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return explicit
    import platformdirs

    return platformdirs.user_cache_dir("opmlbib", appauthor=False)


# ------------------------------------------------------------- cached records


def cached_records(name: str, inputs: Sequence[str | Path], build_records: Callable[[], tuple[Record, ...]]) -> tuple[Record, ...]:
    """``build_records()``, remembered in the cache folder until ``inputs`` (the files they
    are made from) or the code that makes them change.

    Nothing is cached if an input cannot be read (the package is in a zip file, say).
    """
    here = os.path.dirname(__file__)
    try:
        # size and modification time of each file (reading them would cost what is saved)
        stamps = [(str(path), *_stamp(path)) for path in (*inputs, *(os.path.join(here, module) for module in _RECORD_CODE))]
    except OSError:
        return build_records()
    key = _records_key(stamps)
    target = os.path.join(_cache_folder(), "records", f"{name}.marshal")
    records = _read_records(target, key)
    if records is None:
        records = build_records()
        from .files import write_cache_file

        write_cache_file(target, [_dump_records(key, records)])
    return records


# Modules whose code decides what cached records hold.
_RECORD_CODE = ("cache.py", "model.py", "library.py", "toc.py", "facts.py", "bibtex.py", "names.py")


def _stamp(path: str | Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns


# A records cache file is one header line, the CRC-32 of the payload (eight hex digits),
# a space and the key, then the payload: the records as :func:`_plain` gives them, in
# marshal, the format of Python's compiled modules, which the interpreter reads far
# faster than JSON.  As for compiled modules, the payload is read only once the header
# matches; the key names the Python version, whose marshal format it is.


def _records_key(stamps: list) -> str:
    from . import __version__

    return repr((RECORDS_FORMAT, __version__, sys.version, stamps))


def _dump_records(key: str, records: tuple[Record, ...]) -> bytes:
    import marshal
    import zlib

    payload = marshal.dumps(_plain(records))
    return b"%08x %s\n" % (zlib.crc32(payload), key.encode("utf-8")) + payload


def _read_records(target: str | Path, key: str) -> tuple[Record, ...] | None:
    import marshal
    import zlib

    from .model import Record

    try:
        with open(target, "rb") as handle:
            blob = handle.read()
        header, _, payload = blob.partition(b"\n")
        if header[9:] != key.encode("utf-8") or header[:9] != b"%08x " % zlib.crc32(payload):
            return None
        records = _typed(marshal.loads(payload))
    except (OSError, ValueError, TypeError, KeyError, AttributeError, EOFError, IndexError):
        return None
    if not isinstance(records, tuple) or not all(isinstance(record, Record) for record in records):
        return None
    return records


def _plain(value):
    """Records as plain data: each model object (a dataclass or a named tuple) as a list of
    its class name and the values of the fields it is made from, in field order, an enum member as a list of its class name and its name, a
    tuple as a tuple."""
    import dataclasses
    import enum

    if dataclasses.is_dataclass(value):
        made_from = (f for f in dataclasses.fields(value) if f.init)
        return [type(value).__name__, *(_plain(getattr(value, f.name)) for f in made_from)]
    if isinstance(value, enum.Enum):
        return [type(value).__name__, value.name]
    if isinstance(value, tuple) and hasattr(type(value), "_fields"):  # a named tuple
        return [type(value).__name__, *(_plain(item) for item in value)]
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _typed(value):
    """The inverse of :func:`_plain`."""
    import enum

    from . import model

    # the model's own classes only
    kinds = {name: cls for name, cls in vars(model).items() if isinstance(cls, type) and cls.__module__ == model.__name__}

    def typed(value):
        kind = type(value)
        if kind is tuple:
            return tuple([typed(item) for item in value])
        if kind is list:
            cls = kinds[value[0]]
            if isinstance(cls, enum.EnumMeta):
                (name,) = value[1:]
                return cls[name]
            return cls(*[typed(item) for item in value[1:]])
        return value

    return typed(value)
