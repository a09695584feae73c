"""Safe writes to the user's files: all or nothing, never a half-written file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import OutputError


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
