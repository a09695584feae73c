"""The user's files: read within a size limit, and written so that no work is lost.

Reading.  :func:`read_file` reads at most a set number of bytes, from a regular file, a
pipe or a device alike, so that a huge file or ``/dev/zero`` is refused at once instead
of being read until memory runs out:

* a bibliography (``--bib``, ``add --to``): :data:`MAX_BIBLIOGRAPHY_BYTES`, 128 MiB;
* a table of contents, a facts file (``--meta``), each ``.aux`` file:
  :data:`MAX_TEXT_BYTES`, 16 MiB;
* a style: ``opmlbib.styles.MAX_STYLE_BYTES``, 2 MiB.

Writing, as careful Unix tools write (``sponge``, ``install``, ``flock``):

* A new file is created exclusively: written in full under a temporary name in its
  folder, then linked to its own name, which fails if another program created it in
  the meantime (``-o FILE`` then refuses, as it would have at the start).
* An existing regular file is locked (``flock``) for the whole read-modify-write, so
  that another opmlbib (or ``flock FILE command``) waits for it.  Just before it is
  written, the file must still be the one read (same inode, size, modification and
  change times); if a program that does not lock changed it meanwhile, the work starts
  again from the changed file.
* New text that only adds to the end of the file (``add``) is appended to the file
  itself, as mail is delivered to an mbox file: the bytes there are never rewritten, a
  program appending at the same time loses nothing, and a failed append is cut back.
* Other new text replaces the file through a temporary file and a rename, with the old
  file's mode, owner and group.  A file with more than one hard link, or whose owner and
  group the new file cannot be given (another user's file that we may write), is
  written in place instead, as vim does it: the links and the owner stay.  Space is
  reserved first.
* Appending and writing in place hold back catchable signals until they are done.
* A FIFO or a character device (a pipe, ``/dev/null``, a terminal) is written into,
  never replaced; anything else that is not a regular file is refused.
* Temporary files go on any error and, once
  :func:`opmlbib.interrupt.remove_temporaries_on_signals` has been called, on every signal
  that would end the process (SIGINT, SIGTERM, SIGHUP...).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from .errors import OpmlbibError, OutputError
from .interrupt import TEMPORARIES, signals_held

if TYPE_CHECKING:
    from pathlib import Path

#: The most opmlbib reads of a bibliography (a .bib or CSL-JSON file).
MAX_BIBLIOGRAPHY_BYTES = 128 << 20
#: The most opmlbib reads of a table of contents, a facts file or one .aux file.
MAX_TEXT_BYTES = 16 << 20

_OPEN = os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
_CHUNK = 1 << 20
# How often a write starts again because the file changed underneath, at most.
_ATTEMPTS = 100


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


def utf8_text(data: bytes, path: str | Path | None, *, error: type[OpmlbibError] = OpmlbibError,
              bom: bool = True, advice: str = "save the file as UTF-8") -> str:
    """``data`` as UTF-8 text (a leading byte-order mark dropped where ``bom``); anything
    else is refused with the line, offset and value of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); {advice}",
                    path=path, line=line) from None


def _too_large(size: str, what: str, limit: int) -> str:
    return f"the file is {size} long; opmlbib reads a {what} of up to {limit:,} bytes ({limit >> 20} MiB)"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# ----------------------------------------------------------------------- writing


