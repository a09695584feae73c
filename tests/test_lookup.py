import pytest

from opmlbib.errors import AmbiguousQuery, NoMatch
from opmlbib.library import default_records
from opmlbib.lookup import THRESHOLD, normalize, resolve, search

from .opml19_table import KEYS, PAPERS

RECORDS = default_records()

QUERIES = [
    # system names, any case
    ("TonY", "hsu2019tony"), ("tony", "hsu2019tony"), ("TONY", "hsu2019tony"),
    ("Katib", "zhou2019katib"), ("DeepCPU", "zhang2019accelerating"), ("Disdat", "yocum2019disdat"),
    ("Stratum", "bhattacharjee2019stratum"), ("KnowledgeNet", "biookaghazadeh2019knowledgenet"),
    ("MPP", "ghanta2019mpp"), ("MLOp", "lim2019mlop"),
    # acronyms and names inside titles
    ("TFX", "baylor2019continuous"), ("AutoML", "zhou2019katib"), ("Kubernetes", "zhou2019katib"),
    # partial titles, any order and case
    ("machine learning jobs orchestrator", "hsu2019tony"),
    ("federated learning heterogeneity", "chai2019towards"),
    ("inference service", "soifer2019deep"), ("model performance predictor", "ghanta2019mpp"),
    ("transfer learning performance modeling", "iqbal2019transfer"),
    ("job scheduling preemption", "yabuuchi2019lowlatency"), ("cybersecurity", "arun2019shooting"),
    ("bundle data management", "yocum2019disdat"), ("ML accelerators in production", "ananthanarayanan2019opportunities"),
    ("vision based inspection manufacturing", "lim2019mlop"), ("serverless", "bhattacharjee2019stratum"),
    # typos
    ("Kattib", "zhou2019katib"), ("Continous", "baylor2019continuous"), ("Stratun", "bhattacharjee2019stratum"),
    ("KnowlegeNet", "biookaghazadeh2019knowledgenet"), ("orchestator", "hsu2019tony"),
    # several words, each with a typo
    ("Continous Training", "baylor2019continuous"), ("continous trainin", "baylor2019continuous"),
    ("Katibu Platformz Kubernetis", "zhou2019katib"), ("disagregated serving", "biookaghazadeh2019knowledgenet"),
    # punctuation differences
    ("tensorflow tracing", "hashemi2019tensorflowtracing"), ("tensorflow-tracing", "hashemi2019tensorflowtracing"),
    ("TensorFlow Tracing:", "hashemi2019tensorflowtracing"), ("low latency", "yabuuchi2019lowlatency"),
    # author surnames (first authors, and co-authors who wrote one paper here)
    ("Zinkevich", "baylor2019continuous"), ("Kotthoff", "iqbal2019transfer"), ("Biookaghazadeh", "biookaghazadeh2019knowledgenet"),
    ("Biokaghazadeh", "biookaghazadeh2019knowledgenet"), ("Velichkevich", "zhou2019katib"), ("Gokhale", "bhattacharjee2019stratum"),
    # keys and key prefixes
    ("hsu2019tony", "hsu2019tony"), ("HSU2019TONY", "hsu2019tony"), ("zhou2019", "zhou2019katib"),
    # full names in either order, "et al.", two-letter surnames (exact only), an author with title words
    ("Anthony Hsu", "hsu2019tony"), ("Zhe Zhang", "hsu2019tony"), ("Zhang Minjia", "zhang2019accelerating"),
    ("Hsu et al.", "hsu2019tony"), ("Hu", "hsu2019tony"), ("hashemi tracing", "hashemi2019tensorflowtracing"),
    # affiliations that wrote one paper here
    ("LinkedIn", "hsu2019tony"), ("Intuit", "yocum2019disdat"), ("Arizona State", "biookaghazadeh2019knowledgenet"),
]

# Every first author whose surname names one paper here.
SURNAMES = [(authors[0][1], key) for (_, _, _, authors), key in zip(PAPERS, KEYS) if authors[0][1] not in {"Zhang", "Biokaghazadeh"}]


