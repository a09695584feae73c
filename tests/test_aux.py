from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opmlbib.aux import ALL, AuxError, parse_aux, read_aux, select
from opmlbib.library import default_records

DATA = Path(__file__).parent / "data" / "aux"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\relax \n\\citation{a,b}\n\\citation{c}\n", [("cite", "a"), ("cite", "b"), ("cite", "c")]),
        ("\\relax \n\\citation{ a , b ,}\n", [("cite", "a"), ("cite", "b")]),
        ("\\relax \n\\citation{*}\n", [("cite", ALL)]),
        ("\\relax \n\\abx@aux@cite{0}{k1}\n\\abx@aux@segm{0}{0}{k1}\n", [("cite", "k1")]),
        ("\\relax \n\\abx@aux@cite{k2}\n", [("cite", "k2")]),
        ("\\relax \n\\abx@aux@nociteall\n", [("cite", ALL)]),
        ("\\relax \n\\@input{ch/one.aux}\n\\citation{z}\n", [("input", "ch/one.aux"), ("cite", "z")]),
        ("\\relax \n\\bibstyle{plain}\n\\bibdata{refs}\n", []),
        ("\\relax \n\\bibcite{a}{1}\n\\newlabel{sec}{{1}{1}}\n", []),
    ],
)
def test_parse_aux(text, expected):
    assert parse_aux(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just some words\n", "not a LaTeX .aux file"),
        ("", "not a LaTeX .aux file"),
        ("\\documentclass{article}\n\\begin{document}\\cite{a}\\end{document}\n", "LaTeX source file"),
    ],
)
def test_parse_aux_refuses_other_files(text, message):
    with pytest.raises(AuxError, match=message):
        parse_aux(text, "x.aux")


def test_read_aux_follows_included_files_in_order():
    # Written by pdflatex for a document citing hsu, zhou and a foreign key, then
    # \include{chap} citing soifer and hsu again.
    assert read_aux(DATA / "bibtex-main.aux").keys == ("hsu2019tony", "zhou2019katib", "foreign2020x", "soifer2019deep")


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("biblatex.aux", ("zhou2019katib", "soifer2019deep")),
        ("biblatex-old.aux", ("zhou2019katib", "hsu2019tony")),
        ("biblatex-nociteall.aux", ("hsu2019tony", ALL)),
    ],
)
def test_read_aux_biblatex(name, keys):
    assert read_aux(DATA / name).keys == keys


def test_included_files_are_relative_to_the_main_aux_and_cycles_end(tmp_path, monkeypatch):
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "main.aux").write_text("\\relax \n\\citation{a}\n\\@input{one.aux}\n\\citation{d}\n")
    (tmp_path / "build" / "one.aux").write_text("\\relax \n\\citation{b}\n\\@input{two.aux}\n")
    (tmp_path / "build" / "two.aux").write_text("\\relax \n\\citation{c,a}\n\\@input{main.aux}\n\\@input{one.aux}\n")
    monkeypatch.chdir(tmp_path)
    citations = read_aux("build/main.aux")
    assert citations.keys == ("a", "b", "c", "d")
    assert citations.missing == ()


def test_missing_included_file_is_reported_not_fatal(tmp_path):
    (tmp_path / "main.aux").write_text("\\relax \n\\@input{gone.aux}\n\\citation{a}\n")
    citations = read_aux(tmp_path / "main.aux")
    assert citations.keys == ("a",)
    assert citations.missing == (tmp_path / "gone.aux",)


def test_a_long_chain_of_included_files_is_followed_to_its_end(tmp_path):
    # 1,200 files, each including the next: deeper than Python's recursion goes.
    for n in range(1200):
        include = f"\\@input{{c{n + 1}.aux}}\n" if n < 1199 else ""
        (tmp_path / f"c{n}.aux").write_text(f"\\relax \n\\citation{{k{n}}}\n{include}\\citation{{after{n}}}\n")
    keys = read_aux(tmp_path / "c0.aux").keys
    assert keys == (*(f"k{n}" for n in range(1200)), *(f"after{n}" for n in reversed(range(1200))))


def test_an_included_endless_file_is_refused(tmp_path):
    (tmp_path / "main.aux").write_text("\\relax \n\\@input{/dev/zero}\n")
    with pytest.raises(AuxError, match="over 16,777,216 bytes") as info:
        read_aux(tmp_path / "main.aux")
    assert info.value.path == "/dev/zero"


def test_an_included_symlink_loop_is_reported_missing(tmp_path):
    (tmp_path / "a.aux").symlink_to("b.aux")
    (tmp_path / "b.aux").symlink_to("a.aux")
    (tmp_path / "main.aux").write_text("\\relax \n\\@input{a.aux}\n\\citation{k}\n")
    citations = read_aux(tmp_path / "main.aux")
    assert citations.keys == ("k",) and citations.missing == (tmp_path / "a.aux",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.5\n\x00\x01\x02binary", "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"),
        (b"hello\n", "not a LaTeX .aux file"),
    ],
)
def test_read_aux_refuses_non_aux_files(tmp_path, content, message):
    path = tmp_path / "main.aux"
    path.write_bytes(content)
    with pytest.raises(AuxError, match=message) as info:
        read_aux(path)
    assert info.value.path == str(path)


def test_read_aux_errors_for_missing_main_file_and_folders(tmp_path):
    with pytest.raises(AuxError, match="cannot read"):
        read_aux(tmp_path / "nope.aux")
    with pytest.raises(AuxError, match="folder"):
        read_aux(tmp_path)


def test_included_file_that_is_not_aux_names_that_file(tmp_path):
    (tmp_path / "main.aux").write_text("\\relax \n\\@input{chap.aux}\n")
    (tmp_path / "chap.aux").write_bytes(b"\x00\x01")
    with pytest.raises(AuxError) as info:
        read_aux(tmp_path / "main.aux")
    assert info.value.path == str(tmp_path / "chap.aux")


def test_select_orders_by_citation_and_lists_unknown_keys_once():
    records = default_records()
    chosen, unknown = select(records, ["zhou2019katib", "nope", "hsu2019tony", "zhou2019katib", "nope", "other"])
    assert [r.key for r in chosen] == ["zhou2019katib", "hsu2019tony"]
    assert unknown == ("nope", "other")


def test_select_all_keeps_earlier_citations_first():
    records = default_records()
    chosen, unknown = select(records, ["soifer2019deep", ALL, "hsu2019tony"])
    keys = [r.key for r in chosen]
    assert keys[0] == "soifer2019deep"
    assert sorted(keys) == sorted(r.key for r in records)
    assert keys[1:] == [r.key for r in records if r.key != "soifer2019deep"]
    assert unknown == ()


_AUX_PIECES = st.sampled_from(
    ["\\relax ", "\\citation{", "\\abx@aux@cite{0}{", "\\@input{", "}", "{", ",", "*", "\n", "a", "k1", "ch.aux",
     "\\bibdata{refs}", "\\documentclass{article}", "\u00e9", "\x00", "%"]
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.lists(_AUX_PIECES, max_size=40).map(lambda p: "".join(p).encode()))
def test_any_bytes_give_citations_or_an_aux_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("aux") / "main.aux"
    path.write_bytes(data)
    try:
        citations = read_aux(path)
    except AuxError as error:
        assert error.path == str(path) or str(path) in str(error)
    else:
        assert all(isinstance(key, str) and key for key in citations.keys)
