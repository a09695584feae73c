"""Write a large, realistic .bib file for the benchmarks (deterministic for a given seed).

    python benchmarks/make_bib.py [OUTPUT] [--entries N] [--seed S]

The file mixes what real bibliographies hold: @string macros and ``#`` concatenation,
month macros, accents written as LaTeX commands (``{\\"u}``, ``\\'{e}``) and as UTF-8,
braced words and acronyms, name particles, "Last, First" and "First Last" names,
corporate authors in braces, quoted and bare values, ``%`` comment lines, @comment and
@preamble blocks, abstracts and URLs.  The OpML '19 entries of refs.bib are planted at
fixed positions, so a query such as ``TonY`` has exactly one right answer.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = Path(tempfile.gettempdir()) / "opmlbib-bench" / "big.bib"

VENUES = {
    "icml": "International Conference on Machine Learning",
    "neurips": "Advances in Neural Information Processing Systems",
    "osdi": "USENIX Symposium on Operating Systems Design and Implementation",
    "sosp": "ACM Symposium on Operating Systems Principles",
    "nsdi": "USENIX Symposium on Networked Systems Design and Implementation",
    "eurosys": "European Conference on Computer Systems",
    "atc": "USENIX Annual Technical Conference",
    "sigmod": "ACM SIGMOD International Conference on Management of Data",
    "vldb": "Proceedings of the VLDB Endowment",
    "kdd": "ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
    "iclr": "International Conference on Learning Representations",
    "cvpr": "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
    "acl": "Annual Meeting of the Association for Computational Linguistics",
    "mlsys": "Conference on Machine Learning and Systems",
    "socc": "ACM Symposium on Cloud Computing",
    "hpdc": "International Symposium on High-Performance Parallel and Distributed Computing",
}
JOURNALS = {
    "tocs": "ACM Transactions on Computer Systems",
    "jmlr": "Journal of Machine Learning Research",
    "cacm": "Communications of the ACM",
    "tpds": "IEEE Transactions on Parallel and Distributed Systems",
}
PUBLISHERS = ["ACM", "IEEE", "USENIX Association", "Springer", "PMLR", "Curran Associates, Inc."]

GIVEN = [
    "Anna", "Ben", "Carlos", "Daniela", "Emil", "Fatima", "Gustavo", "Hiroshi", "Ingrid", "Jun",
    "Kamala", "Lars", "Mei", "Nikhil", "Olga", "Pedro", "Qiang", "Rosa", "Sven", "Tomasz",
    "Uma", "Viktor", "Wei", "Xin", "Yusuf", "Zara", "Alexander", "Beatriz", "Chen", "Dmitri",
    "Elena", "Farid", "Giulia", "Hannah", "Ivan", "Julia", "Kwame", "Leila", "Marco", "Nadia",
    "Mary-Ann", "Jean-Luc", "Li", "Ana Maria", "John Paul", "R.", "J. R.", "Kenji", "Priya", "Sanjay",
    # accents as LaTeX commands and as UTF-8
    r"Fran{\c{c}}ois", r"J{\"o}rg", r"Ren\'{e}", r"Ag{\'a}ta", r"S{\o}ren", r"{\L}ukasz",
    r"Jos{\'e}", r"Zo{\"e}", r"Ma{\l}gorzata", r"Andr\'e",
    "José", "Zoë", "Søren", "Łukasz", "Ångström", "Çağla", "Dvořák", "Jürgen", "Noémie", "Bjørn",
]
SYLLABLES = [
    "ka", "ren", "to", "mi", "sa", "lo", "ber", "an", "dor", "el", "ni", "vas", "gu", "ri", "son",
    "ha", "ze", "mon", "tar", "li", "pe", "ko", "wen", "ru", "dal", "fi", "ya", "sto", "ga", "ber",
]
FAMILY_EXTRA = [
    r"M{\"u}ller", r"Schr{\"o}dinger", r"Gonz{\'a}lez", r"Erd{\H{o}}s", r"Nov{\'a}k",
    r"{\v{C}}apek", r"S{\'a}nchez", r"Garc\'{\i}a", r"Bront{\"e}", r"Ng{\~u}yen",
    "Müller", "Gonçalves", "Ødegård", "Şahin", "Nuñez", "Kowalczyk", "O'Brien", "Smith-Jones",
]
PARTICLES = ["van", "van der", "de", "de la", "von", "di", "da", "le"]
SUFFIXES = ["Jr.", "Sr.", "III"]
CORPORATE = ["{Google Brain Team}", "{The {ImageNet} Consortium}", "{Apache Software Foundation}",
             "{Open Compute Project}", "{MLPerf Working Group}"]

ADJECTIVES = [
    "Scalable", "Efficient", "Robust", "Adaptive", "Distributed", "Federated", "Secure", "Practical",
    "Incremental", "Elastic", "Fault-Tolerant", "Low-Latency", "Energy-Aware", "Declarative",
    "Interpretable", "Automated", "Online", "Approximate", "Heterogeneous", "Serverless",
]
NOUNS = [
    "Training", "Inference", "Scheduling", "Caching", "Storage", "Serving", "Compilation",
    "Monitoring", "Provisioning", "Placement", "Partitioning", "Replication", "Consensus",
    "Indexing", "Compression", "Sampling", "Feature Stores", "Pipelines", "Workflows", "Clusters",
    "Accelerators", "Data Lakes", "Stream Processing", "Graph Analytics", "Model Management",
    "Hyperparameter Tuning", "Experiment Tracking", "Anomaly Detection", "Query Optimization",
]
CONTEXTS = [
    "Deep Learning", "Machine Learning", "Large Language Models", "Recommendation Systems",
    "the Cloud", "Edge Devices", "Data Centers", "Production Systems", "Mobile Networks",
    "Scientific Computing", "Autonomous Vehicles", "Genomics", "Time Series",
]
ACRONYMS = ["GPU", "TPU", "FPGA", "RDMA", "BERT", "DNN", "SQL", "MPI", "HPC", "NVMe", "RL", "GAN"]
ABSTRACT_WORDS = (
    "we present a system that improves throughput and latency for workloads in production "
    "our evaluation shows speedups over the state of the art across benchmarks while keeping "
    "accuracy unchanged the design separates control and data planes and scales to thousands of nodes"
).split()


def system_name(rng: random.Random) -> str:
    """A made-up system name such as ``Karendor`` or ``MiSaLo`` (never "tony")."""
    while True:
        parts = [rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))]
        if rng.random() < 0.3:
            name = "".join(p.capitalize() for p in parts)
        else:
            name = "".join(parts).capitalize()
        if "ton" not in name.lower():
            return name


def family_name(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(FAMILY_EXTRA)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def person(rng: random.Random) -> str:
    given = rng.choice(GIVEN)
    family = family_name(rng)
    roll = rng.random()
    if roll < 0.06:
        return f"{given} {rng.choice(PARTICLES)} {family}"
    if roll < 0.09:
        return f"{rng.choice(PARTICLES)} {family}, {given}"
    if roll < 0.10:
        return f"{family}, {rng.choice(SUFFIXES)}, {given}"
    if roll < 0.55:
        return f"{family}, {given}"
    return f"{given} {family}"


def authors(rng: random.Random) -> tuple[str, str]:
    """The author field and the first author's family name (for the key)."""
    if rng.random() < 0.01:
        corporate = rng.choice(CORPORATE)
        return corporate, corporate
    people = [person(rng) for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 6]))]
    field = " and ".join(people)
    if rng.random() < 0.03:
        field += " and others"
    first = people[0]
    family = first.split(",")[0] if "," in first else first.split()[-1]
    return field, family


