"""Personal names: splitting them into parts the way BibTeX does, and folding them to ASCII."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import replace

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
    # the marks NFKD splits off are not ASCII, so dropping what is not ASCII drops them too
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# Letters whose Unicode decomposition does not reach an ASCII base letter.
_NO_DECOMPOSITION = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
        "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
    }
)


# --------------------------------------------------------------- comparing names

#: DBLP tells apart people of the same name by a four-digit number after it: "Wei Wang 0001".
_DBLP_NUMBER = re.compile(r"^\d{4}$")
_GIVEN_SPLIT = re.compile(r"[\s.\-~]+")


def without_dblp_number(author: Author) -> Author:
    """The name without DBLP's number.  Read in reading order ("Wei Wang 0001") BibTeX takes
    the number for the family name and the real one for a given name; inverted ("Wang 0001,
    Wei") the number ends the family name."""
    family = author.family.split()
    if len(family) > 1 and _DBLP_NUMBER.match(family[-1]):
        return replace(author, family=" ".join(family[:-1]))
    if _DBLP_NUMBER.match(author.suffix):
        return replace(author, suffix="")
    if _DBLP_NUMBER.match(author.family) and author.given:
        given = author.given.split()
        return replace(author, given=" ".join(given[:-1]), family=given[-1])
    return author


def is_others(author: Author) -> bool:
    """BibTeX's ``and others``: more authors follow, unnamed."""
    return not author.given and not author.von and author.family.strip().lower() == "others"


@functools.lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    return ascii_fold(text).casefold().strip()


def _given_parts(given: str) -> list[str]:
    return [part for part in _GIVEN_SPLIT.split(given.casefold()) if part]


def given_names_agree(yours: str, theirs: str) -> bool:
    """Whether ``yours`` writes the given names ``theirs`` spells out: each of your parts is
    one of theirs or its initial, in order, and parts may be left out ("T. M." and
    "Theodore" for "Theodore M.", "K.-Y." for "Kuan-Yen").  Case counts no more than the
    dots after initials; accents do (compare folded names for that)."""
    return _parts_agree(_given_parts(yours), _given_parts(theirs))


def _parts_agree(mine: list[str] | tuple[str, ...], full: list[str] | tuple[str, ...]) -> bool:
    position = 0
    for part in mine:
        while position < len(full) and not (full[position] == part or (len(part) == 1 and full[position][0] == part)):
            position += 1
        if position == len(full):
            return False
        position += 1
    return True


def spelt_close(a: str, b: str) -> bool:
    """Equal, or one typo apart in a word of five letters or more (two from ten)."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    allowed = 2 if shorter >= 10 else 1
    if shorter < 5 or abs(len(a) - len(b)) > allowed:
        return False
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b, score_cutoff=allowed) <= allowed


@functools.lru_cache(maxsize=65536)
def _person(author: Author) -> tuple[str, str, tuple[str, ...]]:
    """An author's family name and given names folded to ASCII lower case, DBLP's number
    dropped, and the given names' parts (remembered: the same people recur)."""
    plain = without_dblp_number(author)
    given = _fold(plain.given)
    return _fold(plain.full_family), given, tuple(_given_parts(given))


def family_key(author: Author) -> str:
    """The family name as :func:`same_person` compares it: folded to ASCII lower case,
    without DBLP's number."""
    return _person(author)[0]


def same_person(a: Author, b: Author) -> bool:
    """Whether two written names can be the same person: family names equal once folded
    to ASCII (or a typo apart), and given names that agree as initials, with parts left
    out, as a typo or as a shortened form ("Jeff" for "Jeffrey"); DBLP's numbers are
    ignored, and so is a family name written first in reading order ("Zhang Minjia").
    """
    family_a, given_a, parts_a = _person(a)
    family_b, given_b, parts_b = _person(b)
    if spelt_close(family_a, family_b):
        if not parts_a or not parts_b:
            return True
        if _parts_agree(parts_a, parts_b) or _parts_agree(parts_b, parts_a):
            return True
        first_a, first_b = parts_a[0], parts_b[0]
        return spelt_close(first_a, first_b) or (len(first_a) > 1 and len(first_b) > 1 and (first_a.startswith(first_b) or first_b.startswith(first_a)))
    # given and family names swapped: "Zhang Minjia" read as given Zhang, family Minjia
    return bool(given_a) and given_a == family_b and given_b == family_a


def spelt_alike(yours: Author, theirs: Author) -> bool:
    """Whether ``yours`` writes ``theirs`` as the record does, up to case, initials and given
    names left out (accents and typos count; DBLP's numbers do not)."""
    yours, theirs = without_dblp_number(yours), without_dblp_number(theirs)
    return (
        yours.full_family.casefold() == theirs.full_family.casefold()
        and given_names_agree(yours.given, theirs.given)
        and (not yours.suffix or yours.suffix.casefold().rstrip(".") == theirs.suffix.casefold().rstrip("."))
    )
