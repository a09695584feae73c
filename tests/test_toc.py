from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opmlbib.errors import TocError
from opmlbib.model import Source
from opmlbib.toc import decode, parse_authors, parse_toc, read_toc

from .opml19_table import PAPERS

SEED = resources.files("opmlbib.data").joinpath("opml19.txt")

HEADER = "OpML '19: 2019 USENIX Conference on Operational Machine Learning\nMay 20, 2019\nSanta Clara, CA, USA\n\n"


def parse(body: str, header: str = HEADER):
    return parse_toc(header + body, path="toc.txt")


@pytest.fixture(scope="module")
def seed():
    return parse_toc(decode(SEED.read_bytes()), path="opml19.txt")


def test_header(seed):
    header, _ = seed
    assert (header.short_name, header.full_name) == ("OpML '19", "2019 USENIX Conference on Operational Machine Learning")
    assert (header.year, header.month, header.day, header.place) == (2019, 5, 20, "Santa Clara, CA, USA")
    assert header.booktitle == "2019 USENIX Conference on Operational Machine Learning (OpML 19)"


def test_every_field_of_every_paper(seed):
    _, records = seed
    assert len(records) == 16
    assert sum(len(r.authors) for r in records) == 95
    for record, (first, title, session, authors) in zip(records, PAPERS, strict=True):
        assert record.title == title
        assert record.session == session
        assert record.first_page.number == first
        assert record.first_page.source is Source.TOC
        assert [(a.given, a.family, a.affiliation) for a in record.authors] == authors
        assert all(a.von == "" and a.suffix == "" for a in record.authors)


def test_last_pages_are_inferred_upper_bounds(seed):
    _, records = seed
    for record, following in zip(records, records[1:]):
        assert record.last_page.number == following.first_page.number - 1
        assert record.last_page.source is Source.INFERRED
    assert records[-1].last_page is None  # nothing bounds the final paper


# SHA-256 of the proceedings' table of contents as it was given to the project
# (shared/seed/000_b6c997555255c84b.txt); the package ships it byte for byte.
SEED_SHA256 = "850fe02eed71b9399d22998de3e76a6cd9bde14de3332ef9bed7814570bf26e9"


def test_the_seed_ships_unchanged():
    import hashlib

    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256
    shared = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_b6c997555255c84b.txt"
    if shared.exists():  # beside a working copy, compare with the file itself too
        assert SEED.read_bytes() == shared.read_bytes()


@pytest.mark.parametrize(
    "line, title, page",
    [
        ("A Study of Things.....5", "A Study of Things", 5),
        ("A Study of Things .... 5", "A Study of Things", 5),
        ("A Study of Things\t5", "A Study of Things", 5),
        ("A Study of Things 5", "A Study of Things", 5),
        ("A Study of Things5", "A Study of Things", 5),
        ("Scaling to 10k Tenants7", "Scaling to 10k Tenants", 7),
        ("Rethinking TCP for 400G Networks5", "Rethinking TCP for 400G Networks", 5),
        ("The Version 2.0 Story....5", "The Version 2.0 Story", 5),
        ("A Study of Things . . . . 5", "A Study of Things", 5),
        ("A Study of Things. . .5", "A Study of Things", 5),
        ("A Study of Things \u2026\u2026 5", "A Study of Things", 5),
        ("Towards 1234567 Things 5", "Towards 1234567 Things", 5),
        ("Results, et al. 5", "Results, et al.", 5),
    ],
)
def test_title_and_page_forms(line, title, page):
    _, records = parse(f"Session\n{line}\nAda Lovelace, *Analytical Engines Ltd*\n")
    assert (records[0].title, records[0].first_page.number) == (title, page)


def test_glued_digits_are_split_so_pages_increase():
    body = (
        "Networks\n"
        "Opening Remarks1\nA One, *X*\n"
        "Rethinking TCP for 400G Networks21\nB Two, *X*\n"   # "Networks2"+1 would go backwards
        "Storage at Scale31\nC Three, *X*\n"                   # page 31, not "Scale3" page 1
        "Scaling to 10k Tenants37\nD Four, *X*\n"
    )
    _, records = parse(body)
    assert [(r.title, r.first_page.number) for r in records] == [
        ("Opening Remarks", 1),
        ("Rethinking TCP for 400G Networks", 21),
        ("Storage at Scale", 31),
        ("Scaling to 10k Tenants", 37),
    ]


def test_glued_digits_use_later_pages_as_a_bound():
    # "IPv6" then page 5: reading "IPv65" as page 65 would leave no room for page 9 next.
    _, records = parse("S\nRouting with IPv65\nA One, *X*\nNext Paper9\nB Two, *X*\n")
    assert (records[0].title, records[0].first_page.number) == ("Routing with IPv6", 5)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Ada Lovelace, *Engines Ltd*", [("Ada", "Lovelace", "Engines Ltd")]),
        ("Ada Lovelace and Charles Babbage, <i>Engines Ltd</i>",
         [("Ada", "Lovelace", "Engines Ltd"), ("Charles", "Babbage", "Engines Ltd")]),
        ("A One, B Two, and C Three, *X*", [("A", "One", "X"), ("B", "Two", "X"), ("C", "Three", "X")]),
        ("A One, B Two and C Three, *X*", [("A", "One", "X"), ("B", "Two", "X"), ("C", "Three", "X")]),
        ("A One, *Intuit, Inc.*; B Two, *23andMe, Inc.*", [("A", "One", "Intuit, Inc."), ("B", "Two", "23andMe, Inc.")]),
        ("A One, *U of X and Y Center*", [("A", "One", "U of X and Y Center")]),
        ("A One, *X*; Paul Rausch; B Two, *Y*", [("A", "One", "X"), ("Paul", "Rausch", None), ("B", "Two", "Y")]),
        ("A One, <i>X</i> ; B Two, <i>Y</i>", [("A", "One", "X"), ("B", "Two", "Y")]),
        ("A One, *IBM Research\u2013Almaden*", [("A", "One", "IBM Research\u2013Almaden")]),
        ("A One, <i>AT&amp;T Labs</i>", [("A", "One", "AT&T Labs")]),
        ("Jos\u00e9 van der Berg, *Universit\u00e9 Paris*", [("Jos\u00e9", "Berg", "Universit\u00e9 Paris")]),
        ("John Smith, Jr., and Jane Doe, *X*", [("John", "Smith", "X"), ("Jane", "Doe", "X")]),
        ("Roy H Campbell, *X*", [("Roy H", "Campbell", "X")]),
        ("A One, *X*;", [("A", "One", "X")]),
    ],
)
def test_author_lines(line, expected):
    authors = parse_authors(line)
    assert [(a.given, a.family, a.affiliation) for a in authors] == expected


