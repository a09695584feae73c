"""Rich text in CSL-JSON values: read as citeproc-js reads it, printed with flip-flops."""

import pytest

from opmlbib import markup
from opmlbib.markup import QUOTE_CLOSE, QUOTE_OPEN, Quotes


def html(text: str, quoted: bool = False, quotes: Quotes = Quotes()) -> str:
    parsed = markup.parse(text, quotes)
    if quoted:
        parsed = QUOTE_OPEN + parsed + QUOTE_CLOSE
    return markup.strip_marks(markup.render(parsed, "html", quotes))


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("My <i>Amazing</i> Title", "My <i>Amazing</i> Title"),
        ("<b>Bold</b> and <sc>Small</sc>", '<b>Bold</b> and <span style="font-variant:small-caps;">Small</span>'),
        ('<span style="font-variant: small-caps">X</span>', '<span style="font-variant:small-caps;">X</span>'),
        ("H<sub>2</sub>O<sup>+</sup>", "H<sub>2</sub>O<sup>+</sup>"),
        ('A <span class="nocase">iPod</span>', 'A <span class="nocase">iPod</span>'),  # for the engine
        ("<b>unclosed", "<b>unclosed"),
        ("Plato's l'Égypte", "Plato\u2019s l\u2019\u00c9gypte"),
        ("ETFA '09", "ETFA \u201909"),
        ('Speak, "friend," and enter', "Speak, \u201cfriend,\u201d and enter"),
        ("'Parmenides' and Plato's", "\u201cParmenides\u201d and Plato\u2019s"),
        ("“Typographic” quotes", "\u201cTypographic\u201d quotes"),
    ],
)
def test_markup_as_citeproc_js_reads_it(value, printed):
    assert html(value) == printed


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("My <i>Amazing</i> Title", "<i>My <span style=\"font-style:normal;\">Amazing</span> Title</i>"),
        ("Speak, <b>friend</b>", "<i>Speak, <b>friend</b></i>"),
        ('Lessard <span class="nodecor">v.</span> Schmidt', '<i>Lessard <span style="font-style:normal;">v.</span> Schmidt</i>'),
    ],
)
def test_formatting_flips_inside_the_same_formatting(value, printed):
    parsed = markup.parse(value)
    assert markup.render("<i>" + parsed + "</i>", "html") == printed


def test_quotes_inside_quotes_are_inner_quotes():
    assert html('My "Amazing" Title', quoted=True) == "\u201cMy \u2018Amazing\u2019 Title\u201d"
    assert html("My 'Amazing' Title", quoted=True) == "\u201cMy \u2018Amazing\u2019 Title\u201d"
    assert html("“A ‘B’ C”", quoted=True) == "\u201c\u2018A \u201cB\u201d C\u2019\u201d"
    french = Quotes("«\u00a0", "\u00a0»", "\u201c", "\u201d")
    assert html('Life\'s "Little" Surprises', quoted=True, quotes=french) == "«\u00a0Life\u2019s \u201cLittle\u201d Surprises\u00a0»"


def test_text_and_markdown_output():
    parsed = markup.parse('<i>A</i> "B" <b>C</b>')
    assert markup.strip_marks(markup.render(parsed, "text")) == "A \u201cB\u201d C"
    assert markup.strip_marks(markup.render(parsed, "markdown")) == "*A* \u201cB\u201d **C**"


def test_plain_text_is_left_alone():
    assert markup.parse("No markup here") == "No markup here"
    assert markup.plain(markup.parse("<i>A</i> 'b'")) == "A b"


def test_tags_that_cross_are_text_up_to_the_one_that_closes():
    italic_open, italic_close = markup._KINDS["italic"][:2]
    assert markup.parse("<i>crossed <b>tags</i></b>") == italic_open + "crossed <b>tags" + italic_close + "</b>"
