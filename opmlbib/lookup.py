"""Finding records by what people remember of them: a system name, a few title words in any
order, a typo, an author's name, an affiliation or a citation key.

Every record list is indexed once (cached by identity): each field is ASCII-folded,
lower-cased and has its punctuation turned into spaces.  A query is normalized the same way
and each field is scored 0–100 with a rapidfuzz scorer, over all records in one
``process.extract`` call per field; a record's score is the best of its weighted field
scores:

==============================  ======  ================================================
field (rapidfuzz scorer)        weight  why
==============================  ======  ================================================
key, exact                      100     a key names one record: it wins outright
title head (ratio)              1.00    the part before a colon is the system's name:
                                        ``TonY``, ``Katib``, ``tensorflow tracing``
one title word (ratio)          1.00    acronyms and names inside a title: ``TFX``,
                                        ``DeepCPU``; typos: ``Continous``
title (token_set_ratio)         0.95    words in any order, partial or whole titles;
                                        a little below an exact name
title words, one by one         0.95    several words with typos: ``continous
(mean of each query word's              training``; a word near no title word (under
best ratio)                             60) counts 0, words under four letters exactly
key prefix                      0.95    ``hsu2019``
first author (ratio)            0.95    ``Zinkevich`` finds his paper
first author's full name        0.95    ``Anthony Hsu`` (token_sort_ratio: either order)
other authors (ratio)           0.90    a co-author is a weaker hint than a first author,
                                        so ``Zhang`` prefers the paper Zhang led
other authors' full names       0.90    ``Zhe Zhang``
title and surnames together     0.90    ``hashemi tracing``: remembered author plus title
(token_set_ratio)                       words; below the title alone, which it contains
affiliation (token_set_ratio)   0.85    ``LinkedIn``; the weakest hint, since one
                                        institution often wrote several papers
==============================  ======  ================================================

Stop words (and "et al") are dropped from queries and titles before ``token_set_ratio``,
so "on the" in a nonsense query does not match every title, and a query that is one word
apart from them counts as one word.  Whole-query scorers apply to one-word queries of four
letters or more only, and surnames of one or two letters must match exactly: on such short
strings ``ratio`` is noise ("Li" is 80 % like "Liu").

Below :data:`THRESHOLD` a record does not match at all; nonsense such as "quantum
chromodynamics on the lattice" scores at most 38.1 against the OpML '19 papers.  When the best two
matches are within :data:`AMBIGUITY_MARGIN` of each other, :func:`resolve` refuses to guess.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence

from .errors import AmbiguousQuery, NoMatch
from .model import Record
from .names import ascii_fold

#: Scores below this are not matches.
THRESHOLD = 72.0
#: Best and second-best closer than this: the query fits both, so nothing is guessed.
AMBIGUITY_MARGIN = 4.0
#: Weaker candidates still worth naming as "did you mean" suggestions.
SUGGESTION_FLOOR = 50.0

_STOP = frozenset("a an and are as at by et al for from in into is of on or the to via with".split())

WEIGHT_HEAD = 1.0
WEIGHT_WORD = 1.0
WEIGHT_TITLE = 0.95
WEIGHT_WORDS = 0.95
#: In the word-by-word title score, a query word closer to no title word than this counts 0.
WORD_FLOOR = 60.0
WEIGHT_KEY_PREFIX = 0.95
WEIGHT_FIRST_AUTHOR = 0.95
WEIGHT_AUTHOR = 0.90
WEIGHT_TITLE_AND_NAMES = 0.90
WEIGHT_AFFILIATION = 0.85


class Match(NamedTuple):
    """A record and its score (a named tuple: cheaper to define than a dataclass, and as
    immutable)."""

    record: Record
    score: float


class _Field:
    """One field over all records: its strings, and the record each string belongs to."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.owners: list[int] = []

    def add(self, owner: int, text: str) -> None:
        if text:
            self.texts.append(text)
            self.owners.append(owner)


class _Index:
    """Every field of a record list, each folded as :func:`normalize` folds it."""

    __slots__ = ("keys", "heads", "words", "titles", "first_authors", "authors", "first_names", "names",
                 "titles_and_names", "affiliations")

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.heads = _Field()
        self.words = _Field()
        self.titles = _Field()  # without stop words
        self.first_authors = _Field()
        self.authors = _Field()  # everyone but the first author
        self.first_names = _Field()  # "given family" of the first author
        self.names = _Field()  # "given family" of the others
        self.titles_and_names = _Field()
        self.affiliations = _Field()


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """ASCII-folded, lower-case, punctuation to single spaces: ``TensorFlow-Tracing:`` → ``tensorflow tracing``."""
    if not text.isascii():
        text = ascii_fold(text)
    return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())


def _content(text: str) -> str:
    return " ".join(word for word in text.split() if word not in _STOP)


