"""Personal names: splitting them into parts the way BibTeX does, and folding them to ASCII."""

from __future__ import annotations

import re
import unicodedata

from .errors import OpmlbibError
from .model import Author

_SPACES = re.compile(r"\s+")
#: Generational suffixes written after a comma in reading order: "John Smith, Jr."
SUFFIX = re.compile(r"^(?:Jr\.?|Sr\.?|II|III|IV|V)$")


def parse_name(text: str, affiliation: str | None = None) -> Author:
    """Split one name, in reading order or BibTeX's ``von Last, Jr, First`` order.

    BibTeX's own rules decide the parts: the last word is the family name, lower-case
    words before it are particles (``van``, ``de la``), a comma switches to inverted order.
    One exception, as people write names: ``John Smith, Jr.`` is John Smith, suffix Jr.
    """
    clean = _SPACES.sub(" ", text).strip()
    if not clean:
        raise OpmlbibError("empty author name")
    head, comma, tail = clean.rpartition(",")
    if comma and head.strip() and "," not in head and SUFFIX.match(tail.strip()):
        reading = parse_name(head)
        return Author(reading.given, reading.family, affiliation, reading.von, tail.strip())
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    try:
        parts = parse_single_name_into_parts(clean, strict=True)
    except InvalidNameError as exc:
        raise OpmlbibError(f"cannot read the name {clean!r}: {exc}") from None
    family = " ".join(parts.last)
    if not family:
        raise OpmlbibError(f"the name {clean!r} has no family name")
    return Author(
        given=" ".join(parts.first),
        family=family,
        affiliation=affiliation,
        von=" ".join(parts.von),
        suffix=" ".join(parts.jr),
    )


def ascii_fold(text: str) -> str:
    """Drop accents and other marks: ``Müller`` → ``Muller``, ``Łukasz`` → ``Lukasz``."""
    text = text.translate(_NO_DECOMPOSITION)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()


# Letters whose Unicode decomposition does not reach an ASCII base letter.
_NO_DECOMPOSITION = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
        "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
    }
)
