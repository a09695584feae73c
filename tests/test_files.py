import fcntl
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from opmlbib import files
from opmlbib.errors import BibError, OutputError
from opmlbib.files import atomic_write, read_file, update_file

AS_ROOT = os.geteuid() == 0


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


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


def test_a_new_file_gets_the_mode_the_umask_leaves(tmp_path):
    previous = os.umask(0o027)
    try:
        atomic_write(tmp_path / "out.bib", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out.bib").stat().st_mode) == 0o640


def test_existing_file_is_refused_without_replace(tmp_path):
    target = tmp_path / "out.bib"
    target.write_text("mine")
    with pytest.raises(OutputError, match="--force"):
        atomic_write(target, "theirs")
    assert target.read_text() == "mine"


def test_a_file_created_by_another_program_meanwhile_is_not_replaced(tmp_path, monkeypatch):
    target = tmp_path / "out.bib"

    def another_program_creates_it(temp):
        target.write_text("theirs")

    monkeypatch.setattr(files, "_before_rename", another_program_creates_it)
    with pytest.raises(OutputError, match="already exists"):
        atomic_write(target, "mine")
    assert target.read_text() == "theirs"
    assert leftovers(tmp_path) == []


def test_replace_keeps_the_mode(tmp_path):
    target = tmp_path / "out.bib"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write(target, "new", replace_existing=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.skipif(not AS_ROOT, reason="only root may give a file to another user")
def test_replace_keeps_another_users_ownership(tmp_path):
    target = tmp_path / "out.bib"
    target.write_text("old")
    os.chown(target, 12345, 23456)
    atomic_write(target, "new", replace_existing=True)
    info = target.stat()
    assert (info.st_uid, info.st_gid) == (12345, 23456)
    assert target.read_text() == "new"


def test_a_file_whose_owner_cannot_be_kept_is_written_in_place(tmp_path, monkeypatch):
    # Another user's file that we may write: only root could give the new file to its owner.
    target = tmp_path / "out.bib"
    target.write_text("old contents, longer than the new")
    inode = target.stat().st_ino
    monkeypatch.setattr(files._Temporary, "take_owner_and_mode", lambda self, info: False)
    atomic_write(target, "new", replace_existing=True)
    assert target.read_text() == "new"
    assert target.stat().st_ino == inode
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not AS_ROOT, reason="only root may give a file to another user")
def test_a_new_file_that_cannot_be_given_to_the_owner_is_not_used(tmp_path, monkeypatch):
    target = tmp_path / "out.bib"
    target.write_text("old")
    os.chown(target, 12345, 23456)

    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refuse)
    inode = target.stat().st_ino
    atomic_write(target, "new", replace_existing=True)
    assert target.read_text() == "new"
    assert (target.stat().st_ino, target.stat().st_uid) == (inode, 12345)


def test_replace_keeps_hard_links(tmp_path):
    target = tmp_path / "out.bib"
    target.write_text("old")
    os.link(target, tmp_path / "other-name.bib")
    atomic_write(target, "new", replace_existing=True)
    assert (tmp_path / "other-name.bib").read_text() == "new"
    assert target.stat().st_ino == (tmp_path / "other-name.bib").stat().st_ino


def test_a_symlink_is_written_through(tmp_path):
    (tmp_path / "real.bib").write_text("old")
    (tmp_path / "link.bib").symlink_to("real.bib")
    atomic_write(tmp_path / "link.bib", "new", replace_existing=True)
    assert (tmp_path / "link.bib").is_symlink()
    assert (tmp_path / "real.bib").read_text() == "new"