def title(rng: random.Random) -> tuple[str, str]:
    """The title as written in the .bib file, and its first word for the key."""
    roll = rng.random()
    adjective, noun, context = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(CONTEXTS)
    if roll < 0.35:
        name = system_name(rng)
        text = f"{{{name}}}: {adjective} {noun} for {context}"
        word = name
    elif roll < 0.5:
        acronym = rng.choice(ACRONYMS)
        text = f"{adjective} {{{acronym}}}-Based {noun} in {context}"
        word = adjective
    elif roll < 0.6:
        text = f"Towards {adjective} {noun}: Lessons from {context}"
        word = "Towards"
    elif roll < 0.68:
        text = f"On the {noun} of {rng.choice(NOUNS)} \\& {rng.choice(NOUNS)}"
        word = noun
    elif roll < 0.73:
        text = f"An $O(n \\log n)$ Algorithm for {adjective} {noun}"
        word = "Algorithm"
    elif roll < 0.78:
        text = f"{adjective} {noun} -- A Case Study in {context}"
        word = adjective
    elif roll < 0.82:
        text = f"{{\\'E}}tude of {noun} on {{{rng.choice(ACRONYMS)}}} Clusters"
        word = "Etude"
    else:
        text = f"{adjective} {noun} for {context}"
        word = adjective
    return text, word


def key_part(text: str) -> str:
    keep = "".join(ch for ch in text if ch.isalnum() and ch.isascii()).lower()
    return keep or "anon"


