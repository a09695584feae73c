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