def test_a_fifo_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    atomic_write(fifo, "to the reader\n")  # nothing is replaced: no --force needed
    reader.join(timeout=10)
    assert received == [b"to the reader\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_character_device_is_written_into_not_replaced(tmp_path):
    if AS_ROOT:  # a null device of our own, so that a failure cannot replace the system's
        device = tmp_path / "null"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    else:  # only root could replace /dev/null
        device = "/dev/null"
    before = os.stat(device)
    atomic_write(device, "nothing to see\n", replace_existing=True)
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(OutputError, match="is a socket"):
            atomic_write(path, "x", replace_existing=True)
        assert stat.S_ISSOCK(path.stat().st_mode)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "out.bib", "x")


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(OutputError, match="folder"):
        atomic_write(tmp_path, "x")


def test_a_symlink_loop_is_a_clear_error(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OutputError, match="symbolic links"):
        atomic_write(tmp_path / "a", "x", replace_existing=True)


def test_unwritable_folder_is_a_clear_error(tmp_path, monkeypatch):
    # A read-only folder: creating the temporary file is refused (simulated, as root may write anywhere).
    target = tmp_path / "out.bib"
    target.write_text("mine")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "_Temporary", refuse)
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


# ---------------------------------------------------------------- update_file


def update(path, change):
    update_file(path, change, what=".bib file", limit=1 << 20, error=BibError)


def test_update_creates_a_missing_file(tmp_path):
    seen = []
    update(tmp_path / "new.bib", lambda old: seen.append(old) or "first\n")
    assert seen == [None] and (tmp_path / "new.bib").read_text() == "first\n"