def with_typo(title: str) -> str:
    """Drop the fifth letter of the title's longest word: one deletion."""
    word = max(title.split(), key=len)
    return title.replace(word, word[:4] + word[5:], 1)


TITLES = [(with_typo(title), key) for (_, title, _, _), key in zip(PAPERS, KEYS)]


@pytest.mark.parametrize("query, key", QUERIES + SURNAMES + TITLES)
def test_query_finds_the_paper_first(query, key):
    matches = search(RECORDS, query)
    assert matches and matches[0].record.key == key
    assert resolve(RECORDS, query).key == key


def test_hit_rate_is_complete():
    table = QUERIES + SURNAMES + TITLES
    hits = sum(1 for query, key in table if (m := search(RECORDS, query)) and m[0].record.key == key)
    assert (hits, len(table)) == (len(table), 85)


def test_exact_key_wins_outright_with_score_100():
    top = search(RECORDS, "soifer2019deep")[0]
    assert (top.record.key, top.score) == ("soifer2019deep", 100.0)


@pytest.mark.parametrize("query", ["quantum chromodynamics on the lattice", "protein folding with transformers", "gradient boosting trees", "xyz", "the", "", "   ", "!!!"])
def test_nonsense_matches_nothing(query):
    assert search(RECORDS, query) == []
    with pytest.raises(NoMatch):
        resolve(RECORDS, query)


def test_scores_are_between_0_and_100_and_sorted():
    matches = search(RECORDS, "deep learning", floor=0)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    assert len(matches) == 16


@pytest.mark.parametrize("query", ["Lu", "Li"])
def test_two_letter_surnames_match_exactly_or_not_at_all(query):
    # "Lu" is 80 % like "Liu" by ratio, but nobody here is called Lu; two papers have a Li.
    keys = {m.record.key for m in search(RECORDS, query)}
    expected = {r.key for r in RECORDS if any(a.family == query for a in r.authors)}
    assert keys == expected


@pytest.mark.parametrize("query, keys", [
    ("Microsoft", ["zhang2019accelerating", "soifer2019deep"]),
    ("Google", ["ananthanarayanan2019opportunities", "baylor2019continuous"]),
    ("deep learning inference", ["zhang2019accelerating", "soifer2019deep"]),
])
def test_queries_fitting_several_papers_are_ambiguous(query, keys):
    with pytest.raises(AmbiguousQuery) as caught:
        resolve(RECORDS, query)
    assert [key for key, _, _ in caught.value.candidates] == keys


def test_ambiguous_query_lists_the_candidates():
    with pytest.raises(AmbiguousQuery) as caught:
        resolve(RECORDS, "Microsoft")
    assert [key for key, _, _ in caught.value.candidates] == ["zhang2019accelerating", "soifer2019deep"]
    assert resolve(RECORDS, "Microsoft", first=True).key in {"zhang2019accelerating", "soifer2019deep"}


def test_no_match_suggests_the_closest():
    # Below the threshold (half the words match: 47.5), but close enough to suggest.
    with pytest.raises(NoMatch) as caught:
        resolve(RECORDS, "Katib clusters")
    assert [key for key, _, _ in caught.value.suggestions] == ["zhou2019katib"]
    assert "zhou2019katib" in str(caught.value)


def test_threshold_is_documented_and_applied():
    assert all(m.score >= THRESHOLD for m in search(RECORDS, "learning"))


@pytest.mark.parametrize("text, normal", [("TensorFlow-Tracing:", "tensorflow tracing"), ("Caf\u00e9  Net", "cafe net"), ("--", "")])
def test_normalize(text, normal):
    assert normalize(text) == normal


def test_each_record_list_is_indexed_as_it_is():
    from opmlbib.bibtex import parse_bibtex

    first = parse_bibtex("@misc{a1, title={Alpha Centauri}}\n")
    assert resolve(first, "centauri").key == "a1"
    second = parse_bibtex("@misc{b2, title={Beta Pictoris}}\n")
    assert resolve(second, "pictoris").key == "b2" and search(second, "centauri") == []
    assert resolve(first, "centauri").key == "a1"