def _build(records: Sequence[Record]) -> _Index:
    index = _Index(tuple(r.key.lower() for r in records))
    seen: dict[str, str] = {}  # names and affiliations recur across a bibliography

    def norm(text: str) -> str:
        if text not in seen:
            seen[text] = normalize(text)
        return seen[text]

    for i, record in enumerate(records):
        title = normalize(record.title)
        head, colon, _ = record.title.partition(":")
        if colon:
            index.heads.add(i, normalize(head))
        for word in dict.fromkeys(title.split()):
            index.words.add(i, word)
        content = _content(title)
        index.titles.add(i, content)
        families = []
        for n, author in enumerate(record.authors):
            family = norm(author.full_family)
            families.append(family)
            (index.first_authors if n == 0 else index.authors).add(i, family)
            (index.first_names if n == 0 else index.names).add(i, norm(author.display))
        index.titles_and_names.add(i, " ".join([content, *families]))
        for affiliation in dict.fromkeys(a.affiliation for a in record.authors if a.affiliation):
            index.affiliations.add(i, _content(norm(affiliation)))
    return index


_CACHE: dict[int, tuple[Sequence[Record], _Index]] = {}


def _indexed(records: Sequence[Record]) -> _Index:
    cached = _CACHE.get(id(records))
    if cached is None or cached[0] is not records:
        cached = (records, _build(records))
        _CACHE.clear()
        _CACHE[id(records)] = cached
    return cached[1]


def _scores(index: _Index, query: str, floor: float) -> list[float]:
    """Each record's weighted best field score for a normalized ``query``.

    Only scores of at least ``floor`` are exact; lower ones may read as 0.
    """
    from rapidfuzz import fuzz, process

    best = [0.0] * len(index.keys)
    compact = query.replace(" ", "")
    words = _content(query)
    if not words:  # empty, or only stop words: "the" names nothing, but a key still names its record
        return [100.0 if key == compact else 0.0 for key in index.keys]
    single = " " not in words

    def take(field: _Field, text: str, scorer, weight: float, exact: bool = False) -> None:
        cutoff = 100.0 if exact else min(100.0, floor / weight)
        for _, value, position in process.extract(text, field.texts, scorer=scorer, limit=None, score_cutoff=cutoff):
            owner = field.owners[position]
            best[owner] = max(best[owner], value * weight)

    for i, key in enumerate(index.keys):
        if key == compact:
            best[i] = 100.0
        elif len(compact) >= 4 and key.startswith(compact):
            best[i] = 100.0 * WEIGHT_KEY_PREFIX
    take(index.heads, query, fuzz.ratio, WEIGHT_HEAD)
    if single:
        take(index.words, words, fuzz.ratio, WEIGHT_WORD)
        take(index.first_authors, words, fuzz.ratio, WEIGHT_FIRST_AUTHOR, exact=len(words) < 3)
        take(index.authors, words, fuzz.ratio, WEIGHT_AUTHOR, exact=len(words) < 3)
    else:
        _take_words(index, words.split(), best)
        take(index.first_names, words, fuzz.token_sort_ratio, WEIGHT_FIRST_AUTHOR)
        take(index.names, words, fuzz.token_sort_ratio, WEIGHT_AUTHOR)
        take(index.titles_and_names, words, fuzz.token_set_ratio, WEIGHT_TITLE_AND_NAMES)
    if not single or len(words) >= 4:
        take(index.titles, words, fuzz.token_set_ratio, WEIGHT_TITLE)
        take(index.affiliations, words, fuzz.token_set_ratio, WEIGHT_AFFILIATION)
    return [round(value, 1) for value in best]


def _take_words(index: _Index, query_words: list[str], best: list[float]) -> None:
    """Title words, word by word: each query word scores its closest title word (``ratio``;
    exact for words under four letters, and 0 below :data:`WORD_FLOOR`), and a record scores
    the mean over the query's words, so "continous training" finds "Continuous Training"."""
    from rapidfuzz import fuzz, process

    totals: dict[int, float] = {}
    for word in query_words:
        cutoff = 100.0 if len(word) < 4 else WORD_FLOOR
        word_best: dict[int, float] = {}
        for _, value, position in process.extract(
            word, index.words.texts, scorer=fuzz.ratio, limit=None, score_cutoff=cutoff
        ):
            owner = index.words.owners[position]
            word_best[owner] = max(word_best.get(owner, 0.0), value)
        for owner, value in word_best.items():
            totals[owner] = totals.get(owner, 0.0) + value
    for owner, total in totals.items():
        best[owner] = max(best[owner], total / len(query_words) * WEIGHT_WORDS)


def search(records: Sequence[Record], query: str, *, limit: int | None = None, floor: float = THRESHOLD) -> list[Match]:
    """Records scoring at least ``floor`` for ``query``, best first (ties in library order)."""
    scores = _scores(_indexed(records), normalize(query), floor)
    ranked = sorted(
        (Match(record, value) for record, value in zip(records, scores) if value >= floor),
        key=lambda m: -m.score,
    )
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
