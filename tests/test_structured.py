import pytest

from opmlbib.errors import BibError, DataError
from opmlbib.structured import load_json, load_toml


def json_error(text):
    with pytest.raises(BibError) as caught:
        load_json(text, "items.json", BibError)
    assert caught.value.path == "items.json"
    return caught.value


def test_json_is_read():
    assert load_json('[{"id": "a", "page": 12, "x": 1.5, "n": null}]', "items.json", BibError) == [
        {"id": "a", "page": 12, "x": 1.5, "n": None}
    ]


def test_json_nested_a_thousand_deep_is_an_error_on_its_line():
    error = json_error('[{"id": "a",\n "note": "[[[ not nesting",\n "title": ' + "[" * 1000 + "]" * 1000 + "}]")
    assert error.message == "arrays and objects nested 1,002 deep, too deep to read"
    assert error.line == 3


def test_an_integer_python_cannot_read_is_an_error_on_its_line():
    error = json_error('[{"id": "a",\n "page": ' + "9" * 5000 + "}]")
    assert error.message == "a number of more than 4,300 digits" and error.line == 2


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_numbers_that_are_not_finite_are_errors(number):
    error = json_error('[{"id": "a",\n "issued": {"date-parts": [[' + number + "]]}}]")
    assert error.message == f"{number} is not a number opmlbib can use" and error.line == 2


def test_json_syntax_errors_keep_their_line():
    assert json_error('[{"id": "a",\n "title": }]').line == 2


def test_toml_is_read_with_64_bit_integers():
    data = load_toml(f"low = {-(1 << 63)}\nhigh = {(1 << 63) - 1}\nhex = 0x7fffffffffffffff\n", "m.toml", DataError)
    assert data == {"low": -(1 << 63), "high": (1 << 63) - 1, "hex": (1 << 63) - 1}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("a = " + "[" * 1000 + "]" * 1000 + "\n", "arrays or tables nested too deeply to read", None),
        ("a = " + "{b = " * 1000 + "1" + "}" * 1000 + "\n", "arrays or tables nested too deeply to read", None),
        ("[x]\n\nn = " + "9" * 5000 + "\n", "a number of more than 4,300 digits", 3),
        ("[x]\nn = [1, 0x" + "f" * 5000 + "]\n", "x.n[1]: an integer outside the 64-bit range of TOML integers", None),
        (f"n = {1 << 63}\n", "n: an integer outside the 64-bit range of TOML integers", None),
        ("[venue\n", "not valid TOML", 1),
    ],
)
def test_toml_that_python_cannot_read_is_an_error(text, message, line):
    with pytest.raises(DataError) as caught:
        load_toml(text, "m.toml", DataError)
    assert message in caught.value.message
    assert (caught.value.path, caught.value.line) == ("m.toml", line)