def atomic_write(path: str | Path, text: str, *, replace_existing: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` (``-o FILE``), all or nothing.

    A new file is created exclusively.  An existing regular file is replaced only with
    ``replace_existing``, keeping its mode, owner, group and hard links; a FIFO or a
    character device is written into.
    """
    _write(path, lambda old: text, replace_existing=replace_existing)


def update_file(
    path: str | Path,
    change: Callable[[bytes | None], str | None],
    *,
    what: str,
    limit: int,
    error: type[OpmlbibError] = OpmlbibError,
) -> None:
    """Change the regular file at ``path``: ``change`` gets its bytes (None if there is no
    file yet, which is then created) and returns its new text (UTF-8), or None to leave it
    as it is.

    The file is locked from before it is read until it is written.  New text that only
    adds to the end is appended to the file itself; other text replaces it.  If another
    program changes the file underneath, ``change`` is called again with what is there
    now, so that no change is lost.  The file is read as :func:`read_file` reads it
    (``what``, ``limit`` and ``error``); a write-protected file is refused, as is
    anything but a regular file.
    """
    _write(path, change, replace_existing=True, reading=_Reading(what, limit, error))


class _Reading(NamedTuple):
    """How :func:`update_file` reads the file it changes."""

    what: str
    limit: int
    error: type[OpmlbibError]


def _write(path, change, *, replace_existing: bool, reading: _Reading | None = None) -> None:
    for _ in range(_ATTEMPTS):
        info = _inspect(path, reading)
        if info is None:
            text = change(None)
            if text is None or _create(path, text.encode("utf-8")):
                return
            if not replace_existing:  # another program created it first
                raise OutputError("already exists; use --force to replace it", path=path)
            continue
        if _is_stream(info):
            _write_into(path, change(None).encode("utf-8"))
            return
        if not replace_existing:
            raise OutputError("already exists; use --force to replace it", path=path)
        with _locked(path) as target:
            if target is None:  # replaced or removed before the lock was ours
                continue
            old = None
            if reading is not None:
                target.check_writable()
                old = _read(target.fd, path, what=reading.what, limit=reading.limit, error=reading.error)
                target.mark()
            text = change(old)
            if text is None:
                return
            data = text.encode("utf-8")
            if old is not None and data.startswith(old):
                done = target.append(data[len(old):])
            else:
                done = target.replace(data)
            if done:
                return
    raise OutputError("the file kept changing while opmlbib wrote it; nothing written", path=path)


def _inspect(path, reading: _Reading | None) -> os.stat_result | None:
    """What is at ``path`` now (following symbolic links), or None if nothing is; anything
    that cannot be written as asked is refused."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        folder = os.path.dirname(os.path.realpath(path))
        if not os.path.isdir(folder):
            raise OutputError(f"the folder {os.path.dirname(path) or '.'!r} does not exist", path=path) from None
        return None
    except OSError as exc:
        raise OutputError(f"cannot open the file: {_reason(exc)}", path=path) from None
    if stat.S_ISDIR(info.st_mode):
        if reading is None:
            raise OutputError("is a folder, not a file", path=path)
        raise reading.error(f"is a folder, not a {reading.what}", path=path)
    if stat.S_ISREG(info.st_mode) or (_is_stream(info) and reading is None):
        return info
    if reading is None:
        raise OutputError(f"is a {_kind(info)}, which opmlbib does not write to (nothing written)", path=path)
    raise OutputError(f"is a {_kind(info)}, not a regular file (nothing written)", path=path)


def _is_stream(info: os.stat_result) -> bool:
    return stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)


def _kind(info: os.stat_result) -> str:
    mode = info.st_mode
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return name
    return "special file"


def _write_into(path, data: bytes) -> None:
    """Write into a FIFO or a device (waiting for a FIFO's reader, as the shell's ``>`` does)."""
    try:
        fd = os.open(path, os.O_WRONLY | _OPEN)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write the file: {_reason(exc)}", path=path) from None


def _create(path, data: bytes) -> bool:
    """Create the file at ``path`` with ``data``, or return False if it exists by now."""
    real = os.path.realpath(path)
    folder, name = os.path.split(real)
    try:
        # A new file gets the mode the umask leaves of rw-rw-rw-, as the shell's ``>`` gives.
        with _temporary(folder, name, 0o666) as temp:
            temp.write(data)
            _before_rename(temp.path)
            try:
                os.link(temp.path, real)
            except FileExistsError:
                return False
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                return _create_in_place(real, data)
    except OSError as exc:
        raise OutputError(f"cannot write the file: {_reason(exc)}", path=path) from None
    _sync_folder(folder)
    return True


# How link(2) fails where a file system has no hard links.
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}


def _create_in_place(real: str, data: bytes) -> bool:
    """Create ``real`` exclusively and write ``data`` into it (no hard links to rename with)."""
    try:
        fd = os.open(real, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN, 0o666)
    except FileExistsError:
        return False
    try:
        with signals_held():
            _write_all(fd, data)
            os.fsync(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(real)
        raise
    finally:
        os.close(fd)
    return True


class _Locked:
    """An existing regular file, opened and locked for a read-modify-write."""

    def __init__(self, path, fd: int) -> None:
        self.path, self.fd = path, fd
        self.mark()

    def mark(self) -> None:
        """Remember the file as it is now: a later change by another program is noticed."""
        self.info = os.fstat(self.fd)

    def changed(self, real: str) -> bool:
        """Whether ``real`` is no longer the file marked, or the file was written since."""
        try:
            now, there = os.fstat(self.fd), os.stat(real)
        except OSError:
            return True
        return _stamp(now) != _stamp(self.info) or (there.st_dev, there.st_ino) != (now.st_dev, now.st_ino)

    def check_writable(self) -> None:
        # Renaming a new file over the old one would succeed even for a write-protected
        # file (and root may write anything): honour the file's own permission bits.
        if not self.info.st_mode & 0o222 or not os.access(self.path, os.W_OK):
            raise OutputError("the file is write-protected (nothing changed)", path=self.path)

    def replace(self, data: bytes) -> bool:
        """Put ``data`` in the file's place; False if the file changed since it was marked."""
        real = os.path.realpath(self.path)
        if self.changed(real):
            return False
        if self.info.st_nlink > 1:
            return self.write_in_place(data)
        folder, name = os.path.split(real)
        try:
            with _temporary(folder, name, 0o600) as temp:
                temp.write(data)
                if not temp.take_owner_and_mode(self.info):
                    return self.write_in_place(data)
                _before_rename(temp.path)
                if self.changed(real):
                    return False
                temp.rename(real)
        except OSError as exc:
            raise OutputError(f"cannot write the file: {_reason(exc)}", path=self.path) from None
        _sync_folder(folder)
        return True

    def append(self, tail: bytes) -> bool:
        """Append ``tail`` to the file itself, as mail is delivered to an mbox file: the
        bytes already there are never rewritten, and a program that appends to the file
        without locking it loses nothing.  False if the file changed since it was marked;
        if the append fails, the file is cut back to its old length."""
        fd = self._open_for_writing(os.O_APPEND)
        if fd is None:
            return False
        try:
            with signals_held():
                _write_all(fd, tail)
                os.fsync(fd)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, self.info.st_size)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write the file: {_reason(exc)}", path=self.path) from None
            raise
        finally:
            os.close(fd)
        return True

    def write_in_place(self, data: bytes) -> bool:
        """Overwrite the file itself with ``data``; False if it changed since it was marked."""
        fd = self._open_for_writing(0)
        if fd is None:
            return False
        try:
            _reserve(fd, len(data))
            with signals_held():
                _write_all(fd, data)
                os.ftruncate(fd, len(data))
                os.fsync(fd)
        except OSError as exc:
            raise OutputError(f"cannot write the file: {_reason(exc)}", path=self.path) from None
        finally:
            os.close(fd)
        return True

    def _open_for_writing(self, flags: int) -> int | None:
        """The marked file opened for writing; None if it changed since it was marked."""
        try:
            fd = os.open(self.path, os.O_WRONLY | flags | _OPEN)
        except OSError as exc:
            raise OutputError(f"cannot write the file: {_reason(exc)}", path=self.path) from None
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (self.info.st_dev, self.info.st_ino) or self.changed(os.path.realpath(self.path)):
            os.close(fd)
            return None
        return fd


def _stamp(info: os.stat_result) -> tuple:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


@contextlib.contextmanager
def _locked(path) -> Iterator[_Locked | None]:
    """The regular file at ``path``, locked; None if by the time the lock is ours another
    file (or none) is at ``path``, or it is no longer a regular file."""
    try:
        # Not blocking: if a FIFO has taken the file's place, opening it must not wait.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _OPEN)
    except FileNotFoundError:
        yield None
        return
    except OSError as exc:
        raise OutputError(f"cannot open the file: {_reason(exc)}", path=path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            yield None
            return
        _lock(fd, path)
        try:
            now = os.stat(path)
        except OSError:  # gone, or no longer reachable: seen again from the start
            yield None
            return
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            yield None
            return
        yield _Locked(path, fd)
    finally:
        os.close(fd)  # and with it the lock


def _lock(fd: int, path) -> None:
    """Wait for the exclusive lock on the open file ``fd``."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as exc:
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            raise OutputError(f"cannot lock the file: {_reason(exc)}", path=path) from None
        # a file system without locks: the checks before writing still hold


def _reserve(fd: int, size: int) -> None:
    """Make sure the disk has room for ``size`` bytes before the file is overwritten (the
    file grows to ``size`` bytes if it is shorter)."""
    if size and hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(fd, 0, size)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENODEV, errno.ESPIPE):
                raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _sync_folder(folder: str) -> None:
    """Make a rename or a new name in ``folder`` durable (where the platform allows)."""
    try:
        fd = os.open(folder or ".", os.O_RDONLY | _OPEN)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _before_rename(temp: str) -> None:
    """A seam for tests that interrupt a write after the temporary file is complete."""


# ---------------------------------------------------------------- cache files


def write_cache_file(target: str | Path, chunks: Sequence[bytes]) -> bool:
    """Write ``chunks`` to the cache file ``target`` through a temporary file and a rename
    (a reader sees the old file or the new one); False, not an error, if the cache folder
    cannot be written: a cache is a convenience."""
    folder, name = os.path.split(os.fspath(target))
    try:
        os.makedirs(folder, exist_ok=True)
        with _temporary(folder, name, 0o666) as temp:
            for chunk in chunks:
                temp.write(chunk, sync=False)
            _before_rename(temp.path)
            temp.rename(target)
    except OSError:
        return False
    return True


# ------------------------------------------------------------ temporary files

class _Temporary:
    """A new file ``.NAME.XXXXXXXXXXXX.tmp`` next to the file it will become."""

    def __init__(self, folder: str, name: str, mode: int) -> None:
        for _ in range(100):
            path = os.path.join(folder, f".{name[:200]}.{os.urandom(6).hex()}.tmp")
            TEMPORARIES.add(path)  # before it exists, so that a signal cannot miss it
            try:
                self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN, mode)
            except FileExistsError:
                TEMPORARIES.discard(path)
                continue
            except BaseException:
                TEMPORARIES.discard(path)
                raise
            break
        else:  # pragma: no cover - 100 collisions of 48 random bits
            raise FileExistsError(errno.EEXIST, "no free temporary name", folder)
        self.path = path
        self.renamed = False

    def write(self, data: bytes, sync: bool = True) -> None:
        _write_all(self.fd, data)
        if sync:
            os.fsync(self.fd)

    def take_owner_and_mode(self, info: os.stat_result) -> bool:
        """Give the file ``info``'s owner, group and mode; False if the owner or group
        cannot be given (only root may give a file away)."""
        if hasattr(os, "fchown"):
            mine = os.fstat(self.fd)
            if (mine.st_uid, mine.st_gid) != (info.st_uid, info.st_gid):
                try:
                    os.fchown(self.fd, info.st_uid, info.st_gid)
                except PermissionError:
                    return False
        if hasattr(os, "fchmod"):
            os.fchmod(self.fd, stat.S_IMODE(info.st_mode))  # after fchown, which clears set-id bits
        else:  # pragma: no cover - Windows before Python 3.13
            os.chmod(self.path, stat.S_IMODE(info.st_mode))
        return True

    def rename(self, target: str | Path) -> None:
        os.replace(self.path, target)
        self.renamed = True

    def close(self) -> None:
        os.close(self.fd)
        if not self.renamed:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
        TEMPORARIES.discard(self.path)


@contextlib.contextmanager
def _temporary(folder: str, name: str, mode: int) -> Iterator[_Temporary]:
    """A temporary file for ``name`` in ``folder``, removed when the block ends unless it
    was renamed to its final name."""
    temp = _Temporary(folder, name, mode)
    try:
        yield temp
    finally:
        temp.close()
