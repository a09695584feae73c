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