def test_an_addition_at_the_end_is_appended_to_the_file_itself(tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("old\n")
    os.chown(target, 12345, 23456) if AS_ROOT else None
    owner, inode = (target.stat().st_uid, target.stat().st_gid), target.stat().st_ino
    update(target, lambda old: old.decode() + "new\n")
    assert target.read_text() == "old\nnew\n"
    assert target.stat().st_ino == inode and (target.stat().st_uid, target.stat().st_gid) == owner


def test_a_change_made_by_another_program_meanwhile_is_kept(tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("@misc{a, title={A}}\n")
    calls = []

    def change(old):
        calls.append(old)
        if len(calls) == 1:  # another program rewrites the file while this one works
            target.write_text("@misc{b, title={B}}\n")
        return old.decode().replace("{A}", "{A, revised}")

    update(target, change)
    assert calls == [b"@misc{a, title={A}}\n", b"@misc{b, title={B}}\n"]
    assert target.read_text() == "@misc{b, title={B}}\n"  # the second reading, redone


def test_a_line_appended_meanwhile_is_kept(tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("% start\n")
    calls = []

    def change(old):
        calls.append(old)
        if len(calls) == 1:
            with open(target, "a") as handle:
                handle.write("% appended by another program\n")
        return old.decode() + "% ours\n"

    update(target, change)
    assert target.read_text() == "% start\n% appended by another program\n% ours\n"


def test_nothing_is_written_when_nothing_changes(tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("same\n")
    before = target.stat()
    update(target, lambda old: None)
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_update_refuses_a_fifo_and_a_write_protected_file(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(OutputError, match="is a FIFO, not a regular file"):
        update(tmp_path / "pipe", lambda old: "x")
    target = tmp_path / "ro.bib"
    target.write_text("mine")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="write-protected"):
        update(target, lambda old: "x")
    assert target.read_text() == "mine"


def test_update_reads_within_its_limit(tmp_path):
    target = tmp_path / "big.bib"
    target.write_bytes(b"x" * 2000)
    with pytest.raises(BibError, match="2,000 bytes long; opmlbib reads a .bib file of up to 1,000 bytes"):
        update_file(target, lambda old: "x", what=".bib file", limit=1000, error=BibError)


def test_the_lock_is_held_from_the_reading_to_the_writing(tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("% start\n")
    holder = os.open(target, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as `flock refs.bib ...` or another opmlbib holds it
    done = threading.Event()
    worker = threading.Thread(target=lambda: (update(target, lambda old: old.decode() + "% ours\n"), done.set()))
    worker.start()
    try:
        assert not done.wait(0.5)  # waiting for the lock, nothing read yet
        with open(target, "a") as handle:
            handle.write("% written by the lock's holder\n")
    finally:
        os.close(holder)
    worker.join(timeout=10)
    assert target.read_text() == "% start\n% written by the lock's holder\n% ours\n"


# ------------------------------------------------------------------- signals


def run_interrupted(tmp_path, signum, args):
    """Run the opmlbib command ``args`` in a process that sends itself ``signum`` once a
    temporary file is complete, before it takes the file's place."""
    code = (
        "import os, sys\n"
        "from opmlbib import files\n"
        f"files._before_rename = lambda temp: os.kill(os.getpid(), {int(signum)})\n"
        "from opmlbib.console import main\n"
        f"sys.argv = ['opmlbib', *{args!r}]\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_during_a_write_removes_the_temporary_file(tmp_path, signum):
    (tmp_path / "refs.bib").write_text("mine\n")
    result = run_interrupted(tmp_path, signum, ["export", "-o", "refs.bib", "--force"])
    assert result.returncode == -signum, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]
    assert (tmp_path / "refs.bib").read_text() == "mine\n"
    result = run_interrupted(tmp_path, signum, ["export", "-o", "new.bib"])
    assert result.returncode == -signum, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]
    (tmp_path / "refs.bib").write_text("@misc{hsu2019tony, title={Old}}\n")
    result = run_interrupted(tmp_path, signum, ["add", "hsu2019tony", "--to", "refs.bib", "--update"])
    assert result.returncode == -signum, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]
    assert (tmp_path / "refs.bib").read_text() == "@misc{hsu2019tony, title={Old}}\n"


def test_a_signal_during_a_cache_write_removes_the_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setenv("OPMLBIB_CACHE_DIR", str(tmp_path / "cache"))
    result = run_interrupted(tmp_path, signal.SIGTERM, ["search", "TonY"])
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []


# ---------------------------------------------------------------- cache files


def test_a_cache_file_is_written_whole_or_not_at_all(tmp_path):
    target = tmp_path / "cache" / "index"
    assert files.write_cache_file(target, [b"one ", b"two"])
    assert target.read_bytes() == b"one two"
    (tmp_path / "cache").chmod(0o555)
    try:
        if not AS_ROOT:  # root may write anywhere
            assert not files.write_cache_file(target, [b"three"])
            assert target.read_bytes() == b"one two"
    finally:
        (tmp_path / "cache").chmod(0o755)
    assert leftovers(tmp_path / "cache") == []


# -------------------------------------------------------- through the command


def run_at_once(tmp_path, commands):
    """Start every command (arguments of ``python -m opmlbib``) at once; their results."""
    started = [
        subprocess.Popen([sys.executable, "-m", "opmlbib", *args], cwd=tmp_path, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for args in commands
    ]
    return [(process.wait(timeout=300), process.stderr.read()) for process in started]


def test_sixteen_adds_at_once_all_land(tmp_path):
    from opmlbib.bibtex import parse_bibtex
    from opmlbib.library import default_records

    keys = [record.key for record in default_records()]
    assert len(keys) == 16
    for existing in (False, True):
        target = tmp_path / "mine.bib"
        target.unlink(missing_ok=True)
        if existing:
            target.write_text("% mine\n@misc{m, title={Mine}}\n")
        results = run_at_once(tmp_path, [["add", key, "--to", "mine.bib"] for key in keys])
        assert [code for code, _ in results] == [0] * 16, results
        found = [record.key for record in parse_bibtex(target.read_text())]
        assert sorted(found) == sorted(keys + ["m"] * existing)
        assert leftovers(tmp_path) == []


def test_of_twenty_exports_to_a_new_file_at_once_one_writes_it(tmp_path):
    results = run_at_once(tmp_path, [["export", "-o", "new.bib"]] * 20)
    codes = [code for code, _ in results]
    assert codes.count(0) == 1 and codes.count(1) == 19, results
    assert all("already exists" in err for code, err in results if code)
    assert (tmp_path / "new.bib").read_text().count("@inproceedings{") == 16
