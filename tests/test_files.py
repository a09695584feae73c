import os
import stat

import pytest

from opmlbib import files
from opmlbib.errors import OutputError
from opmlbib.files import atomic_write


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