def test_works_on_any_records(tmp_path):
    from opmlbib.bibtex import parse_bibtex

    records = parse_bibtex("@article{knuth1984, author={Knuth, Donald E.}, title={Literate Programming}, year=1984}\n")
    assert resolve(records, "literate programing").key == "knuth1984"
    assert resolve(records, "Knuth").key == "knuth1984"


def test_nonsense_scores_far_below_the_threshold():
    # the figure the module's documentation quotes
    assert max(m.score for m in search(RECORDS, "quantum chromodynamics on the lattice", floor=0)) == 38.1


# ------------------------------------------------------------ words split or joined


@pytest.mark.parametrize("query, key", [
    ("cyber security", "arun2019shooting"),  # the title writes "cybersecurity"
    ("machine learning in cyber security", "arun2019shooting"),
    ("Tensor Flow Extended", "baylor2019continuous"),  # "TensorFlow Extended"
    ("Auto ML platform", "zhou2019katib"),
    ("server less framework", "bhattacharjee2019stratum"),
    ("tensorflowtracing", "hashemi2019tensorflowtracing"),  # the title writes "tensorflow-tracing"
    ("lowlatency job scheduling", "yabuuchi2019lowlatency"),
    ("knowledgenet disaggregated", "biookaghazadeh2019knowledgenet"),
])
def test_a_word_split_or_joined_costs_no_match(query, key):
    matches = search(RECORDS, query)
    assert matches and matches[0].record.key == key and matches[0].score >= 95.0


def test_split_and_joined_words_both_ways_in_any_records():
    from opmlbib.bibtex import parse_bibtex

    records = parse_bibtex(
        "@misc{db, title={Database Tuning for Machine Learning Pipelines}}\n"
        "@misc{cyber, title={Cyber Security of Power Grids}}\n"
        "@misc{decoy, title={Data Pipelines for Power Users}}\n"
    )
    for query, key in [
        ("data base tuning", "db"), ("database tuning", "db"),
        ("cybersecurity power grids", "cyber"), ("cyber security power grids", "cyber"),
        ("cybersecurity", "cyber"), ("data base", "db"),
    ]:
        top = search(records, query)
        assert top and top[0].record.key == key, query
        assert top[0].score >= 95.0, query
    # joining is no licence to match anything: two unrelated words joined
    assert search(records, "auto mobile") == []


# ------------------------------------------------------------------ DOIs and URLs


@pytest.mark.parametrize("query", [
    "https://www.usenix.org/conference/opml19/presentation/hsu",
    "http://usenix.org/conference/opml19/presentation/hsu/",
    "https://www.usenix.org/conference/opml19/presentation/HSU#abstract",
    "www.usenix.org/conference/opml19/presentation/hsu",
])
def test_a_url_finds_its_record(query):
    assert [(m.record.key, m.score) for m in search(RECORDS, query)] == [("hsu2019tony", 100.0)]
    assert resolve(RECORDS, query).key == "hsu2019tony"


def test_an_unknown_url_finds_nothing_and_not_a_fuzzy_neighbour():
    assert search(RECORDS, "https://www.usenix.org/conference/opml19/presentation/nobody") == []


DOI_BIB = (
    "@inproceedings{paper, title={Some Paper}, author={Doe, Jane}, doi={10.1145/3341301.3359630}}\n"
    "@misc{pre, title={Some Preprint}, author={Doe, Jane}, eprint={1904.01234}, archiveprefix={arXiv}}\n"
    "@misc{other, title={Other Paper}, author={Roe, Richard}, url={https://example.org/a_b.pdf}}\n"
)


@pytest.mark.parametrize("query, key", [
    ("10.1145/3341301.3359630", "paper"), ("doi:10.1145/3341301.3359630", "paper"),
    ("https://doi.org/10.1145/3341301.3359630", "paper"), ("HTTPS://DX.DOI.ORG/10.1145/3341301.3359630", "paper"),
    ("https://arxiv.org/abs/1904.01234v2", "pre"), ("https://arxiv.org/pdf/1904.01234.pdf", "pre"),
    ("https://doi.org/10.48550/arXiv.1904.01234", "pre"), ("arXiv:1904.01234v1", "pre"),
    ("https://example.org/a_b.pdf", "other"),
])
def test_a_doi_finds_its_record(query, key):
    from opmlbib.bibtex import parse_bibtex

    records = parse_bibtex(DOI_BIB)
    assert [(m.record.key, m.score) for m in search(records, query)] == [(key, 100.0)]


