import pytest

from opmlbib.errors import OpmlbibError
from opmlbib.names import ascii_fold, parse_name


@pytest.mark.parametrize(
    "text, given, von, family, suffix",
    [
        ("Anthony Hsu", "Anthony", "", "Hsu", ""),
        ("Roy H Campbell", "Roy H", "", "Campbell", ""),
        ("Theodore M. Wong", "Theodore M.", "", "Wong", ""),
        ("Md Shahriar Iqbal", "Md Shahriar", "", "Iqbal", ""),
        ("Kuan-Yen Chou", "Kuan-Yen", "", "Chou", ""),
        ("Ludwig van Beethoven", "Ludwig", "van", "Beethoven", ""),
        ("Charles de la Vall\u00e9e Poussin", "Charles", "de la", "Vall\u00e9e Poussin", ""),
        ("Hsu, Anthony", "Anthony", "", "Hsu", ""),
        ("van Beethoven, Ludwig", "Ludwig", "van", "Beethoven", ""),
        ("John Smith, Jr.", "John", "", "Smith", "Jr."),
        ("Smith, Jr., John", "John", "", "Smith", "Jr."),
        ("Plato", "", "", "Plato", ""),
        ("  Ada   Lovelace ", "Ada", "", "Lovelace", ""),
    ],
)
def test_parse_name(text, given, von, family, suffix):
    author = parse_name(text)
    assert (author.given, author.von, author.family, author.suffix) == (given, von, family, suffix)


def test_display_puts_the_name_back_in_reading_order():
    assert parse_name("van Beethoven, Jr., Ludwig").display == "Ludwig van Beethoven, Jr."


@pytest.mark.parametrize("text", ["", "   ", "Smith, John, Jr., Extra"])
def test_unreadable_names(text):
    with pytest.raises(OpmlbibError):
        parse_name(text)


@pytest.mark.parametrize(
    "text, folded",
    [
        ("M\u00fcller", "Muller"),
        ("\u0141ukasz \u017b\u00f3\u0142\u0107", "Lukasz Zolc"),
        ("Stra\u00dfe", "Strasse"),
        ("\u00c6sir \u00f8re", "AEsir ore"),
        ("Biookaghazadeh", "Biookaghazadeh"),
        ("\u6f22\u5b57", ""),
    ],
)
def test_ascii_fold(text, folded):
    assert ascii_fold(text) == folded


# --------------------------------------------------------------- comparing names

from opmlbib.model import Author  # noqa: E402
from opmlbib.names import given_names_agree, is_others, same_person, spelt_alike, without_dblp_number  # noqa: E402


def _bib_name(text):
    from opmlbib.bibtex import parse_bibtex

    (record,) = parse_bibtex(f"@misc{{x, author={{{text}}}}}\n")
    return record.authors


@pytest.mark.parametrize("written", ["Wei Wang 0001", "Wang 0001, Wei", "Wang, Wei"])
def test_dblp_numbers_are_not_part_of_the_name(written):
    (author,) = _bib_name(written)
    plain = without_dblp_number(author)
    assert (plain.given, plain.family) == ("Wei", "Wang")


def test_others_is_not_a_person():
    assert [is_others(a) for a in _bib_name("Hsu, Anthony and others")] == [False, True]


@pytest.mark.parametrize("yours, theirs, agree", [
    ("T. M.", "Theodore M.", True), ("Theodore", "Theodore M.", True), ("K.-Y.", "Kuan-Yen", True),
    ("K. Y.", "Kuan-Yen", True), ("", "Anthony", True), ("anthony", "Anthony", True), ("Roy H.", "Roy H", True),
    ("Tony", "Anthony", False), ("Jeff", "Jeffrey", False), ("M. T.", "Theodore M.", False), ("B.", "Anthony", False),
])
def test_given_names_agree(yours, theirs, agree):
    assert given_names_agree(yours, theirs) is agree


@pytest.mark.parametrize("a, b, same", [
    (Author("A.", "Hsu"), Author("Anthony", "Hsu"), True),
    (Author("Saman", "Biokaghazadeh"), Author("Saman", "Biookaghazadeh"), True),  # a typo
    (Author("J\u00fcrgen", "M\u00fcller"), Author("Jurgen", "Muller"), True),  # accents
    (Author("Wei Wang", "0001"), Author("Wei", "Wang"), True),  # DBLP, reading order
    (Author("Zhang", "Minjia"), Author("Minjia", "Zhang"), True),  # family name first
    (Author("Jeff", "Rasley"), Author("Jeffrey", "Rasley"), True),
    (Author("Jason", "Li"), Author("Mingqin", "Li"), False),
    (Author("Wei", "Wang"), Author("Wenhan", "Wang"), False),
    (Author("Ken", "Yocum"), Author("Ken", "Yokum"), True),  # one typo in five letters or more
    (Author("Wei", "Wang"), Author("Wei", "Wong"), False),  # in four letters, another name
    (Author("Anthony", "Hsu"), Author("Anthony", "Hu"), False),
])
def test_same_person(a, b, same):
    assert same_person(a, b) is same and same_person(b, a) is same


@pytest.mark.parametrize("yours, theirs, alike", [
    (Author("A.", "Hsu"), Author("Anthony", "Hsu"), True),
    (Author("anthony", "hsu"), Author("Anthony", "Hsu"), True),
    (Author("Wei Wang", "0001"), Author("Wei", "Wang"), True),
    (Author("Saman", "Biokaghazadeh"), Author("Saman", "Biookaghazadeh"), False),
    (Author("Jurgen", "Muller"), Author("J\u00fcrgen", "M\u00fcller"), False),
    (Author("Tony", "Hsu"), Author("Anthony", "Hsu"), False),
])
def test_spelt_alike(yours, theirs, alike):
    assert spelt_alike(yours, theirs) is alike