def entry(rng: random.Random, keys: set[str]) -> str:
    author, family = authors(rng)
    text, word = title(rng)
    year = rng.randint(1995, 2024)
    base = f"{key_part(family)}{year}{key_part(word)}"
    key, n = base, 0
    while key in keys:
        n += 1
        key = f"{base}{chr(ord('a') + (n - 1) % 26)}{'' if n <= 26 else n}"
    keys.add(key)
    kind = rng.choices(["inproceedings", "article", "misc", "techreport", "book", "phdthesis"],
                       weights=[55, 25, 8, 5, 4, 3])[0]
    fields: list[tuple[str, str]] = [("author", "{" + author + "}")]
    fields.append(("title", '"' + text + '"' if rng.random() < 0.1 else "{" + text + "}"))
    if kind == "inproceedings":
        venue = rng.choice(list(VENUES))
        if rng.random() < 0.5:
            fields.append(("booktitle", venue))
        else:
            fields.append(("booktitle", f'"Proceedings of the " # {venue}'))
    elif kind == "article":
        fields.append(("journal", rng.choice(list(JOURNALS))))
        fields.append(("volume", str(rng.randint(1, 60))))
        fields.append(("number", "{" + str(rng.randint(1, 12)) + "}"))
    elif kind == "techreport":
        fields.append(("institution", "{" + rng.choice(["Stanford University", "ETH Z{\\\"u}rich", "MIT"]) + "}"))
    elif kind == "phdthesis":
        fields.append(("school", "{Universit{\\'e} de Montr{\\'e}al}"))
    year_style = rng.random()
    fields.append(("year", str(year) if year_style < 0.5 else "{" + str(year) + "}" if year_style < 0.9 else f'"{year}"'))
    if rng.random() < 0.4:
        fields.append(("month", rng.choice(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])))
    if kind in ("inproceedings", "article"):
        first = rng.randint(1, 900)
        fields.append(("pages", "{" + f"{first}--{first + rng.randint(2, 20)}" + "}"))
    if rng.random() < 0.3:
        fields.append(("publisher", "{" + rng.choice(PUBLISHERS) + "}"))
    if rng.random() < 0.15:
        fields.append(("doi", "{10." + str(rng.randint(1000, 9999)) + "/" + key[:12] + "}"))
    if rng.random() < 0.06:
        fields.append(("url", "{https://example.org/papers/" + key + ".pdf}"))
    if rng.random() < 0.03:
        words = " ".join(rng.choice(ABSTRACT_WORDS) for _ in range(rng.randint(15, 40)))
        fields.append(("abstract", "{" + words.capitalize() + ". Results hold at 99.9\\% confidence.}"))
    if rng.random() < 0.04:
        fields.append(("keywords", "{" + ", ".join(rng.sample(ACRONYMS, 3)) + "}"))
    if rng.random() < 0.03:
        fields.append(("note", "{Extended version}"))

    # House styles differ: aligned or not, upper-case field names, trailing commas.
    upper = rng.random() < 0.05
    aligned = rng.random() < 0.4
    lines = []
    for name, value in fields:
        name = name.upper() if upper else name
        lines.append(f"  {name:<9} = {value}" if aligned else f"  {name} = {value}")
    body = ",\n".join(lines) + ("," if rng.random() < 0.2 else "")
    entry_type = kind.capitalize() if rng.random() < 0.1 else kind
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def planted() -> list[str]:
    """The OpML '19 entries of refs.bib, each with the comment above it."""
    text = (ROOT / "refs.bib").read_text(encoding="utf-8")
    return [block.strip() + "\n" for block in text.split("\n\n") if block.strip()]


def generate(count: int, seed: int) -> str:
    rng = random.Random(seed)
    out = [
        "% Benchmark bibliography, generated by benchmarks/make_bib.py.\n",
        '@preamble{ "\\providecommand{\\noopsort}[1]{}" }\n',
    ]
    for macro, name in {**VENUES, **JOURNALS}.items():
        out.append(f'@string{{{macro} = "{name}"}}\n')
    special = planted()
    positions = {int(count * (i + 1) / (len(special) + 1)): block for i, block in enumerate(special)}
    keys: set[str] = {block.split("{", 1)[1].split(",", 1)[0] for block in special}
    written = 0
    while written < count:
        if written in positions:
            out.append("\n" + positions[written])
            written += 1
            continue
        roll = rng.random()
        if roll < 0.02:
            out.append(f"\n% Section {written}: papers read for the {rng.choice(CONTEXTS)} survey\n")
        elif roll < 0.025:
            out.append("\n@comment{Duplicates removed by hand; see notes.txt}\n")
        out.append("\n" + entry(rng, keys))
        written += 1
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args(argv)
    from opmlbib.files import atomic_write

    text = generate(args.entries, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # all or nothing: run.py reuses an existing file, so an interrupted write must leave none
    atomic_write(args.output, text, replace_existing=True)
    print(f"{args.output}: {args.entries} entries, {len(text.encode()) / 1e6:.1f} MB", file=sys.stderr)
    return 0


def default_file() -> Path:
    """The benchmarks' large file, :data:`DEFAULT_OUTPUT`, written first (100,000 entries,
    the default seed) if it does not exist."""
    if not DEFAULT_OUTPUT.exists():
        main([str(DEFAULT_OUTPUT)])
    return DEFAULT_OUTPUT


if __name__ == "__main__":
    sys.exit(main())