@pytest.mark.parametrize("text, ident", [
    ("10.1145/ABC", "doi:10.1145/abc"), ("doi: 10.1145/abc", "doi:10.1145/abc"), ("https://doi.org/10.1145/abc", "doi:10.1145/abc"),
    ("https://www.Example.org/x/", "url:example.org/x"), ("arxiv.org/abs/1904.01234", None),
    ("https://arxiv.org/abs/cs/0112017v1", "arxiv:cs/0112017"), ("TonY", None), ("10.1145", None), ("", None),
])
def test_identifier(text, ident):
    from opmlbib.lookup import identifier

    assert identifier(text) == ident


# --------------------------------------------------------------- the same paper


def _record(title, authors, **fields):
    from opmlbib.bibtex import parse_bibtex

    extra = "".join(f", {name}={{{value}}}" for name, value in fields.items())
    (record,) = parse_bibtex(f"@inproceedings{{x, title={{{title}}}, author={{{authors}}}{extra}}}\n")
    return record


TONY = next(r for r in RECORDS if r.key == "hsu2019tony")


@pytest.mark.parametrize("title, authors", [
    ("TonY: An Orchestrator for Distributed Machine Learning Jobs", "Hsu, Anthony and Hu, Keqiu and Hung, Jonathan and Suresh, Arun and Zhang, Zhe"),
    ("Tony: an orchestrator for distributed machine-learning jobs", "A. Hsu and K. Hu and J. Hung and A. Suresh and Z. Zhang"),
    ("TonY: An Orchestator for Distribted Machine Learning Jobs", "Anthony Hsu and others"),  # typos, "and others"
    ("TonY: An Orchestrator for Distributed Machine Learning Jobs", "Anthony Hsu 0001 and Keqiu Hu 0002"),  # DBLP
    ("TonY: An Orchestrator for Distributed Machine Learning Jobs", "H{\\'s}u, Anthony and Hu, Keqiu"),  # accent in LaTeX
    ("TonY", "Hsu, Anthony and Hu, Keqiu and Hung, Jonathan"),  # the system's name alone
    ("TonY: An Orchestrator for Distributed ML Jobs", "Hsu, Anthony and Hu, Keqiu and Hung, Jonathan and Suresh, Arun and Zhang, Zhe"),
    ("TonY: An Orchestrator for Distributed Machine Learning Jobs on Hadoop", "Hsu, Anthony and Hu, Keqiu"),  # a word added
    ("TonY: An Orchestrator for Machine Learning Jobs", "Hsu, Anthony and Hu, Keqiu"),  # a word left out
])
def test_the_same_paper_written_otherwise_is_found(title, authors):
    from opmlbib.lookup import find_paper

    found = find_paper(RECORDS, _record(title, authors))
    assert found is not None and found.record.key == "hsu2019tony"


@pytest.mark.parametrize("title, authors", [
    # a look-alike title by other authors is another paper
    ("TonY: An Orchestrator for Distributed Machine Learning Jobs", "Smith, John and Doe, Jane"),
    ("Deep Learning Inference Service at Microsoft", "LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey"),
    ("Deep Learning", "LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey"),
    # one shared co-author is not enough for a longer list
    ("TonY: An Orchestrator for Distributed Machine Learning Jobs", "Smith, John and Doe, Jane and Zhang, Zhe"),
    # the same first author, another system
    ("TonY 2: Scheduling Notebooks", "Hsu, Anthony and Hu, Keqiu"),
    # the same people, another paper
    ("Scheduling Notebooks on Hadoop Clusters at Scale", "Hsu, Anthony and Hu, Keqiu and Hung, Jonathan"),
    ("TonY: An Orchestrator for Distributed Deep Learning Notebooks", "Hsu, Anthony and Hu, Keqiu"),  # a word for another
    ("TonY: Scheduling Notebooks on Hadoop", "Hsu, Anthony and Hu, Keqiu"),
    # the same first author, a word added to a short title
    ("TonY: An Orchestrator", "Hsu, Anthony and Hu, Keqiu"),
])
def test_a_look_alike_is_not_the_same_paper(title, authors):
    from opmlbib.lookup import find_paper

    assert find_paper(RECORDS, _record(title, authors)) is None


