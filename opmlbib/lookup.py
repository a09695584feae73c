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

A word written split or joined costs nothing: each pair of adjacent title words is also
indexed joined ("cyber security" as ``cybersecurity``), and in the word-by-word score two
adjacent query words may stand together for one title word ("data base" for ``database``)
when joined they match it at :data:`JOINED_FLOOR` or more; the pair then counts as two words.

A DOI or URL as the query (``10.1145/...``, ``doi:...``, ``https://doi.org/...``,
``https://...``) finds the records that carry it, with score 100, and nothing else: see
:func:`identifier`.

Below :data:`THRESHOLD` a record does not match at all; nonsense such as "quantum
chromodynamics on the lattice" scores at most 38.1 against the OpML '19 papers.  When the best two
matches are within :data:`AMBIGUITY_MARGIN` of each other, :func:`resolve` refuses to guess.

A search scores only the strings that can reach a field's cutoff, and finds what scoring
every string finds: ``ratio`` and ``token_sort_ratio`` cannot reach it on a string much
shorter or longer than the query, nor ``token_set_ratio`` on such a string sharing no word
with it.  So each field keeps its strings shortest first, and the titles sharing a word
with the query are found through the records that have the word in their title or names
(:class:`Field`, :meth:`Columns.sharing`, :func:`_closest`).
"""

from __future__ import annotations

import functools
import re
from typing import Callable, Collection, Iterable, NamedTuple, Sequence

from .errors import AmbiguousQuery, NoMatch
from .model import Author, Record
from .names import ascii_fold, is_others, same_person, spelt_close

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
#: Two adjacent query words joined stand for one title word only this close to it (a typo).
JOINED_FLOOR = 85.0
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


class Field:
    """One field over all records: each distinct string once, shortest first, and the records
    that have it (positions ``owners[offsets[i]:offsets[i + 1]]`` for string ``i``, in record
    order).

    The strings are kept as one text, a line each (``joined``; string ``i`` runs from
    ``starts[i]`` to the line's end), and split into a list only where a search needs them.
    Kept in order of length, the strings a scorer can score high enough are found without
    scoring the others (:func:`_closest`): those of a length in a range are a slice.  A field
    holding one string per record at most (:data:`TITLE_SETS`) also has ``placed``: each
    record's position, or -1."""

    __slots__ = ("joined", "starts", "offsets", "owners", "placed")

    def __init__(self, joined: str, starts: Sequence[int], offsets: Sequence[int], owners: Sequence[int],
                 placed: Sequence[int] | None = None) -> None:
        self.joined, self.starts, self.offsets, self.owners, self.placed = joined, starts, offsets, owners, placed

    @classmethod
    def of(cls, texts: list[str], offsets: Sequence[int], owners: Sequence[int],
           placed: Sequence[int] | None = None) -> Field:
        """The field of ``texts`` (shortest first, none holding a line break)."""
        from array import array
        from itertools import accumulate, count
        from operator import add

        # string i starts after the i strings before it and their i line breaks
        starts = array("q", map(add, accumulate(map(len, texts), initial=0), count()))
        return cls("\n".join(texts), starts, offsets, owners, placed)

    def __len__(self) -> int:
        return len(self.starts) - 1

    @property
    def texts(self) -> list[str]:
        return self.slice(range(len(self)))

    def slice(self, positions: range) -> list[str]:
        """The strings at ``positions`` (a range)."""
        if not positions:
            return []
        return self.joined[self.starts[positions.start]: self.starts[positions.stop] - 1].split("\n")

    def text(self, position: int) -> str:
        return self.joined[self.starts[position]: self.starts[position + 1] - 1]

    def owners_of(self, position: int) -> Sequence[int]:
        return self.owners[self.offsets[position]: self.offsets[position + 1]]

    def sized(self, low: float, high: float) -> range:
        """The positions of the strings at least ``low`` and at most ``high`` characters long."""
        from bisect import bisect_left, bisect_right

        starts = self.starts

        def length(position: int) -> int:
            return starts[position + 1] - starts[position] - 1

        positions = range(len(self))
        return range(bisect_left(positions, low, key=length), bisect_right(positions, high, key=length))

    def find(self, text: str) -> int | None:
        """The position of ``text``, if the field has it."""
        sized = self.sized(len(text), len(text))
        try:
            return sized.start + self.slice(sized).index(text)
        except ValueError:
            return None

    def holding(self, words: Iterable[str]) -> set[int]:
        """The positions of the strings that have one of ``words`` (folded words, as
        :func:`normalize` makes them) as a whole word, found by searching the text."""
        joined = self.joined
        found = set()
        for word in words:
            line, counted = 0, 0
            # the word, then no letter or digit; a letter or digit before it is ruled out below
            for match in re.finditer(re.escape(word) + "(?![a-z0-9])", joined):
                at = match.start()
                if at == 0 or not joined[at - 1].isalnum():
                    line += joined.count("\n", counted, at)
                    counted = at
                    found.add(line)
        return found


def _field(table: dict[str, list[int]], records: int | None = None) -> Field:
    """A field from each distinct string and the records that have it; given the number of
    ``records``, each having one string at most, it knows where each record's string is."""
    from array import array
    from itertools import accumulate, chain, count, repeat

    texts = sorted(table, key=len)
    lists = list(map(table.__getitem__, texts))
    owners = array("i", list(chain.from_iterable(lists)))  # from a list: its size known, faster
    placed = None
    if records is not None:  # each owner's position: position i once for each of its owners
        where = dict(zip(owners, chain.from_iterable(map(repeat, count(), map(len, lists)))))
        placed = array("i", map(where.get, range(records), repeat(-1)))
    return Field.of(texts, array("i", accumulate(map(len, lists), initial=0)), owners, placed)


#: The fields :class:`Columns` holds, each folded as :func:`normalize` folds it.
FIELDS = (
    "heads",  # the title before a colon
    "words",  # title words, then adjacent pairs joined
    "titles",  # the title's words without stop words (a word set, see _word_set)
    "first_authors",  # the first author's family name (with particles)
    "authors",  # everyone else's
    "first_names",  # "given family" of the first author
    "names",  # "given family" of the others
    "titles_and_names",  # the title's words without stop words and the family names' words (a word set)
    "affiliations",  # without stop words (a word set)
)
#: The set fields made of a record's title (and names), one string per record at most:
#: those sharing a word with a query are found through the records (:meth:`Columns.sharing`).
TITLE_SETS = ("titles", "titles_and_names")


class Columns:
    """What a search scores, for every record of a library: the lower-case keys, and each
    of :data:`FIELDS` as a :class:`Field`.  Built from records (:func:`build_columns`), or
    read back from a store that kept them: ``load`` then gives each field when first used,
    and the keys come sorted (``sorted_keys``), which is all a search reads of them."""

    def __init__(self, keys: Sequence[str] | None, fields: dict[str, Field] | None = None, load=None,
                 sorted_keys: tuple[Sequence[str], Sequence[int]] | None = None) -> None:
        assert keys is not None or sorted_keys is not None
        self.keys = keys
        self._fields = fields if fields is not None else {}
        self._load = load
        #: The keys in sorted order, and where each is in ``keys``: made when first needed,
        #: or given by a store that kept them.
        self._sorted_keys = sorted_keys

    def with_key(self, key: str, *, prefix: bool) -> list[tuple[int, float]]:
        """The records whose key is ``key`` (score 100), or with ``prefix`` starts with it
        (:data:`WEIGHT_KEY_PREFIX`), by position."""
        from bisect import bisect_left

        if self._sorted_keys is None:
            assert self.keys is not None
            positions = sorted(range(len(self.keys)), key=self.keys.__getitem__)
            self._sorted_keys = [self.keys[i] for i in positions], positions
        ordered, order = self._sorted_keys
        found = []
        for at in range(bisect_left(ordered, key), len(ordered)):
            if ordered[at] == key:
                found.append((order[at], 100.0))
            elif prefix and ordered[at].startswith(key):
                found.append((order[at], 100.0 * WEIGHT_KEY_PREFIX))
            else:
                break
        return found

    def field(self, name: str) -> Field:
        found = self._fields.get(name)
        if found is None:
            found = self._fields[name] = self._load(name)
        return found

    def sharing(self, name: str, words: Collection[str]) -> set[int] | None:
        """The positions of the strings of the word-set field ``name`` that have one of
        ``words`` (and perhaps others), or None for a field that cannot tell.

        A record's title words (the ``words`` field) are those of its word set in
        ``titles``; ``titles_and_names`` adds the words of its authors' family names."""
        field = self.field(name)
        if field.placed is None:
            return None
        records: set[int] = set()
        title_words = self.field("words")
        for word in words:
            position = title_words.find(word)
            if position is not None:
                records.update(title_words.owners_of(position))
        if name == "titles_and_names":
            for families in (self.field("first_authors"), self.field("authors")):
                for position in families.holding(words):
                    records.update(families.owners_of(position))
        else:
            assert name == "titles", name
        found = set(map(field.placed.__getitem__, records))
        found.discard(-1)
        return found


#: One row per record, as :func:`build_columns` reads them: key, title, people.
Row = tuple[str, str, Sequence[Author]]


def build_columns(rows: Iterable[Row]) -> Columns:
    """The columns of records given as rows (key, title, authors)."""
    tables: dict[str, dict[str, list[int]]] = {name: {} for name in FIELDS}
    heads, words, titles = tables["heads"], tables["words"], tables["titles"]
    first_authors, authors, first_names, names = (
        tables["first_authors"], tables["authors"], tables["first_names"], tables["names"])
    titles_and_names, affiliations = tables["titles_and_names"], tables["affiliations"]
    keys: list[str] = []
    seen: dict[str, str] = {}  # names and affiliations recur across a bibliography

    def norm(text: str) -> str:
        folded = seen.get(text)
        if folded is None:
            folded = seen[text] = normalize(text)
        return folded

    # each table: a string → the records that have it, in record order (a record once)
    for i, (key, title, people) in enumerate(rows):
        keys.append(key.lower())
        normalized = normalize(title)
        head, colon, _ = title.partition(":")
        if colon and (folded_head := normalize(head)):
            heads.setdefault(folded_head, []).append(i)
        for word in dict.fromkeys(title_words(normalized)):
            words.setdefault(word, []).append(i)
        content_words = _content_words(normalized)
        content = _word_set(content_words)
        if content:
            titles.setdefault(content, []).append(i)
        families = []
        for n, author in enumerate(people):
            family, display = norm(author.full_family), norm(author.display)
            families.append(family)
            for table, text in ((first_authors if n == 0 else authors, family), (first_names if n == 0 else names, display)):
                if text:
                    owners = table.setdefault(text, [])
                    if not owners or owners[-1] != i:
                        owners.append(i)
            if author.affiliation and (affiliation := _word_set(_content_words(norm(author.affiliation)))):
                owners = affiliations.setdefault(affiliation, [])
                if not owners or owners[-1] != i:
                    owners.append(i)
        if families:
            content_words.update(*map(str.split, families))
        together = _word_set(content_words) if families else content
        if together:
            titles_and_names.setdefault(together, []).append(i)
    del heads, words, titles, first_authors, authors, first_names, names, titles_and_names, affiliations
    # each table freed once made a field
    return Columns(keys, {name: _field(tables.pop(name), len(keys) if name in TITLE_SETS else None) for name in FIELDS})


class _Papers:
    """What :func:`papers_like` and identifier queries look records up by."""

    __slots__ = ("ids", "compact_titles", "systems")

    def __init__(self, records: Sequence[Record]) -> None:
        self.ids: dict[str, list[int]] = {}  # each DOI and URL (see identifier) → its records
        self.compact_titles: list[str] = []  # per record, as title_agreement compares them
        self.systems: dict[str, list[int]] = {}  # system name (see system_name) → its records
        for i, record in enumerate(records):
            for ident in identifiers(record):
                self.ids.setdefault(ident, []).append(i)
            self.compact_titles.append(compact(record.title))
            system = system_name(record.title)
            if system:
                self.systems.setdefault(system, []).append(i)


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """ASCII-folded, lower-case, punctuation to single spaces: ``TensorFlow-Tracing:`` → ``tensorflow tracing``."""
    if not text.isascii():
        text = ascii_fold(text)
    return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())


def _content(text: str) -> str:
    return " ".join(word for word in text.split() if word not in _STOP)


def _content_words(text: str) -> set[str]:
    """The distinct words of a folded ``text`` but stop words."""
    return set(text.split()).difference(_STOP)


def _word_set(words: Collection[str]) -> str:
    """Distinct ``words``, sorted and joined by spaces: all that ``token_set_ratio`` reads of
    a text (it splits, drops repeated words and sorts), as long as the text it compares."""
    return " ".join(sorted(words))


def title_words(normalized: str) -> list[str]:
    """The words of a normalized title, then each pair of adjacent words joined: a query may
    write as one word what the title writes as two ("cybersecurity" for "cyber security")."""
    words = normalized.split()
    return [*words, *(a + b for a, b in zip(words, words[1:]))]


def columns(records: Sequence[Record]) -> Columns:
    """The columns of ``records``: those the sequence carries (``records.columns``, as a
    large file's index gives them), else built once per record list (cached by identity)."""
    given = getattr(records, "columns", None)
    if isinstance(given, Columns):
        return given
    cached = _CACHE.get(id(records))
    if cached is None or cached[0] is not records:
        cached = (records, build_columns((r.key, r.title, r.authors) for r in records))
        _CACHE.clear()
        _CACHE[id(records)] = cached
    return cached[1]


def _papers(records: Sequence[Record]) -> _Papers:
    cached = _PAPERS.get(id(records))
    if cached is None or cached[0] is not records:
        cached = (records, _Papers(records))
        _PAPERS.clear()
        _PAPERS[id(records)] = cached
    return cached[1]


_CACHE: dict[int, tuple[Sequence[Record], Columns]] = {}
_PAPERS: dict[int, tuple[Sequence[Record], _Papers]] = {}


def _scores(index: Columns, query: str, floor: float) -> dict[int, float]:
    """The weighted best field score of each record a normalized ``query`` may match, by
    position (a record left out scores 0).

    Only scores of at least ``floor`` are exact; lower ones may read as 0.
    """
    from rapidfuzz import fuzz

    best: dict[int, float] = {}
    compact_query = query.replace(" ", "")
    for position, value in index.with_key(compact_query, prefix=len(compact_query) >= 4):
        best[position] = value
    words = _content(query)
    if not words:  # empty, or only stop words: "the" names nothing, but a key still names its record
        return {position: value for position, value in best.items() if value == 100.0}
    single = " " not in words

    def take(name: str, text: str, scorer, weight: float, exact: bool = False) -> None:
        cutoff = 100.0 if exact else min(100.0, floor / weight)
        sharing = index.sharing(name, text.split()) if scorer is fuzz.token_set_ratio else None
        for owner, value in _closest(index.field(name), text, scorer, cutoff, sharing).items():
            value *= weight
            if value > best.get(owner, 0.0):
                best[owner] = value

    take("heads", query, fuzz.ratio, WEIGHT_HEAD)
    if single:
        take("words", words, fuzz.ratio, WEIGHT_WORD)
        take("first_authors", words, fuzz.ratio, WEIGHT_FIRST_AUTHOR, exact=len(words) < 3)
        take("authors", words, fuzz.ratio, WEIGHT_AUTHOR, exact=len(words) < 3)
    else:
        _take_words(index, words.split(), best, floor)
        take("first_names", words, fuzz.token_sort_ratio, WEIGHT_FIRST_AUTHOR)
        take("names", words, fuzz.token_sort_ratio, WEIGHT_AUTHOR)
        take("titles_and_names", words, fuzz.token_set_ratio, WEIGHT_TITLE_AND_NAMES)
    if not single or len(words) >= 4:
        take("titles", words, fuzz.token_set_ratio, WEIGHT_TITLE)
        take("affiliations", words, fuzz.token_set_ratio, WEIGHT_AFFILIATION)
    # rounded to ``floor`` or more, a score was at most 0.05 below it: lower ones read as 0
    return {position: round(value, 1) for position, value in best.items() if value > floor - 0.1}


def _closest(field: Field, text: str, scorer, cutoff: float, sharing: set[int] | None = None) -> dict[int, float]:
    """Each record having a string of ``field`` that ``scorer`` scores ``cutoff`` or more
    for ``text``, with the best such score.

    Only strings that can score so much are scored.  ``ratio`` is at most
    ``200 * min(m, n) / (m + n)`` for strings of lengths ``m`` and ``n`` (an edit must make
    up the difference), and so is ``token_sort_ratio`` of folded texts, whose sorted words
    are as long as the texts.  ``token_set_ratio`` is ``ratio`` of the two word sets when
    the texts share no word (the set fields hold their word sets, :func:`_word_set`), so
    the strings it is scored on are those of a length in range and, given as ``sharing``,
    at least those that share a word with ``text``; without ``sharing``, it scores all."""
    from operator import itemgetter

    from rapidfuzz import fuzz, process

    if scorer is fuzz.token_set_ratio:
        sized = field.sized(*_length_range(len(_word_set(set(text.split()))), cutoff)) if sharing is not None else range(len(field))
    else:
        assert scorer in (fuzz.ratio, fuzz.token_sort_ratio), scorer  # their bound is the one above
        sized = field.sized(*_length_range(len(text), cutoff))
    matches = [(value, position + sized.start) for _, value, position in process.extract(
        text, field.slice(sized), scorer=scorer, limit=None, score_cutoff=cutoff)]
    if sharing:
        others = sorted(position for position in sharing if position not in sized)
        matches += [(value, others[at]) for _, value, at in process.extract(
            text, list(map(field.text, others)), scorer=scorer, limit=None, score_cutoff=cutoff)]
    found: dict[int, float] = {}
    for value, position in sorted(matches, key=itemgetter(0)):  # worst first: a better score overwrites
        found.update(dict.fromkeys(field.owners_of(position), value))
    return found


def _length_range(length: int, cutoff: float) -> tuple[float, float]:
    """The lengths ``n`` for which ``200 * min(length, n) / (length + n)`` reaches ``cutoff``
    (widened by a hair, so that rounding never leaves a string out)."""
    if cutoff <= 0:
        return 0, float("inf")
    ratio = cutoff / (200.0 - cutoff) * (1 - 1e-9)
    return length * ratio, length / ratio


def _take_words(index: Columns, query_words: list[str], best: dict[int, float], floor: float) -> None:
    """Title words, word by word: each query word scores its closest title word (``ratio``;
    exact for words under four letters, and 0 below :data:`WORD_FLOOR`), and a record scores
    the mean over the query's words, so "continous training" finds "Continuous Training".

    Two adjacent query words may instead be read as one, joined ("data base" as
    ``database``), when that scores :data:`JOINED_FLOOR` or more against a title word; the
    pair's score then counts for both words.  A record takes the best way of reading the
    query so (the best sum, found word by word from the left).

    Only scores that round to ``floor`` or more are exact, as in :func:`_scores`: read word
    by word, a record matching fewer words than would make that up with 100 each is left out."""
    from collections import Counter
    from itertools import chain
    from math import ceil

    from rapidfuzz import fuzz

    words = index.field("words")
    singles = [_closest(words, word, fuzz.ratio, 100.0 if len(word) < 4 else WORD_FLOOR) for word in query_words]
    pairs = [_closest(words, a + b, fuzz.ratio, JOINED_FLOOR) for a, b in zip(query_words, query_words[1:])]
    # Read word by word, a record's sum adds its words' scores from the left; only where
    # a pair matches can reading it as one word do better.
    fewest = ceil((floor - 0.1) / WEIGHT_WORDS * len(query_words) / 100)  # rounded, 0.05 less reads as floor
    totals = {owner: sum(found.get(owner, 0.0) for found in singles)
              for owner, count in Counter(chain.from_iterable(singles)).items() if count >= fewest}
    for owner in set().union(*pairs):
        # sums[n]: the best sum over the first n query words
        sums = [0.0, singles[0].get(owner, 0.0)]
        for n in range(2, len(query_words) + 1):
            sums.append(max(sums[n - 1] + singles[n - 1].get(owner, 0.0), sums[n - 2] + 2 * pairs[n - 2].get(owner, 0.0)))
        totals[owner] = sums[-1]
    for owner, total in totals.items():
        value = total / len(query_words) * WEIGHT_WORDS
        if value > best.get(owner, 0.0):
            best[owner] = value


def search(records: Sequence[Record], query: str, *, limit: int | None = None, floor: float = THRESHOLD) -> list[Match]:
    """Records scoring at least ``floor`` for ``query``, best first (ties in library order).

    A query that is a DOI or URL finds the records carrying it (score 100) and no others."""
    wanted = identifier(query)
    if wanted is not None:
        owners = _papers(records).ids.get(wanted, [])
        found = [Match(records[i], 100.0) for i in owners]
        return found if limit is None else found[:limit]
    return [Match(records[i], value) for i, value in ranked(columns(records), query, limit=limit, floor=floor)]


def ranked(index: Columns, query: str, *, limit: int | None = None, floor: float = THRESHOLD) -> list[tuple[int, float]]:
    """The positions of the records scoring at least ``floor`` for ``query`` (not a DOI or
    URL), with their scores, best first (ties in library order)."""
    scores = _scores(index, normalize(query), floor)
    found = sorted(((i, value) for i, value in scores.items() if value >= floor), key=lambda pair: (-pair[1], pair[0]))
    return found if limit is None else found[:limit]


def resolve(records: Sequence[Record], query: str, *, first: bool = False) -> Record:
    """The one record ``query`` means.

    An exact key wins outright.  Otherwise raises :class:`NoMatch` (with the closest
    suggestions) when nothing reaches the threshold, and :class:`AmbiguousQuery` (with the
    candidates) when the best two are too close to tell apart, unless ``first``.
    """
    named = columns(records).with_key(query.strip().lower(), prefix=False)
    if named:
        return records[named[0][0]]  # the first in library order
    matches = search(records, query)
    if not matches:
        suggestions = search(records, query, limit=3, floor=SUGGESTION_FLOOR)
        raise NoMatch(query, tuple((m.record.key, m.record.title, m.score) for m in suggestions))
    if not first and len(matches) > 1 and matches[0].score - matches[1].score < AMBIGUITY_MARGIN:
        close = [m for m in matches if matches[0].score - m.score < AMBIGUITY_MARGIN]
        raise AmbiguousQuery(query, tuple((m.record.key, m.record.title, m.score) for m in close))
    return matches[0].record


# ------------------------------------------------------------------- identifiers

_DOI = re.compile(r"(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
_DOI_LABEL = re.compile(r"^doi:\s+", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_URL_HEAD = re.compile(r"^(?:https?://)?(?:www\.)?")
_ARXIV_URL = re.compile(r"(?:export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?")
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)")
_ARXIV_LABEL = re.compile(r"arxiv:\s*((?:\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(?:v\d+)?)", re.IGNORECASE)
_ARXIV_NUMBER = re.compile(r"(\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(?:v\d+)?", re.IGNORECASE)
#: An arXiv number where a .bib entry names it: "arXiv:1904.01234", "CoRR abs/1904.01234".
_ARXIV_MENTION = re.compile(r"(?:arxiv\s*[:.]?\s*|abs/)(\d{4}\.\d{4,5})", re.IGNORECASE)


def identifier(text: str) -> str | None:
    """A DOI or URL as one comparable string (``doi:...``, ``url:...`` or ``arxiv:...``), or
    None when ``text`` is neither.

    DOIs are compared without case, with or without ``doi:`` or a doi.org address in front;
    URLs without their scheme, ``www.``, fragment, trailing slash or case.  arXiv's abstract
    and PDF addresses, its DOIs and ``arXiv:1904.01234`` name the preprint by number,
    without its version.
    """
    text = _DOI_LABEL.sub("doi:", text.strip())
    if not text or any(ch.isspace() for ch in text):
        return None
    arxiv = _ARXIV_LABEL.fullmatch(text)
    if arxiv:
        return _arxiv(arxiv.group(1))
    doi = _DOI.fullmatch(text)
    if doi:
        name = doi.group(1).lower()
        arxiv = _ARXIV_DOI.fullmatch(name)
        return _arxiv(arxiv.group(1)) if arxiv else f"doi:{name}"
    if _URL.fullmatch(text):
        url = _URL_HEAD.sub("", text.lower()).split("#")[0].rstrip("/")
        arxiv = _ARXIV_URL.fullmatch(url)
        return _arxiv(arxiv.group(1)) if arxiv else f"url:{url}"
    return None


def _arxiv(number: str) -> str:
    match = _ARXIV_NUMBER.fullmatch(number)
    return f"arxiv:{(match.group(1) if match else number).lower()}"


def identifiers(record: Record) -> frozenset[str]:
    """Every DOI and URL of a record as :func:`identifier` writes them, and its arXiv number
    where an ``eprint`` field or the journal names one."""
    return _identifiers(record.doi, record.url, record.extra)


@functools.lru_cache(maxsize=65536)
def _identifiers(doi: str | None, url: str | None, extra_fields: tuple[tuple[str, str], ...]) -> frozenset[str]:
    found = {ident for value in (doi, url) if value and (ident := identifier(value))}
    extra = dict(extra_fields)
    eprint = extra.get("eprint", "").strip()
    kind = (extra.get("archiveprefix") or extra.get("eprinttype") or "").strip().lower()
    if eprint and (kind == "arxiv" or (not kind and _ARXIV_NUMBER.fullmatch(eprint))):
        found.add(_arxiv(eprint))
    for name in ("journal", "volume", "howpublished"):
        mention = _ARXIV_MENTION.search(extra.get(name, ""))
        if mention:
            found.add(_arxiv(mention.group(1)))
    return frozenset(found)


# ----------------------------------------------------------- the same paper twice

#: How alike (:func:`title_agreement`) titles must be for an entry that names the record's
#: venue and has its first author (a title shortened or reworded: "... in the TFX Platform").
SAME_VENUE_TITLE = 70.0
#: Candidates for the same paper elsewhere: titles at least this alike.
CANDIDATE_TITLE = 75.0
#: Records sharing a DOI or URL are one work unless titles this far apart and different
#: authors say the address is the proceedings' or a list's rather than the paper's.
SHARED_ID_TITLE = 50.0
#: Titles of at least this many content words may differ by one word added or left out.
LONG_TITLE = 5


class PaperMatch(NamedTuple):
    """A record that is the same paper as the one looked for, and why: ``how`` is
    ``"doi or url"``, ``"title and authors"``, ``"system name and first author"`` or
    ``"venue, first author and title"``."""

    record: Record
    how: str
    title: float
    authors: int


def compact(text: str) -> str:
    """A title folded as :func:`normalize` folds it, without spaces: "Low-latency Data Base"
    and "low latency database" read alike."""
    return normalize(text).replace(" ", "")


def title_agreement(a: str, b: str) -> float:
    """0–100: how alike two titles are read as one paper's title written twice, letter by
    letter (``fuzz.ratio`` of :func:`compact` titles: case, accents, punctuation, and words
    written split or joined do not count; each typo costs a little)."""
    from rapidfuzz import fuzz

    return round(fuzz.ratio(compact(a), compact(b)), 1)


def title_differences(a: str, b: str) -> tuple[int, int, int]:
    """How two titles differ word by word: the content words (stop words aside) of ``a``
    with no counterpart in ``b``, those of ``b`` with none in ``a``, and the fewer content
    words of the two.  A counterpart is the same word, the word with a typo
    (:func:`opmlbib.names.spelt_close`), two adjacent words written as one ("data base",
    "database") or initials ("ML", "machine learning").  "for Fault-Tolerant Data Lakes"
    and "for Federated Data Lakes" differ by two words and one."""
    x, y = _content(normalize(a)).split(), _content(normalize(b)).split()
    used_x, used_y = [False] * len(x), [False] * len(y)
    for alike in (str.__eq__, spelt_close):
        for i, word in enumerate(x):
            for j, other in enumerate(y):
                if not used_x[i] and not used_y[j] and alike(word, other):
                    used_x[i] = used_y[j] = True
    for words, used, others, used_others in ((x, used_x, y, used_y), (y, used_y, x, used_x)):
        for i, word in enumerate(words):
            if used[i]:
                continue
            for j in range(len(others)):
                for k in (2, 3, 4):
                    run = range(j, j + k)
                    if j + k > len(others) or any(used_others[n] for n in run):
                        break
                    joined = "".join(others[n] for n in run)
                    initials = "".join(others[n][0] for n in run)
                    if spelt_close(word, joined) or (len(word) == k and word == initials):
                        used[i] = True
                        for n in run:
                            used_others[n] = True
                        break
                if used[i]:
                    break
    return used_x.count(False), used_y.count(False), min(len(x), len(y))


def system_name(title: str) -> str:
    """The compact name before a title's colon ("tony" of "TonY: An Orchestrator ..."), or
    the whole title when it is one or two words ("TonY"); empty otherwise."""
    head, colon, _ = title.partition(":")
    if colon:
        name = compact(head)
        return name if len(name) >= 3 and len(normalize(head).split()) <= 3 else ""
    words = normalize(title).split()
    return "".join(words) if 0 < len(words) <= 2 and len("".join(words)) >= 3 else ""


def named_authors(authors: tuple[Author, ...]) -> list[Author]:
    """The authors without BibTeX's ``others``."""
    return [author for author in authors if not is_others(author)]


def author_overlap(a: tuple[Author, ...] | list[Author], b: tuple[Author, ...] | list[Author]) -> int:
    """How many people of ``a`` are among ``b`` (names compared with :func:`opmlbib.names.same_person`,
    each person of ``b`` counted once)."""
    free = named_authors(tuple(b))
    count = 0
    for person in named_authors(tuple(a)):
        for position, other in enumerate(free):
            if same_person(person, other):
                del free[position]
                count += 1
                break
    return count


def same_paper(a: Record, b: Record, *, same_venue: bool = False) -> PaperMatch | None:
    """``b`` (as a :class:`PaperMatch`) if the two records are one paper, else None.

    Decided on title *and* authors.  The authors agree when at least half of the shorter
    list (``and others`` aside; at least one person) are among the other's.  The titles
    agree when every content word of each has its counterpart in the other
    (:func:`title_differences`: typos, split and joined words, initials); or, for titles of
    :data:`LONG_TITLE` content words or more with the same first author, when one only adds
    or leaves out a word; or, with the same first author, when one title is just the other's
    system name ("TonY" for "TonY: An Orchestrator ...").  With ``same_venue`` (the caller
    knows that ``a`` names the venue of ``b``), the same first author and titles
    :data:`SAME_VENUE_TITLE` alike, or the same system name, are enough.  A similar title by
    other authors, or by the same authors with other words, is another paper.

    A shared DOI or URL decides unless titles and authors both disagree.  Two records
    without authors are one paper only with the same title words and the same year.
    """
    people_a, people_b = named_authors(a.authors), named_authors(b.authors)
    overlap = author_overlap(people_a, people_b)
    authors_agree = bool(people_a and people_b) and overlap >= max(1, (min(len(people_a), len(people_b)) + 1) // 2)
    shared = identifiers(a) & identifiers(b)
    if not shared and (people_a or people_b) and not authors_agree:
        return None  # other people: another paper, whatever the title
    if not a.title or not b.title:
        title, missing_a, missing_b, words = 0.0, 1, 1, 0
    else:
        title = title_agreement(a.title, b.title)
        missing_a, missing_b, words = title_differences(a.title, b.title)
    system = system_name(a.title)
    same_system = bool(system) and system == system_name(b.title)
    if shared and (title >= SHARED_ID_TITLE or same_system or authors_agree):
        return PaperMatch(b, "doi or url", title, overlap)
    if not people_a and not people_b:
        if (missing_a, missing_b) == (0, 0) and a.year == b.year:
            return PaperMatch(b, "title and authors", title, overlap)
        return None
    if not authors_agree:
        return None
    if (missing_a, missing_b) == (0, 0):
        return PaperMatch(b, "title and authors", title, overlap)
    if not same_person(people_a[0], people_b[0]):
        return None
    if words >= LONG_TITLE - 1 and sorted((missing_a, missing_b)) == [0, 1]:
        return PaperMatch(b, "title and authors", title, overlap)
    if same_system and (normalize(a.title) == _head(b.title) or normalize(b.title) == _head(a.title)):
        return PaperMatch(b, "system name and first author", title, overlap)
    if same_venue and (title >= SAME_VENUE_TITLE or same_system):
        return PaperMatch(b, "venue, first author and title", title, overlap)
    return None


def _head(title: str) -> str:
    head, colon, _ = title.partition(":")
    return normalize(head) if colon else ""


def find_paper(records: Sequence[Record], record: Record, *, venue: Collection[str] = ()) -> PaperMatch | None:
    """The record of ``records`` that is the same paper as ``record`` (see :func:`same_paper`),
    the closest if several are: a shared DOI or URL first, then the most alike title, then
    the most authors in common.  ``venue``: keys of the records of a venue that ``record``
    names, for which :func:`same_paper`'s ``same_venue`` rule applies."""
    return next(iter(papers_like(records, record, venue=venue)), None)


def papers_like(records: Sequence[Record], record: Record, *, venue: Collection[str] = (),
                read: Callable[[int], Record] | None = None) -> list[PaperMatch]:
    """Every record of ``records`` that is the same paper as ``record``, closest first (as
    :func:`find_paper` orders them).  Candidates are found through the index of
    ``records``: shared identifiers, the same system name, and titles at least
    :data:`CANDIDATE_TITLE` alike (:data:`SAME_VENUE_TITLE` in ``venue``).  ``read(i)``,
    if given, is the whole record a candidate stands for, where ``records`` hold only what
    candidates are found by (key, title, DOI, URL)."""
    from rapidfuzz import fuzz, process

    index = _papers(records)
    candidates = dict.fromkeys(i for ident in identifiers(record) for i in index.ids.get(ident, ()))
    candidates.update(dict.fromkeys(index.systems.get(system_name(record.title), ())))
    if record.title:
        # titles that agree word for word are this alike at least (a typo, a word added,
        # "ML" for "machine learning" in a short title); only the venue rule reaches lower
        cutoff = SAME_VENUE_TITLE if venue else CANDIDATE_TITLE
        for _, value, position in process.extract(
            compact(record.title), index.compact_titles, scorer=fuzz.ratio, limit=None, score_cutoff=cutoff
        ):
            if value >= CANDIDATE_TITLE or records[position].key in venue:
                candidates[position] = None
    found = [
        match for i in candidates
        if records[i] is not record
        and (match := same_paper(record, records[i] if read is None else read(i), same_venue=records[i].key in venue))
    ]
    found.sort(key=lambda m: (m.how != "doi or url", -m.title, -m.authors))
    return found


def same_papers(records: Sequence[Record]) -> list[tuple[int, int, PaperMatch]]:
    """Every pair of records (by position, earlier first) that :func:`same_paper` calls one
    paper.  Only records sharing an identifier, or a family name of an author (one paper
    needs one person in common), or, without authors, the start of the title, are
    compared, and of those only titles at least :data:`CANDIDATE_TITLE` alike or sharing an
    identifier: a bibliography of 10,000 entries is not compared pair by pair."""
    from rapidfuzz import fuzz, process

    from .names import family_key

    blocks: dict[tuple[str, str], list[int]] = {}
    keys_of: list[set[tuple[str, str]]] = []
    for position, record in enumerate(records):
        keys = {("id", ident) for ident in identifiers(record)}
        people = named_authors(record.authors)
        keys.update(("family", family_key(person)) for person in people)
        if not people:
            keys.add(("title", compact(record.title)[:8]))
        keys.discard(("family", ""))
        keys_of.append(keys)
        for key in keys:
            blocks.setdefault(key, []).append(position)
    titles = [compact(record.title) for record in records]
    pairs = []
    for position, record in enumerate(records):
        shared_id = {other for key in keys_of[position] if key[0] == "id" for other in blocks[key] if other > position}
        near = sorted({other for key in keys_of[position] for other in blocks[key] if other > position})
        alike = {near[i] for _, _, i in process.extract(
            titles[position], [titles[other] for other in near], scorer=fuzz.ratio, limit=None,
            score_cutoff=CANDIDATE_TITLE)} if titles[position] else set()
        for other in sorted(alike | shared_id):
            match = same_paper(record, records[other])
            if match is not None:
                pairs.append((position, other, match))
    return pairs
