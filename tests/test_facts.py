import pytest

from opmlbib.errors import DataError
from opmlbib.facts import apply_facts, parse_facts
from opmlbib.library import default_records
from opmlbib.model import Source
from opmlbib.toc import parse_toc

from .opml19_table import PAGES

TOC = (
    "W '20: 2020 Workshop on Things\nJune 1-2, 2020\nBoston, MA, USA\n\n"
    "Session\nFirst Paper 1\nAda Lovelace, *Engines*\nSecond Paper 5\nCharles Babage, *Engines*\n"
)


def records():
    return parse_toc(TOC)[1]


def test_embedded_pages_carry_the_publishers_figures_where_known():
    for record, (first, last, source) in zip(default_records(), PAGES, strict=True):
        assert record.first_page.number == first
        if last is None:
            assert record.last_page is None
        else:
            assert record.last_page.number == last
            assert record.last_page.source.name.lower() == source


def test_embedded_venue_and_corrections():
    by_key = {r.key: r for r in default_records()}
    tony = by_key["hsu2019tony"]
    assert tony.venue.booktitle == "2019 USENIX Conference on Operational Machine Learning (OpML 19)"
    assert (tony.venue.address, tony.venue.publisher, tony.venue.isbn) == (
        "Santa Clara, CA", "USENIX Association", "978-1-939133-00-7")
    assert (tony.venue.year, tony.venue.month, tony.venue.day) == (2019, 5, 20)
    assert tony.url == "https://www.usenix.org/conference/opml19/presentation/hsu"
    assert "USENIX record" in tony.last_page.detail
    knet = by_key["biookaghazadeh2019knowledgenet"]
    assert knet.authors[0].family == "Biookaghazadeh"
    note = next(n for n in knet.notes if n.field == "author 1 family")
    assert note.source is Source.PUBLISHER and "'Biokaghazadeh'" in note.detail
    assert by_key["zhang2019accelerating"].url.endswith("/zhang-minjia")
    # No slug was seen for these two, so no URL is invented.
    assert by_key["ghanta2019mpp"].url is None
    assert by_key["ananthanarayanan2019opportunities"].url is None
    assert "Microsoft" in by_key["soifer2019deep"].case_protected


def test_header_date_range_and_facts_applied():
    facts = parse_facts(
        '[sources]\nx = "X proceedings"\n[venue]\npublisher = "P"\nsource = "x"\n'
        '[[papers]]\nfirst_page = 1\nfirst_author = "Lovelace"\nlast_page = 3\nlast_page_source = "x"\n'
        'doi = "10.1/abc"\n[[papers.corrections]]\nauthor = 1\ngiven = "Augusta Ada"\nsource = "x"\n'
    )
    first, second = apply_facts(records(), facts)
    assert (first.venue.year, first.venue.month, first.venue.day) == (2020, 6, 1)
    assert first.venue.publisher == "P" and second.venue.publisher == "P"
    assert first.last_page.number == 3 and first.last_page.detail == "X proceedings"
    assert first.doi == "10.1/abc" and first.authors[0].given == "Augusta Ada"
    assert second.last_page is None


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[[papers]]\nfirst_page = 2\n", "no paper starts there"),
        ('[[papers]]\nfirst_page = 1\nfirst_author = "Babbage"\n', "facts are for a paper by Babbage"),
        ('[[papers]]\nfirst_page = 1\nlast_page = 5\nlast_page_source = "s"\n', "cannot end on page 5"),
        ("[[papers]]\nfirst_page = 1\nlast_page = 3\n", "without a source"),
        ('[[papers]]\nfirst_page = 1\n[[papers.corrections]]\nauthor = 4\nfamily = "X"\nsource = "s"\n', "author 4"),
        ("[[papers]]\nlast_page = 5\n", "integer first_page"),
        ("papers = 3\n", "array of tables"),
        ("[case]\nproper_nouns = [1]\n", "list of words"),
        ("[venue\n", "not valid TOML"),
        ("a = " + "[" * 1000 + "]" * 1000 + "\n", "nested too deeply"),
        ("[[papers]]\nfirst_page = " + "9" * 5000 + "\n", "more than 4,300 digits"),
        ("[[papers]]\nfirst_page = 1\nlast_page = 0x" + "f" * 5000 + "\n", r"papers\[0\]\.last_page: an integer outside"),
    ],
)
def test_facts_that_do_not_fit_are_refused(toml, message):
    with pytest.raises(DataError, match=message):
        apply_facts(records(), parse_facts(toml, "meta.toml"))


def test_toml_errors_carry_the_line():
    with pytest.raises(DataError) as caught:
        parse_facts('[venue]\npublisher = "x"\nisbn = \n', "meta.toml")
    assert caught.value.path == "meta.toml" and caught.value.line == 3