def test_a_shared_url_decides_unless_titles_and_authors_both_disagree():
    from opmlbib.lookup import same_paper

    url = "https://www.usenix.org/conference/opml19/presentation/hsu"
    assert same_paper(_record("Orchestrating ML jobs on Hadoop", "Hsu, A.", url=url), TONY).how == "doi or url"
    # a conference's address on some other paper names the conference, not this paper
    assert same_paper(_record("Some Other Paper Entirely", "Roe, Richard", url=url), TONY) is None


def test_title_agreement_ignores_case_punctuation_accents_and_spacing():
    from opmlbib.lookup import title_agreement

    assert title_agreement("Low-latency Data Base Tuning", "low latency database tuning") == 100.0
    assert title_agreement("Café Networks", "Cafe networks") == 100.0
    assert 85.0 <= title_agreement("Continous Trainng for Production ML", "Continuous Training for Production ML") < 100.0
    assert title_agreement("Deep Learning", "Deep Learning Inference Service at Microsoft") < 50.0


def test_one_word_for_another_is_another_paper_by_the_same_people():
    from opmlbib.lookup import same_paper, title_differences

    a = _record("An O(n log n) Algorithm for Fault-Tolerant Data Lakes", "Gon{\\c{c}}alves, R. and Eldal, Priya")
    b = _record("An O(n log n) Algorithm for Federated Data Lakes", "J. R. Gon\u00e7alves and van Gadal, Nikhil")
    assert title_differences(a.title, b.title) == (2, 1, 8)
    assert same_paper(a, b) is None
    assert title_differences("Data Base Tuning for ML", "Database tuning for machine lerning") == (0, 0, 4)


def test_naming_the_venue_lets_a_reworded_title_by_the_first_author_match():
    from opmlbib.lookup import find_paper

    short = _record("Continuous Training for Production ML in the TFX Platform", "Baylor, Denis and others")
    assert find_paper(RECORDS, short) is None
    found = find_paper(RECORDS, short, venue={"baylor2019continuous"})
    assert (found.record.key, found.how) == ("baylor2019continuous", "venue, first author and title")
    # not for another first author
    other = _record("Continuous Training for Production ML in the TFX Platform", "Zinkevich, Martin and Baylor, Denis")
    assert find_paper(RECORDS, other, venue={"baylor2019continuous"}) is None


def test_same_papers_compares_only_what_can_be_one_paper():
    from opmlbib.bibtex import parse_bibtex
    from opmlbib.lookup import same_papers

    records = parse_bibtex(
        "@misc{a, author={Hsu, Anthony and Hu, Keqiu}, title={TonY: An Orchestrator for Distributed Machine Learning Jobs}}\n"
        "@misc{b, author={Smith, John}, title={TonY: An Orchestrator for Distributed Machine Learning Jobs}}\n"
        "@misc{c, author={A. Hsu and others}, title={Tony: an orchestrator for distributed machine-learning jobs}}\n"
        "@misc{d, title={Untitled Notes}, year=2020}\n"
        "@misc{e, title={Untitled notes}, year=2020}\n"
        "@misc{f, author={Roe, R.}, title={One Thing}, doi={10.1234/x}}\n"
        "@misc{g, author={Roe, Richard}, title={One Thing, Revised}, url={https://doi.org/10.1234/X}}\n"
    )
    assert [(records[i].key, records[j].key, m.how) for i, j, m in same_papers(records)] == [
        ("a", "c", "title and authors"), ("d", "e", "title and authors"), ("f", "g", "doi or url"),
    ]


# ----------------------------------------------------------- scores, as first written


