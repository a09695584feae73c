import os
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opmlbib import files
from opmlbib.bibfile import add_to_file, line_ending, merge, scan
from opmlbib.bibtex import parse_bibtex
from opmlbib.errors import BibError, OutputError
from opmlbib.library import default_records

DATA = Path(__file__).parent / "data" / "bib"
BY_KEY = {record.key: record for record in default_records()}
HSU, ZHOU, SOIFER = BY_KEY["hsu2019tony"], BY_KEY["zhou2019katib"], BY_KEY["soifer2019deep"]


@pytest.fixture
def copy(tmp_path):
    def make(name):
        target = tmp_path / name
        shutil.copyfile(DATA / name, target)
        return target

    return make


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@article{a1,\n}", [("a1", True)]),
        ("@Article { A1 ,\n}", [("A1", True)]),
        ("@book(p, title = \"x) y\")", [("p", True)]),
        ("@misc{b, title = {x}", [("b", False)]),
        ("@misc{b, title = {x}\n\n@misc{c, title = {y}}", [("b", False), ("c", True)]),
        ("@string{s = \"v\"}\n@comment{k, words}\n@preamble{\"x\"}", []),
        ("text before @misc{z, title={t}} text after", [("z", True)]),
        ("an e-mail x@y.org{z,} is not an entry", []),
        ("@misc{q, note = \"a@b.org\"}", [("q", True)]),
    ],
)
def test_scan(text, expected):
    assert [(span.key, span.end is not None) for span in scan(text)] == expected


def test_scan_finds_the_exact_span():
    text = "junk\n@misc{k, title = {a {b} c}} tail"
    (span,) = scan(text)
    assert text[span.start: span.end] == "@misc{k, title = {a {b} c}}"
    assert span.line == 2


@pytest.mark.parametrize(("text", "ending"), [("", "\n"), ("a\nb\n", "\n"), ("a\r\nb\r\n", "\r\n"), ("a\r\nb\nc\r\n", "\r\n")])
def test_line_ending(text, ending):
    assert line_ending(text) == ending


def test_adding_keeps_every_byte_of_a_messy_file(copy):
    path = copy("messy.bib")
    before = path.read_bytes()
    outcome = add_to_file(path, [HSU, ZHOU, SOIFER])
    after = path.read_bytes()
    assert after.startswith(before)
    # Zhou2019Katib is there (in another case and with parentheses); hsu2019tony only in an @comment.
    assert outcome.added == ["hsu2019tony", "soifer2019deep"]
    assert outcome.skipped == [("zhou2019katib", 13)]
    added = parse_bibtex(after[len(before):].decode())
    assert [r.key for r in added] == ["hsu2019tony", "soifer2019deep"]
    assert [r.title for r in added] == [HSU.title, SOIFER.title]


def test_crlf_file_gets_crlf_entries(copy):
    path = copy("crlf.bib")
    before = path.read_bytes()
    add_to_file(path, [HSU])
    after = path.read_bytes()
    assert after.startswith(before)
    tail = after[len(before):]
    assert tail.startswith(b"\r\n% hsu2019tony:")
    assert b"\n" not in tail.replace(b"\r\n", b"")
    assert [r.key for r in parse_bibtex(after.decode())] == ["lamport1994", "hsu2019tony"]


def test_byte_order_mark_and_odd_bytes_are_kept(tmp_path):
    path = tmp_path / "bom.bib"
    before = "\ufeff% caf\u00e9 \u2603\r\n@misc{x, title = {\u00fcber}}   \t".encode()
    path.write_bytes(before)
    add_to_file(path, [HSU])
    after = path.read_bytes()
    assert after.startswith(before)
    assert after[len(before):].startswith(b"\r\n\r\n% hsu2019tony:")


def test_file_without_final_newline(copy):
    path = copy("no-final-newline.bib")
    add_to_file(path, [HSU])
    text = path.read_text()
    assert text.startswith("@misc{nonewline, title = {x}}\n\n% hsu2019tony:")
    assert text.endswith("}\n")


def test_missing_file_is_created_with_the_entries(tmp_path):
    path = tmp_path / "new.bib"
    outcome = add_to_file(path, [HSU, ZHOU, HSU])
    assert outcome.added == ["hsu2019tony", "zhou2019katib"]
    text = path.read_text()
    assert text.startswith("% hsu2019tony:")
    assert [r.key for r in parse_bibtex(text)] == ["hsu2019tony", "zhou2019katib"]


def test_existing_key_is_skipped_and_the_file_not_rewritten(copy):
    path = copy("messy.bib")
    before, written = path.read_bytes(), path.stat()
    outcome = add_to_file(path, [ZHOU])
    assert outcome.skipped == [("zhou2019katib", 13)] and not outcome.changed
    assert path.read_bytes() == before
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)