def test_name_particles_and_suffixes():
    van, smith, _ = parse_authors("Jos\u00e9 van der Berg, John Smith, Jr., and Jane Doe, *X*")
    assert (van.von, van.family, van.full_family) == ("van der", "Berg", "van der Berg")
    assert smith.suffix == "Jr."


def test_sessions_are_optional_and_tabs_fold():
    _, records = parse("A Paper\t3\nA One,\t*X*\n")
    assert records[0].session is None
    assert records[0].authors[0].affiliation == "X"


def test_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "toc.txt"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "S\nA Paper 3\nA One, *X*\n").encode())
    header, records = read_toc(path)
    assert header.short_name == "OpML '19" and len(records) == 1


@pytest.mark.parametrize(
    "text, line, message",
    [
        (HEADER + "S\nFirst Paper 9\nA One, *X*\nSecond Paper 5\nB Two, *X*\n", 8, "pages go backwards"),
        (HEADER + "S\nFirst Paper 9\nSecond Paper 11\nB Two, *X*\n", 7, "has no author line"),
        (HEADER + "S\nFirst Paper 9\n", 6, "has no author line"),
        (HEADER + "Just a heading\nAnother heading\n", None, "no papers found"),
        (HEADER + "S\nFirst Paper 9\nA One, *X\n", 7, "has no author line"),
        (HEADER + "S\nFirst Paper 9\nA One, *X*; ; B Two, *Y*\n", 7, "empty author group"),
        (HEADER + "S\nFirst Paper 9\n*X*; B Two, *Y*\n", 7, "has no names"),
        ("Just words\nMay 20, 2019\nHere\n", 1, "header line"),
        ("OpML '19: Conference\nSanta Clara\n", 1, "no date"),
        (HEADER + "S\nCounting 1234567 Widgets 1234567\nA One, *X*\n", 7, "line 6 ('Counting 1234567 Widgets 1234567') ends in a number too long"),
        (HEADER + "S\nNo Page Here\nA One, *X*\n", 7, "line 6 ('No Page Here') does not end in a page number"),
        (HEADER + "S\nA Paper....." + "9" * 5000 + "\nA One, *X*\n", 7, "ends in a number too long for a page number"),
        (HEADER + "S\nA Paper . . . " + "9" * 5000 + "\nA One, *X*\n", 7, "ends in a number too long for a page number"),
        (HEADER.replace("May 20", "February 30"), 2, "the date 'February 30, 2019' does not exist"),
        (HEADER.replace("May 20", "May 0"), 2, "the date 'May 0, 2019' does not exist"),
        (HEADER + "A One, *X*\nFirst Paper 9\nB Two, *X*\n", 5, "an author line with no paper title before it"),
        ("", None, "empty file"),
        ("\n\n  \n", None, "empty file"),
    ],
)
def test_broken_input_names_file_and_line(text, line, message):
    with pytest.raises(TocError) as caught:
        parse_toc(text, path="toc.txt")
    assert message in caught.value.message
    assert caught.value.path == "toc.txt"
    assert caught.value.line == line
    assert str(caught.value).startswith("toc.txt")


def test_undecodable_bytes_name_the_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes((HEADER + "S\n").encode() + "Caf\u00e9 Paper 3\n".encode("latin-1"))
    with pytest.raises(TocError) as caught:
        read_toc(path)
    assert caught.value.line == 6 and "UTF-8" in caught.value.message


def test_missing_file_is_a_domain_error(tmp_path):
    with pytest.raises(TocError, match="cannot read"):
        read_toc(tmp_path / "nope.txt")


# Arbitrary input: the parser returns records or raises TocError, never anything else.
_PIECES = st.sampled_from(
    ["\n", "\n\n", " ", "\t", "*", "<i>", "</i>", ";", ",", " and ", ".....", "Paper", "Ada Lovelace",
     "1", "7", "42", "Jr.", "OpML '19: Conf", "May 20, 2019", "Place", ":", "&amp;", "\u2013", "\ufeff"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_structured_noise_gives_records_or_a_toc_error(text):
    try:
        _, records = parse_toc(text, path="noise.txt")
    except TocError as exc:
        assert exc.path == "noise.txt"
    else:
        pages = [r.first_page.number for r in records]
        assert pages == sorted(set(pages)) and all(r.authors for r in records)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_records_or_a_toc_error(text):
    try:
        parse_toc(HEADER + text, path="noise.txt")
    except TocError:
        pass