def _reference_scores(index, query: str, floor: float) -> dict[int, float]:
    """lookup._scores as first written: every match's owners compared one by one, and the
    word-by-word reading worked out for every record.  The faster code must agree exactly."""
    from rapidfuzz import fuzz, process

    from opmlbib import lookup

    best: dict[int, float] = {}
    compact_query = query.replace(" ", "")
    for position, value in index.with_key(compact_query, prefix=len(compact_query) >= 4):
        best[position] = value
    words = lookup._content(query)
    if not words:
        return {position: value for position, value in best.items() if value == 100.0}
    single = " " not in words

    def take(name, text, scorer, weight, exact=False):
        field = index.field(name)
        cutoff = 100.0 if exact else min(100.0, floor / weight)
        for _, value, position in process.extract(text, field.texts, scorer=scorer, limit=None, score_cutoff=cutoff):
            value *= weight
            for owner in field.owners_of(position):
                if value > best.get(owner, 0.0):
                    best[owner] = value

    def take_words(query_words):
        field = index.field("words")

        def closest(text, cutoff):
            found = {}
            for _, value, position in process.extract(text, field.texts, scorer=fuzz.ratio, limit=None, score_cutoff=cutoff):
                for owner in field.owners_of(position):
                    if value > found.get(owner, 0.0):
                        found[owner] = value
            return found

        singles = [closest(word, 100.0 if len(word) < 4 else lookup.WORD_FLOOR) for word in query_words]
        pairs = [closest(a + b, lookup.JOINED_FLOOR) for a, b in zip(query_words, query_words[1:])]
        for owner in set().union(*singles, *pairs):
            totals = [0.0, singles[0].get(owner, 0.0)]
            for n in range(2, len(query_words) + 1):
                totals.append(max(totals[n - 1] + singles[n - 1].get(owner, 0.0),
                                  totals[n - 2] + 2 * pairs[n - 2].get(owner, 0.0)))
            best[owner] = max(best.get(owner, 0.0), totals[-1] / len(query_words) * lookup.WEIGHT_WORDS)

    take("heads", query, fuzz.ratio, lookup.WEIGHT_HEAD)
    if single:
        take("words", words, fuzz.ratio, lookup.WEIGHT_WORD)
        take("first_authors", words, fuzz.ratio, lookup.WEIGHT_FIRST_AUTHOR, exact=len(words) < 3)
        take("authors", words, fuzz.ratio, lookup.WEIGHT_AUTHOR, exact=len(words) < 3)
    else:
        take_words(words.split())
        take("first_names", words, fuzz.token_sort_ratio, lookup.WEIGHT_FIRST_AUTHOR)
        take("names", words, fuzz.token_sort_ratio, lookup.WEIGHT_AUTHOR)
        take("titles_and_names", words, fuzz.token_set_ratio, lookup.WEIGHT_TITLE_AND_NAMES)
    if not single or len(words) >= 4:
        take("titles", words, fuzz.token_set_ratio, lookup.WEIGHT_TITLE)
        take("affiliations", words, fuzz.token_set_ratio, lookup.WEIGHT_AFFILIATION)
    return {position: round(value, 1) for position, value in best.items()}


