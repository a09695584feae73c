import os
import stat
import threading
import time

import pytest

from opmlbib import files
from opmlbib.errors import BibError, OutputError
from opmlbib.files import atomic_write, read_file


# ----------------------------------------------------------------------- reading


def test_a_file_within_the_limit_is_read_whole(tmp_path):
    target = tmp_path / "toc.txt"
    target.write_bytes(b"x" * 1000)
    assert read_file(target, what="table of contents", limit=1000) == b"x" * 1000


def test_a_larger_file_is_refused_with_its_size(tmp_path):
    target = tmp_path / "toc.txt"
    target.write_bytes(b"x" * 1001)
    with pytest.raises(BibError, match=r"1,001 bytes long; opmlbib reads a table of contents of up to 1,000 bytes") as info:
        read_file(target, what="table of contents", limit=1000, error=BibError)
    assert info.value.path == str(target)


def test_an_endless_device_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(OutputError, match="over 16,777,216 bytes"):
        read_file("/dev/zero", what="table of contents", limit=files.MAX_TEXT_BYTES, error=OutputError)
    assert time.monotonic() - started < 5


def test_a_pipe_is_read_to_its_end(tmp_path):
    fifo = tmp_path / "in"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(b"through a pipe\n"))
    writer.start()
    assert read_file(fifo, what="bibliography", limit=100) == b"through a pipe\n"
    writer.join()


def test_a_folder_or_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(BibError, match="is a folder, not a bibliography"):
        read_file(tmp_path, what="bibliography", limit=100, error=BibError)
    with pytest.raises(BibError, match="cannot read the bibliography: No such file"):
        read_file(tmp_path / "missing.bib", what="bibliography", limit=100, error=BibError)


# --------------------------------------------------------------- atomic_write


def test_new_file_is_written(tmp_path):
    target = tmp_path / "out.bib"
    atomic_write(target, "caf\u00e9\n")
    assert target.read_bytes() == "caf\u00e9\n".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["out.bib"]


def test_existing_file_is_refused_without_replace(tmp_path):
    target = tmp_path / "out.bib"
    target.write_text("mine")
    with pytest.raises(OutputError, match="--force"):
        atomic_write(target, "theirs")
    assert target.read_text() == "mine"


def test_replace_keeps_the_mode(tmp_path):
    target = tmp_path / "out.bib"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write(target, "new", replace_existing=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "out.bib", "x")


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(OutputError, match="folder"):
        atomic_write(tmp_path, "x")


def test_unwritable_folder_is_a_clear_error(tmp_path, monkeypatch):
    # A read-only folder: creating the temporary file is refused (simulated, as root may write anywhere).
    target = tmp_path / "out.bib"
    target.write_text("mine")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match="cannot write .*Permission denied"):
        atomic_write(target, "x", replace_existing=True)
    assert target.read_text() == "mine"


def test_interrupted_write_leaves_the_original_intact(tmp_path, monkeypatch):
    target = tmp_path / "refs.bib"
    target.write_bytes(b"@misc{mine, title={Mine}}\n")

    def crash(temp):
        assert open(temp).read() == "new contents"  # the temporary file is complete...
        raise KeyboardInterrupt  # ...and the process dies before the rename

    monkeypatch.setattr(files, "_before_rename", crash)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new contents", replace_existing=True)
    assert target.read_bytes() == b"@misc{mine, title={Mine}}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]
