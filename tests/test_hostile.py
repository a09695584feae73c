"""Broken and hostile input through every command: one `Error:` line naming the file, exit 1,
no traceback, and the user's files untouched."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from opmlbib.cli import cli

HEADER = "OpML '19: 2019 USENIX Conference on Operational Machine Learning\nMay 20, 2019\nSanta Clara, CA, USA\n\n"
GOOD_TOC = HEADER + "Session\nA Paper 1\nAda Lovelace, *Engines*\n"
HUGE = 6 * 1024 * 1024  # bytes on one line

FILES = {
    "empty.txt": b"",
    "binary.bin": bytes(range(256)) * 64,
    "huge.txt": b"x" * HUGE,
    "huge_dots.txt": HEADER.encode() + b"S\nT" + b"." * HUGE + b"x\n",
    "nopapers.txt": (HEADER + "Just a heading\nAnother heading\n").encode(),
    "backwards.txt": (HEADER + "S\nFirst 9\nA One, *X*\nSecond 5\nB Two, *X*\n").encode(),
    "noauthors.txt": (HEADER + "S\nFirst 9\nSecond 11\nB Two, *X*\n").encode(),
    "latin1.txt": (HEADER + "S\nCaf\u00e9 Paper 1\nA One, *X*\n").encode("latin-1"),
    "bom.txt": b"\xef\xbb\xbf" + GOOD_TOC.encode(),
    "unbalanced.bib": b"@article{a, title={Fine}}\n\n@article{b, title = {Broken, year = 2020}\n",
    "latin1.bib": "@article{a, title={Caf\u00e9}, author={A, B}}\n".encode("latin-1"),
    "empty.bib": b"",
    "huge.bib": b"@article{a, title={" + b"x" * HUGE + b"}}\n",
    "notaux.aux": b"Hello, this is a letter.\nNothing to see.\n",
    "binary.aux": bytes(range(256)) * 64,
    "bad.toml": b"[venue\n",
    "broken.json": b'[{"id": "a",\n "title": "x"\n',
    "notlist.json": b'{"id": "a"}',
    "nul.json": b'[{"id": "a", "type": "book", "title": "a\\u0000b"}]',
    "zero.aux": b"\\relax\n\\@input{/dev/zero}\n",
    "deep.json": b'[{"id": "a", "title": ' + b"[" * 1000 + b"]" * 1000 + b"}]",
    "bigint.json": b'[{"id": "a", "type": "book", "title": "x", "page": ' + b"9" * 5000 + b"}]",
    "inf.json": b'[{"id": "a", "type": "book", "title": "x", "issued": {"date-parts": [[1e400]]}}]',
    "deep.toml": b"a = " + b"[" * 1000 + b"]" * 1000 + b"\n",
    "bigint.toml": b"[[papers]]\nfirst_page = " + b"9" * 5000 + b"\n",
    "feb30.txt": GOOD_TOC.replace("May 20", "February 30").encode(),
    "bigpage.txt": (HEADER + "S\nA Paper....." + "9" * 5000 + "\nA One, *X*\n").encode(),
}
LINKS = {"loop.bib": "loop2.bib", "loop2.bib": "loop.bib"}

# (arguments, text the error must contain); {d} is the folder with the files above.  A file
# that cannot be an option's value at all is a usage error (exit 2), everything else exit 1.
CASES = [
    (["toc", "{d}/missing.txt"], "missing.txt"),
    (["toc", "{d}/empty.txt"], "empty.txt"),
    (["toc", "{d}/binary.bin"], "binary.bin"),
    (["toc", "{d}/huge.txt"], "huge.txt"),
    (["toc", "{d}/huge_dots.txt"], "huge_dots.txt"),
    (["toc", "{d}/nopapers.txt"], "no papers found"),
    (["toc", "{d}/backwards.txt"], "backwards.txt:8: pages go backwards"),
    (["toc", "{d}/noauthors.txt"], "noauthors.txt:7"),
    (["toc", "{d}/latin1.txt"], "latin1.txt:6: not UTF-8"),
    (["toc", "{d}/bom.txt", "--meta", "{d}/bad.toml"], "bad.toml"),
    (["toc", "{d}/bom.txt", "--meta", "{d}/missing.toml"], "missing.toml"),
    (["search", "x", "--bib", "{d}/missing.bib"], "missing.bib"),
    (["search", "x", "--bib", "{d}/latin1.bib"], "latin1.bib:1: not UTF-8"),
    (["search", "x", "--bib", "{d}/binary.bin"], "binary.bin"),
    (["search", "x", "--bib", "{d}/huge.bib"], "no paper matches"),
    (["export", "--bib", "{d}/huge.bib"], "huge.bib:1: a: field title is 6,291,456 characters long"),
    (["search", "x", "--bib", "{d}/huge.txt"], "huge.txt: no BibTeX entries"),
    (["search", "x", "--bib", "{d}/empty.bib"], "empty.bib: no BibTeX entries"),
    (["show", "x", "--bib", "{d}/broken.json"], "broken.json:3: not valid JSON"),
    (["cite", "x", "--bib", "{d}/notlist.json"], "notlist.json: CSL-JSON must be a list"),
    (["export", "--bib", "{d}/nul.json"], 'a: "a\x00b" holds a control character (U+0000), which BibTeX cannot hold'),
    (["export", "--bib", "{d}/nul.json", "--format", "biblatex"], "a: \"a\x00b\" holds a control character (U+0000)"),
    (["export", "--bib", "{d}/empty.bib"], "empty.bib: no BibTeX entries"),
    (["aux", "{d}/missing.aux"], "missing.aux"),
    (["aux", "{d}/notaux.aux"], "notaux.aux"),
    (["aux", "{d}/binary.aux"], "binary.aux"),
    (["aux", "{d}/huge.txt"], "huge.txt"),
    (["add", "TonY", "--to", "{d}/binary.bin"], "binary.bin"),
    (["add", "TonY", "--to", "{d}/nofolder/refs.bib"], "does not exist"),
    (["export", "-o", "{d}/nofolder/refs.bib"], "does not exist"),
    (["export", "-o", "{d}"], "is a directory"),
    (["cite", "TonY", "--style", "ieeee"], "ieee"),
    (["cite", "TonY", "--style", "{d}/binary.bin"], "binary.bin"),
    (["cite", "TonY", "--style", "{d}/huge.txt"], "huge.txt"),
    (["search", "quantum chromodynamics on the lattice"], "no paper matches"),
    (["toc", "/dev/zero"], "/dev/zero: the file is over 16,777,216 bytes long"),
    (["search", "x", "--bib", "/dev/zero"], "/dev/zero: the file is over 134,217,728 bytes long"),
    (["aux", "/dev/zero"], "/dev/zero: the file is over 16,777,216 bytes long"),
    (["aux", "{d}/zero.aux"], "/dev/zero: the file is over 16,777,216 bytes long"),
    (["toc", "{d}/bom.txt", "--meta", "/dev/zero"], "/dev/zero: the file is over 16,777,216 bytes long"),
    (["add", "TonY", "--to", "/dev/zero"], "/dev/zero: is a character device, not a regular file"),
    (["add", "TonY", "--to", "{d}/loop.bib"], "loop.bib: cannot open the file: Too many levels of symbolic links"),
    (["export", "--bib", "{d}/deep.json"], "deep.json:1: arrays and objects nested 1,002 deep"),
    (["export", "--bib", "{d}/bigint.json"], "bigint.json:1: a number of more than 4,300 digits"),
    (["cite", "a", "--bib", "{d}/inf.json"], "inf.json:1: 1e400 is not a number"),
    (["toc", "{d}/bom.txt", "--meta", "{d}/deep.toml"], "deep.toml: arrays or tables nested too deeply"),
    (["toc", "{d}/bom.txt", "--meta", "{d}/bigint.toml"], "bigint.toml:2: a number of more than 4,300 digits"),
    (["toc", "{d}/feb30.txt"], "feb30.txt:2: the date 'February 30, 2019' does not exist"),
    (["toc", "{d}/bigpage.txt"], "bigpage.txt:7: an author line with no paper title before it"),
    (["show", "Microsoft"], "fits 2 papers"),
]

USAGE_ERRORS = {"is a directory"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    for name, target in LINKS.items():
        (folder / name).symlink_to(target)
    return folder


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("args, expected", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_hostile_input_is_one_clear_error(folder, args, expected):
    before = snapshot(folder)
    result = CliRunner().invoke(cli, [a.format(d=folder) for a in args])
    assert result.exit_code == (2 if expected in USAGE_ERRORS else 1), (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: ") or expected in USAGE_ERRORS, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert snapshot(folder) == before


@pytest.mark.parametrize("args", [["search", "fine"], ["show", "fine"], ["export"], ["cite", "a"]])
def test_a_broken_entry_is_a_warning_and_the_rest_is_read(folder, args):
    """As bibtex skips an entry it cannot parse and reads on, so does every command."""
    result = CliRunner().invoke(cli, [*args, "--bib", str(folder / "unbalanced.bib")])
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert warning.startswith(f"Warning: {folder / 'unbalanced.bib'}:3: b: cannot parse this entry (")
    assert "Fine" in result.stdout or "fine" in result.stdout


# Through the real command: what a terminal sees, which the test runner does not show.


def opmlbib(*args, env=None, **kwargs):
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "opmlbib", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=environment, **kwargs)


def test_an_entry_that_does_not_parse_is_one_line_on_stderr(tmp_path):
    (tmp_path / "u.bib").write_text("@article{a, title={Fine}}\n\n@article{b title = {x}, year=2020}\n")
    result = opmlbib("export", "--bib", tmp_path / "u.bib")
    assert result.returncode == 0  # left out with a warning, as bibtex leaves it out
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"Warning: {tmp_path / 'u.bib'}:3: ")


def test_a_character_with_no_latex_spelling_prints_no_warning(tmp_path):
    (tmp_path / "w.bib").write_text("@misc{a, title={Snowman \u2603 and \U0001F600}}\n")
    result = opmlbib("export", "--bib", tmp_path / "w.bib")
    assert (result.returncode, result.stderr) == (0, "")
    (tmp_path / "w.txt").write_text(HEADER + "S\nA Snowman \u2603 Paper 1\nA One, *X*\n")
    result = opmlbib("toc", tmp_path / "w.txt")
    assert (result.returncode, result.stderr) == (0, "")


def test_output_the_stdout_encoding_cannot_hold_is_one_error_line():
    result = opmlbib("cite", "TonY", env={"PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: the output has '\\u2013' (U+2013), which its encoding (latin-1) cannot hold; set PYTHONIOENCODING=utf-8"
    ]
    assert opmlbib("export", "TonY", env={"PYTHONIOENCODING": "latin-1"}).returncode == 0  # BibTeX is ASCII


def test_sigint_ends_the_command_as_sigint_does(tmp_path):
    fifo = tmp_path / "toc.txt"
    os.mkfifo(fifo)
    command = subprocess.Popen([sys.executable, "-m", "opmlbib", "toc", str(fifo)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while True:  # the command has the FIFO open (and waits to read it) once a writer may open it
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert time.monotonic() < deadline and command.poll() is None
            time.sleep(0.05)
    # Wait until the command is blocked reading the FIFO: a signal that comes between
    # Python's last look at its signals and the read() call is only seen at the next
    # signal (CPython runs signal handlers between bytecodes), which would leave this test
    # waiting for nothing.
    wchan = f"/proc/{command.pid}/wchan"
    while os.path.exists(wchan) and "pipe_read" not in open(wchan).read() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        command.send_signal(signal.SIGINT)
        _, err = command.communicate(timeout=60)
    finally:
        os.close(writer)
    assert command.returncode == -signal.SIGINT, err  # a shell reports it as status 130
    assert "Traceback" not in err and "Aborted" not in err


def test_a_huge_query_is_echoed_short():
    result = CliRunner().invoke(cli, ["search", "x" * 1_000_000])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no paper matches 'xxx") and len(result.stderr) < 200


@pytest.mark.parametrize("value", ["9" * 5000, "1--" + "2" * 5000, "²"])
def test_numbers_beyond_any_page_or_year_are_text(tmp_path, value):
    path = tmp_path / "n.bib"
    path.write_text("@misc{a, title = {T}, pages = {%s}, year = {%s}}\n" % (value, value))
    result = CliRunner().invoke(cli, ["show", "a", "--bib", str(path), "--json"])
    assert result.exit_code == 0 and "Traceback" not in result.output
    shown = json.loads(result.stdout)  # kept as the text it is, not read as a number
    assert shown["date"] is None
    assert shown["pages"].replace("\u2013", "--") == value == shown["year"].replace("\u2013", "--")