def _random_queries(records, count: int, seed: int) -> list[str]:
    """Queries made of the records' title words and names: whole, with a typo, two joined
    or one split, a few words at a time, and now and then a word from nowhere."""
    import random

    rng = random.Random(seed)
    vocabulary = sorted({word for record in records for word in normalize(record.title).split()}
                        | {normalize(author.family) for record in records for author in record.authors} - {""})
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word() -> str:
        chosen = rng.choice(vocabulary) if rng.random() < 0.9 else "".join(rng.choices(letters, k=rng.randint(2, 9)))
        kind = rng.random()
        at = rng.randrange(len(chosen) + 1)
        if kind < 0.2:  # a letter dropped
            return chosen[:at] + chosen[at + 1:] or chosen
        if kind < 0.35:  # a letter added
            return chosen[:at] + rng.choice(letters) + chosen[at:]
        if kind < 0.45:  # split in two
            return chosen[:at] + " " + chosen[at:]
        return chosen

    queries = []
    for _ in range(count):
        words = [word() for _ in range(rng.choice([1, 1, 2, 2, 3, 3, 4, 5]))]
        if len(words) > 1 and rng.random() < 0.2:  # two written as one
            at = rng.randrange(len(words) - 1)
            words[at: at + 2] = [words[at] + words[at + 1]]
        queries.append(" ".join(words))
    return queries


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The records of a generated 3,000-entry .bib file."""
    from opmlbib.library import bib_records

    from .generated_bib import generate

    path = tmp_path_factory.mktemp("generated") / "sample.bib"
    path.write_text(generate(3000, seed=5), encoding="utf-8")
    return bib_records(path)


def test_scores_equal_those_of_the_first_writing_on_random_queries(generated):
    from opmlbib import lookup

    for library in (generated, RECORDS):
        index = lookup.columns(library)
        for query in _random_queries(library, 300, seed=len(library)):
            for floor in (THRESHOLD, lookup.SUGGESTION_FLOOR):
                normalized = normalize(query)
                found, expected = lookup._scores(index, normalized, floor), _reference_scores(index, normalized, floor)
                assert {i: score for i, score in found.items() if score >= floor} == {
                    i: score for i, score in expected.items() if score >= floor}, query


def test_the_strings_sharing_a_word_are_all_found_through_the_records(generated):
    from opmlbib import lookup

    for library in (generated, RECORDS):
        index = lookup.columns(library)
        for query in _random_queries(library, 200, seed=7):
            words = set(lookup._content(normalize(query)).split())
            for name in lookup.TITLE_SETS:
                field = index.field(name)
                truth = {position for position, text in enumerate(field.texts) if words & set(text.split())}
                assert truth <= index.sharing(name, words), (name, query)


_WORDS = ["tony", "tonys", "ton", "serving", "elastic", "genomics", "gen", "a", "ab", "learning", "learn", "x1"]


@pytest.mark.parametrize("scorer_name", ["ratio", "token_sort_ratio", "token_set_ratio"])
def test_closest_scores_only_what_can_reach_the_cutoff_and_loses_nothing(scorer_name):
    """_closest skips strings by length and by shared words; what it finds is what scoring
    every string finds."""
    from hypothesis import given, settings, strategies as st
    from rapidfuzz import fuzz, process

    from opmlbib import lookup

    scorer = getattr(fuzz, scorer_name)
    folded = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join)

    @settings(max_examples=300, deadline=None)
    @given(texts=st.lists(folded, min_size=1, max_size=30), query=folded,
           cutoff=st.sampled_from([0.0, 50.0, 60.0, 72.0, 75.79, 80.0, 85.0, 100.0]))
    def check(texts, query, cutoff):
        if scorer is fuzz.token_set_ratio:  # the set fields hold word sets
            texts = [lookup._word_set(set(text.split())) for text in texts]
        table = {}
        for owner, text in enumerate(texts):
            table.setdefault(text, []).append(owner)
        field = lookup._field(table)
        expected = {}
        for _, value, position in process.extract(query, field.texts, scorer=scorer, limit=None, score_cutoff=cutoff):
            for owner in field.owners_of(position):
                expected[owner] = max(expected.get(owner, 0.0), value)
        assert lookup._closest(field, query, scorer, cutoff) == expected
        if scorer is fuzz.token_set_ratio:  # and with the strings sharing a word, as Columns.sharing gives them
            words = set(query.split())
            sharing = {position for position, text in enumerate(field.texts) if words & set(text.split())}
            assert lookup._closest(field, query, scorer, cutoff, sharing) == expected

    check()


def test_a_word_set_scores_as_its_text_does():
    from hypothesis import given, settings, strategies as st
    from rapidfuzz import fuzz

    from opmlbib import lookup

    folded = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join)

    @settings(max_examples=300, deadline=None)
    @given(text=folded, query=folded)
    def check(text, query):
        assert fuzz.token_set_ratio(query, lookup._word_set(set(text.split()))) == fuzz.token_set_ratio(query, text)

    check()