def test_update_replaces_exactly_our_entry_and_its_comment(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_bytes(b"% mine\n@misc{x, title = {keep}}\n")
    add_to_file(path, [HSU, SOIFER])
    path.write_bytes(path.read_bytes() + b"% my note after\n")
    before = path.read_text()
    changed = replace(HSU, title="TonY Revised", last_page=None)
    outcome = add_to_file(path, [changed], update=True)
    assert outcome.replaced == [("hsu2019tony", 5)]
    after = path.read_text()
    start = before.index("% hsu2019tony:")
    end = before.index("}\n\n% soifer2019deep") + 1
    new_block = after[start: len(after) - (len(before) - end)]
    assert after[:start] == before[:start]
    assert after[start + len(new_block):] == before[end:]
    assert new_block.startswith("% hsu2019tony: first page 39: table of contents (line 55); last page unknown\n@inproceedings{hsu2019tony,")
    assert new_block.endswith("}")
    assert parse_bibtex(new_block)[0].title == "TonY Revised"


def test_update_of_a_users_entry_touches_only_its_span(copy):
    path = copy("messy.bib")
    before = path.read_text()
    start = before.index("@InProceedings ( Zhou2019Katib")
    end = before.index("publisher = usenix )") + len("publisher = usenix )")
    add_to_file(path, [ZHOU], update=True)
    after = path.read_text()
    assert after[:start] == before[:start]
    assert after.endswith(before[end:])
    middle = after[start: len(after) - len(before[end:])]
    assert middle.startswith("@inproceedings{zhou2019katib,") and middle.endswith("}")
    assert "% zhou2019katib" not in after  # no comment was there, none is inserted


def test_update_refuses_a_broken_entry_and_leaves_the_file(copy):
    path = copy("messy.bib")
    before = path.read_bytes()
    broken = replace(HSU, key="broken2020")
    with pytest.raises(BibError, match="never closes") as info:
        add_to_file(path, [broken], update=True)
    assert info.value.line == 10
    assert path.read_bytes() == before


def test_update_refuses_a_duplicated_key(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("@misc{hsu2019tony, title = {a}}\n@misc{HSU2019tony, title = {b}}\n")
    with pytest.raises(BibError, match="2 times"):
        add_to_file(path, [HSU], update=True)
    assert path.read_text() == "@misc{hsu2019tony, title = {a}}\n@misc{HSU2019tony, title = {b}}\n"


def test_mode_is_kept(copy):
    path = copy("crlf.bib")
    path.chmod(0o640)
    add_to_file(path, [HSU])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_write_protected_file_is_left_alone(copy):
    path = copy("crlf.bib")
    before = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(OutputError, match="write-protected"):
        add_to_file(path, [HSU])
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_non_utf8_file_is_left_alone(tmp_path):
    path = tmp_path / "latin1.bib"
    path.write_bytes("@misc{m, author = {M\u00fcller}}\n".encode("latin-1"))
    before = path.read_bytes()
    with pytest.raises(BibError, match="not UTF-8") as info:
        add_to_file(path, [HSU])
    assert info.value.line == 1
    assert path.read_bytes() == before


def test_folder_and_missing_folder_are_errors(tmp_path):
    with pytest.raises(BibError, match="folder"):
        add_to_file(tmp_path, [HSU])
    with pytest.raises(OutputError, match="does not exist"):
        add_to_file(tmp_path / "no" / "refs.bib", [HSU])


def test_interrupted_write_leaves_the_old_file(copy, monkeypatch):
    path = copy("messy.bib")
    before = path.read_bytes()

    def crash(fd, data):
        os.write(fd, data[: len(data) // 2])  # half the new entry is written...
        raise KeyboardInterrupt  # ...and the process is stopped

    monkeypatch.setattr(files, "_write_all", crash)
    with pytest.raises(KeyboardInterrupt):
        add_to_file(path, [HSU])
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["messy.bib"]


def test_interrupted_update_leaves_the_old_file(copy, monkeypatch):
    path = copy("messy.bib")
    before = path.read_bytes()

    def crash(temp):
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_before_rename", crash)
    with pytest.raises(KeyboardInterrupt):
        add_to_file(path, [ZHOU], update=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["messy.bib"]


def test_a_line_another_program_appends_meanwhile_is_kept(copy, monkeypatch):
    path = copy("crlf.bib")
    real_merge = merge

    def merge_while_another_program_appends(text, *args, **kwargs):
        if not text.endswith("% theirs\r\n"):
            with open(path, "ab") as handle:
                handle.write(b"% theirs\r\n")
        return real_merge(text, *args, **kwargs)

    monkeypatch.setattr("opmlbib.bibfile.merge", merge_while_another_program_appends)
    add_to_file(path, [HSU])
    text = path.read_bytes()
    assert b"% theirs\r\n" in text and b"@inproceedings{hsu2019tony," in text


def test_a_change_another_program_makes_meanwhile_is_kept_by_update(tmp_path, monkeypatch):
    path = tmp_path / "refs.bib"
    add_to_file(path, [HSU])
    real_merge = merge

    def merge_while_another_program_edits(text, *args, **kwargs):
        if "% theirs" not in text:
            path.write_text("% theirs\n" + path.read_text())
        return real_merge(text, *args, **kwargs)

    monkeypatch.setattr("opmlbib.bibfile.merge", merge_while_another_program_edits)
    add_to_file(path, [replace(HSU, title="TonY Revised")], update=True)
    text = path.read_text()
    assert text.startswith("% theirs\n")
    assert [r.title for r in parse_bibtex(text)] == ["TonY Revised"]


def test_a_symlink_loop_is_an_error(tmp_path):
    (tmp_path / "a.bib").symlink_to("b.bib")
    (tmp_path / "b.bib").symlink_to("a.bib")
    with pytest.raises(OutputError, match="symbolic links"):
        add_to_file(tmp_path / "a.bib", [HSU])


def test_symlink_is_followed_and_kept(copy):
    target = copy("crlf.bib")
    link = target.parent / "link.bib"
    link.symlink_to(target.name)
    add_to_file(link, [HSU])
    assert link.is_symlink()
    assert b"hsu2019tony" in target.read_bytes()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_any_existing_text_is_kept_as_a_prefix(text):
    new, outcome = merge(text, [HSU])
    assert new.startswith(text)
    if outcome.added:
        assert "@inproceedings{hsu2019tony," in new[len(text):]
    else:
        assert new == text and "hsu2019tony" in text.lower()
