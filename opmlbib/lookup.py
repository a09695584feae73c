"""Finding records by what people remember of them: a system name, a few title words in any
order, a typo, an author's surname or a citation key.

Every record gets normalized fields once (ASCII-folded, lower-case, punctuation to spaces):
its key, its title, the title's head before a colon (the system name: ``katib``), the title's
words, and its authors' family names.  A query is normalized the same way and scored 0–100
against each field with rapidfuzz; a record's score is the best of its weighted field scores:

==========================  ======  ==================================================
field (rapidfuzz scorer)    weight  why
==========================  ======  ==================================================
key, exact                  100     a key names one record: it wins outright
title head (ratio)          1.00    ``TonY``, ``Katib``, ``tensorflow tracing``
one title word (ratio)      1.00    acronyms and names inside a title: ``TFX``,
                                    ``DeepCPU``; typos: ``Continous``
title (token_set_ratio)     0.95    words in any order, partial or whole titles;
                                    a little below an exact name
key prefix                  0.95    ``hsu2019``
first author (ratio)        0.95    ``Zinkevich`` finds his paper
other authors (ratio)       0.90    a co-author is a weaker hint than a first author
==========================  ======  ==================================================

Stop words are dropped from multi-word queries and titles before ``token_set_ratio``, so
"on the" in a nonsense query does not match every title.  One-word scorers ignore query
words of one or two letters against long fields, where ratio is noise.

Below :data:`THRESHOLD` a record does not match at all.  When the best two matches are
within :data:`AMBIGUITY_MARGIN` of each other, :func:`resolve` refuses to guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .errors import AmbiguousQuery, NoMatch
from .model import Record
from .names import ascii_fold

#: Scores below this are not matches (nonsense scores 40–60 against these titles).
THRESHOLD = 72.0
#: Best and second-best closer than this: the query fits both, so nothing is guessed.
AMBIGUITY_MARGIN = 4.0
#: Weaker candidates still worth naming as "did you mean" suggestions.
SUGGESTION_FLOOR = 50.0

_STOP = frozenset("a an and are as at by for from in into is of on or the to via with".split())

WEIGHT_HEAD = 1.0
WEIGHT_WORD = 1.0
WEIGHT_TITLE = 0.95
WEIGHT_KEY_PREFIX = 0.95
WEIGHT_FIRST_AUTHOR = 0.95
WEIGHT_AUTHOR = 0.90


@dataclass(frozen=True)
class Match:
    record: Record
    score: float


@dataclass(frozen=True)
class _Fields:
    key: str
    title: str
    content: str  # title without stop words
    head: str
    words: tuple[str, ...]
    first_author: str
    authors: tuple[str, ...]


def normalize(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_fold(text).lower()).split())


def _content(text: str) -> str:
    return " ".join(word for word in text.split() if word not in _STOP)


def _fields(record: Record) -> _Fields:
    title = normalize(record.title)
    head, colon, _ = record.title.partition(":")
    families = tuple(normalize(a.full_family) for a in record.authors)
    return _Fields(
        key=record.key.lower(),
        title=title,
        content=_content(title),
        head=normalize(head) if colon else "",
        words=tuple(dict.fromkeys(title.split())),
        first_author=families[0] if families else "",
        authors=families[1:],
    )


_CACHE: dict[int, tuple[Sequence[Record], list[_Fields]]] = {}


def _indexed(records: Sequence[Record]) -> list[_Fields]:
    cached = _CACHE.get(id(records))
    if cached is None or cached[0] is not records:
        cached = (records, [_fields(r) for r in records])
        _CACHE.clear()
        _CACHE[id(records)] = cached
    return cached[1]


def score(fields: _Fields, query: str) -> float:
    """The weighted best field score of one record for a normalized query."""
    from rapidfuzz import fuzz, process

    if query.replace(" ", "") == fields.key:
        return 100.0
    if not _content(query):  # empty, or only stop words: "the" names nothing
        return 0.0
    best = 0.0
    if fields.key.startswith(query.replace(" ", "")) and len(query) >= 4:
        best = 100.0 * WEIGHT_KEY_PREFIX
    if fields.head:
        best = max(best, fuzz.ratio(query, fields.head) * WEIGHT_HEAD)
    single = " " not in query
    if single and len(query) >= 2:
        hit = process.extractOne(query, fields.words, scorer=fuzz.ratio)
        if hit:
            best = max(best, hit[1] * WEIGHT_WORD)
    content_query = _content(query)
    if content_query and (not single or len(query) >= 4):
        best = max(best, fuzz.token_set_ratio(content_query, fields.content) * WEIGHT_TITLE)
    if single and len(query) >= 3:
        if fields.first_author:
            best = max(best, fuzz.ratio(query, fields.first_author) * WEIGHT_FIRST_AUTHOR)
        hit = process.extractOne(query, fields.authors, scorer=fuzz.ratio) if fields.authors else None
        if hit:
            best = max(best, hit[1] * WEIGHT_AUTHOR)
    return round(best, 1)


def search(records: Sequence[Record], query: str, *, limit: int | None = None, floor: float = THRESHOLD) -> list[Match]:
    """Records scoring at least ``floor`` for ``query``, best first (ties in library order)."""
    normalized = normalize(query)
    scored = [Match(record, score(fields, normalized)) for record, fields in zip(records, _indexed(records))]
    ranked = sorted((m for m in scored if m.score >= floor), key=lambda m: -m.score)
    return ranked if limit is None else ranked[:limit]


def resolve(records: Sequence[Record], query: str, *, first: bool = False) -> Record:
    """The one record ``query`` means.

    An exact key wins outright.  Otherwise raises :class:`NoMatch` (with the closest
    suggestions) when nothing reaches the threshold, and :class:`AmbiguousQuery` (with the
    candidates) when the best two are too close to tell apart, unless ``first``.
    """
    lowered = query.strip().lower()
    for record in records:
        if record.key.lower() == lowered:
            return record
    matches = search(records, query)
    if not matches:
        suggestions = search(records, query, limit=3, floor=SUGGESTION_FLOOR)
        raise NoMatch(query, tuple((m.record.key, m.record.title, m.score) for m in suggestions))
    if not first and len(matches) > 1 and matches[0].score - matches[1].score < AMBIGUITY_MARGIN:
        close = [m for m in matches if matches[0].score - m.score < AMBIGUITY_MARGIN]
        raise AmbiguousQuery(query, tuple((m.record.key, m.record.title, m.score) for m in close))
    return matches[0].record
