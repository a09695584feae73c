"""The user's files: read within a size limit, and written all or nothing.

Reading.  :func:`read_file` reads at most a set number of bytes, from a regular file, a
pipe or a device alike, so that a huge file or ``/dev/zero`` is refused at once instead
of being read until memory runs out:

* a bibliography (``--bib``, ``add --to``): :data:`MAX_BIBLIOGRAPHY_BYTES`, 128 MiB;
* a table of contents, a facts file (``--meta``), each ``.aux`` file:
  :data:`MAX_TEXT_BYTES`, 16 MiB;
* a style: ``opmlbib.styles.MAX_STYLE_BYTES``, 2 MiB.

Writing never leaves a half-written file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import OpmlbibError, OutputError

#: The most opmlbib reads of a bibliography (a .bib or CSL-JSON file).
MAX_BIBLIOGRAPHY_BYTES = 128 << 20
#: The most opmlbib reads of a table of contents, a facts file or one .aux file.
MAX_TEXT_BYTES = 16 << 20

_OPEN = os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
_CHUNK = 1 << 20


# ----------------------------------------------------------------------- reading


def read_file(path: str | Path, *, what: str, limit: int, error: type[OpmlbibError] = OpmlbibError) -> bytes:
    """The bytes of the file at ``path`` (a regular file, a pipe or a device), if there are
    at most ``limit`` of them.  A larger file, a folder and a file that cannot be read are
    refused with ``error``, in whose messages the file is called the ``what``."""
    try:
        fd = os.open(path, os.O_RDONLY | _OPEN)
    except OSError as exc:
        raise error(f"cannot read the {what}: {_reason(exc)}", path=path) from None
    try:
        return _read(fd, path, what=what, limit=limit, error=error)
    finally:
        os.close(fd)


def _read(fd: int, path: str | Path, *, what: str, limit: int, error: type[OpmlbibError]) -> bytes:
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"is a folder, not a {what}", path=path)
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise error(_too_large(f"{info.st_size:,} bytes", what, limit), path=path)
        # A regular file is read in one call (its size, and one byte more to see its end).
        wanted = info.st_size + 1 if stat.S_ISREG(info.st_mode) else _CHUNK
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(max(wanted - size, _CHUNK), limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(f"cannot read the {what}: {_reason(exc)}", path=path) from None
    if size > limit:
        raise error(_too_large(f"over {limit:,} bytes", what, limit), path=path)
    return b"".join(chunks)


def _too_large(size: str, what: str, limit: int) -> str:
    return f"the file is {size} long; opmlbib reads a {what} of up to {limit:,} bytes ({limit >> 20} MiB)"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# ----------------------------------------------------------------------- writing


def atomic_write(path: str | Path, text: str, *, replace_existing: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder and a
    rename, so a reader sees the old file or the new one and nothing in between.

    An existing file is replaced only with ``replace_existing``; it keeps its mode.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError("is a folder, not a file", path=path)
    if not folder.is_dir():
        raise OutputError(f"the folder {str(folder)!r} does not exist", path=path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        exists = True
    except FileNotFoundError:
        exists = False
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as exc:
        raise OutputError(f"cannot inspect the file: {exc.strerror or exc}", path=path) from None
    if exists and not replace_existing:
        raise OutputError("already exists; use --force to replace it", path=path)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write in {str(folder)!r}: {exc.strerror or exc}", path=path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        _before_rename(temp)
        if not replace_existing and path.exists():
            raise OutputError("already exists; use --force to replace it", path=path)
        os.replace(temp, path)
    except BaseException as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the file: {exc.strerror or exc}", path=path) from None
        raise


def _before_rename(temp: str) -> None:
    """A seam for tests that interrupt a write after the temporary file is complete."""
