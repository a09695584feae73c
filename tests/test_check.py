"""check and fix: a user's .bib held against the official records, and what is wrong in it
replaced without touching anything else; add noticing a paper already there."""

import difflib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from opmlbib.bibfile import scan
from opmlbib.bibtex import parse_bibtex
from opmlbib.cli import cli
from opmlbib.library import default_records

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
CHECK = DATA / "check"
NETSYS = DATA / "toc" / "netsys21.txt"
OFFICIAL = {record.key: record for record in default_records()}

# What messy.bib gets wrong, entry by entry: (key, kind, field).
MESSY = [
    ("tony", "differs", "title"),  # a typo
    ("tony", "differs", "pages"),  # 39--45 for 39--41
    ("katib-arxiv", "preprint", "journal"),  # Google Scholar's arXiv entry
    ("DBLP:journals/corr/abs-1905-00001", "preprint", "journal"),  # DBLP's CoRR entry
    ("knet", "differs", "author"),  # the table of contents' misspelling
    ("Soifer:2019", "differs", "year"),
    ("Soifer:2019", "differs", "publisher"),
    ("chai19", "differs", "author"),  # first two authors swapped
    ("disdat", "differs", "journal"),  # another venue
    ("arun-cyber", "differs", "title"),  # "Cyber Security" for "cybersecurity": found, and told
    ("opportunities", "differs", "pages"),  # past the page before the next paper
    ("fake-feature-stores", "unknown-paper", "title"),  # OpML '19 has no such paper
    ("tony-again", "duplicate", None),  # by title and authors (with a DBLP number)
    ("feature-store-b", "duplicate", None),  # by DOI, written two ways
    ("tfx-short", "differs", "title"),  # a shortened title: the venue, first author and title together
    ("tfx-short", "duplicate", None),  # the CoRR entry's paper too
]
#: Entries of messy.bib that fix replaces.
REPLACED = ["tony", "katib-arxiv", "DBLP:journals/corr/abs-1905-00001", "knet", "Soifer:2019", "chai19",
            "disdat", "arun-cyber", "opportunities", "tfx-short"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def copy(tmp_path):
    def make(name, folder=CHECK):
        target = tmp_path / name
        shutil.copyfile(folder / name, target)
        return target

    return make


def findings(result):
    return [(f["key"], f["kind"], f["field"]) for f in json.loads(result.stdout)]


def outside(text, keys):
    """The pieces of ``text`` between the entries of ``keys``: what fix must leave alone."""
    pieces, position = [], 0
    for span in scan(text):
        if span.key in keys:
            pieces.append(text[position: span.start])
            position = span.end
    return [*pieces, text[position:]]


# -------------------------------------------------------------------------- check


def test_check_finds_each_kind_and_nothing_else():
    result = invoke("check", CHECK / "messy.bib", "--json")
    assert result.exit_code == 1
    assert findings(result) == MESSY
    assert result.stderr.strip().endswith(
        "18 entries checked, 16 findings in 13 entries (10 differs, 2 preprint, 1 unknown-paper, 3 duplicate)"
    )


def test_check_lines_name_file_line_key_and_kind():
    path = CHECK / "messy.bib"
    result = invoke("check", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(MESSY)
    assert lines[0] == (
        f"{path}:6: tony: differs: title: yours 'TonY: An Orchestator for Distributed Machine Learning Jobs', "
        "the record has 'TonY: An Orchestrator for Distributed Machine Learning Jobs'"
    )
    assert f"{path}:35: knet: differs: author 1: yours 'Saman Biokaghazadeh', the record has 'Saman Biookaghazadeh'" in lines
    unknown = next(line for line in lines if ": unknown-paper: " in line)
    assert unknown.startswith(f"{path}:78: fake-feature-stores: unknown-paper: OpML '19 has no paper")
    assert "closest: baylor2019continuous" in unknown
    assert f"{path}:85: tony-again: duplicate: the same work as tony (line 6), by title and authors" in lines
    assert result.stderr.count("\n") == 1  # the summary


def test_json_shape():
    result = invoke("check", CHECK / "messy.bib", "--json")
    items = json.loads(result.stdout)
    for item in items:
        assert {"key", "line", "kind", "field", "yours", "official", "official_key", "message"} <= set(item)
        assert isinstance(item["line"], int) and item["kind"] in {"differs", "preprint", "unknown-paper", "duplicate"}
    pages = next(i for i in items if i["key"] == "tony" and i["field"] == "pages")
    assert (pages["yours"], pages["official"], pages["official_key"]) == ("39-45", "39-41", "hsu2019tony")
    preprint = next(i for i in items if i["key"] == "katib-arxiv")
    assert preprint["official_key"] == "zhou2019katib" and preprint["yours"] == "arXiv preprint arXiv:1904.01234"
    assert preprint["official"] == OFFICIAL["zhou2019katib"].venue.booktitle
    unknown = next(i for i in items if i["kind"] == "unknown-paper")
    assert unknown["official_key"] is None and unknown["closest"] == ["baylor2019continuous"]
    duplicate = next(i for i in items if i["key"] == "tony-again")
    assert (duplicate["same_as"], duplicate["same_as_line"], duplicate["official_key"]) == ("tony", 6, "hsu2019tony")
    by_doi = next(i for i in items if i["key"] == "feature-store-b")
    assert (by_doi["same_as"], by_doi["official_key"]) == ("feature-store-a", None)


def test_refs_bib_of_the_repository_checks_clean():
    result = invoke("check", ROOT / "refs.bib")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.endswith("16 entries checked, 16 papers of the records, nothing to report\n")
    assert invoke("check", ROOT / "refs.bib", "--json").stdout == "[]\n"


def test_the_ways_people_write_references_are_not_findings():
    # initials, "and others", DBLP's numbers, LaTeX accents, a middle initial left out, case,
    # pages within an upper bound or where nothing bounds them, venues written short
    result = invoke("check", CHECK / "clean.bib", "--against", NETSYS)
    assert (result.exit_code, result.stdout) == (0, "")
    assert "10 entries checked, 9 papers of the records, nothing to report" in result.stderr


def test_the_clean_entries_are_papers_of_the_records():
    from opmlbib.check import check_file

    report = check_file(CHECK / "clean.bib", against=[NETSYS])
    matched = {entry.key: paper.key for entry, paper in zip(report.entries, report.papers) if paper}
    assert matched == {
        "hsu-tony": "hsu2019tony", "DBLP:conf/opml/ZhangRWZRRLWH19": "zhang2019accelerating",
        "knet": "biookaghazadeh2019knowledgenet", "accelerators": "ananthanarayanan2019opportunities",
        "stratum": "bhattacharjee2019stratum", "disdat": "yocum2019disdat", "tracing": "hashemi2019tensorflowtracing",
        "uberfast": "mullerlukasiewicz2021uberfast", "tcp400g": "zhang2021rethinking",
    }


def test_look_alikes_by_other_authors_are_left_alone(tmp_path):
    path = tmp_path / "lookalikes.bib"
    text = (CHECK / "messy.bib").read_text()
    start = text.index("% Look-alikes")
    end = text.index("@article{feature-store-a")
    path.write_text(text[start:end])
    result = invoke("check", path, "--json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    from opmlbib.check import check_file

    assert check_file(path).papers == (None, None, None, None)


def test_a_look_alike_that_claims_the_venue_is_an_unknown_paper(tmp_path):
    path = tmp_path / "claims.bib"
    path.write_text(
        "@inproceedings{x, author={Smith, John and Doe, Jane}, booktitle={OpML '19}, year=2019,\n"
        "  title={TonY: An Orchestrator for Distributed Machine Learning Jobs}}\n"
        "@inproceedings{y, author={Smith, John}, booktitle={OpML 2020}, year=2020, title={Something Else}}\n"
        "@inproceedings{z, author={Smith, John}, title={Yet Another Thing}, year=2019,\n"
        "  url={https://www.usenix.org/conference/opml19/presentation/smith}}\n"
    )
    result = invoke("check", path, "--json")
    items = json.loads(result.stdout)
    assert [(i["key"], i["kind"]) for i in items] == [("x", "unknown-paper"), ("z", "unknown-paper")]
    assert items[0]["closest"][0] == "hsu2019tony"  # the look-alike is named as the closest, not taken for it


def test_the_last_page_known_only_as_an_upper_bound(tmp_path):
    # Katib: first page 55, and the next paper starts on page 59, so it ends on page 58 at most
    def pages(value):
        path = tmp_path / "p.bib"
        path.write_text(
            "@inproceedings{k, author={Zhou, Jinan and others}, booktitle={OpML '19}, year=2019,\n"
            f"  title={{Katib: A Distributed General AutoML Platform on Kubernetes}}, pages={{{value}}}}}\n"
        )
        return findings(invoke("check", path, "--json"))

    assert pages("55--57") == [] and pages("55--58") == [] and pages("55") == []
    assert pages("55--59") == [("k", "differs", "pages")]
    assert pages("53--57") == [("k", "differs", "pages")]
    # TonY's last page is the publisher's: it must be exact
    tony = OFFICIAL["hsu2019tony"]
    assert tony.last_page.number == 41
    path = tmp_path / "t.bib"
    path.write_text("@inproceedings{t, author={Hsu, Anthony and others}, title={TonY}, pages={39--40}}\n")
    assert findings(invoke("check", path, "--json")) == [("t", "differs", "title"), ("t", "differs", "pages")]


def test_against_a_table_of_contents_checks_its_papers(tmp_path):
    path = tmp_path / "netsys.bib"
    path.write_text(
        "@inproceedings{a, author={Zoe Muller-Lukasiewicz and Jean-Fran{\\c{c}}ois C{\\^o}t{\\'e} and Bj{\\o}rn {\\O}deg{\\r{a}}rd},\n"
        "  title={{\\\"U}ber-fast $\\Omega$-Routing with $\\lambda$-Calculus}, booktitle={NetSys '21}, year=2021}\n"
        "@inproceedings{b, author={Doe, Jane}, title={Routing on Quantum Networks}, booktitle={NetSys '21}, year=2021}\n"
    )
    assert invoke("check", path).exit_code == 0  # without the table of contents, nothing claims a known venue
    result = invoke("check", path, "--against", NETSYS, "--json")
    items = json.loads(result.stdout)
    # the accents left out of the first author's name are a finding; the LaTeX ones are not
    assert [(i["key"], i["kind"], i["field"], i["yours"], i["official"]) for i in items] == [
        ("a", "differs", "author", "Zoe Muller-Lukasiewicz", "Zo\u00eb M\u00fcller-\u0141ukasiewicz"),
        ("b", "unknown-paper", "title", "Routing on Quantum Networks", None),
    ]
    assert "NetSys '21 has no paper" in items[1]["message"]


def test_against_a_bib_and_a_csl_json_file_of_records(tmp_path):
    from opmlbib.formats import render

    official = parse_bibtex(
        "@inproceedings{doe2020feature, author={Doe, Jane and Roe, Richard}, title={Self-Driving Feature Stores},\n"
        "  booktitle={Proceedings of the Workshop on Data Systems for ML (DSML '20)}, year=2020, pages={1--4},\n"
        "  doi={10.5555/dsml.2020.1}}\n"
    )
    bib = tmp_path / "dsml.bib"
    bib.write_text(render(official, "bibtex"))
    csl = tmp_path / "dsml.json"
    csl.write_text(render(official, "csljson"))
    mine = tmp_path / "mine.bib"
    mine.write_text(
        "@inproceedings{fs, author={J. Doe and R. Roe}, title={Self-driving feature stores}, booktitle={DSML}, year=2020, pages={1--5}}\n"
        "@inproceedings{by-doi, author={Someone, Else}, title={Self-Driving Feature Stores for ML}, doi={10.5555/DSML.2020.1}}\n"
        # the DOI of a paper with nothing else of it: an address shared by unrelated entries decides nothing
        "@inproceedings{doi-only, author={Nobody, Else}, title={A Different Paper Entirely}, doi={10.5555/dsml.2020.1}}\n"
    )
    for records in (bib, csl):
        items = json.loads(invoke("check", mine, "--against", records, "--json").stdout)
        assert [(i["key"], i["kind"], i["field"], i["official_key"]) for i in items] == [
            ("fs", "differs", "pages", "doe2020feature"),
            ("by-doi", "differs", "title", "doe2020feature"),
            ("by-doi", "differs", "author", "doe2020feature"),
            ("by-doi", "duplicate", None, "doe2020feature"),  # both entries are that record
        ], records


def test_aux_limits_check_to_the_cited_entries(tmp_path):
    aux = tmp_path / "paper.aux"
    aux.write_text("\\relax\n\\citation{TONY,knet}\n\\citation{tony-again,nowhere2020}\n\\bibdata{messy}\n")
    result = invoke("check", CHECK / "messy.bib", "--aux", aux, "--json")
    assert result.exit_code == 1
    assert findings(result) == [f for f in MESSY if f[0] in {"tony", "knet", "tony-again"}]
    assert "Warning: nowhere2020 is cited but not in" in result.stderr
    assert "3 entries checked" in result.stderr
    # the duplicate is a finding only when both copies are cited
    aux.write_text("\\relax\n\\citation{tony-again}\n")
    assert findings(invoke("check", CHECK / "messy.bib", "--aux", aux, "--json")) == []
    aux.write_text("\\relax\n\\citation{*}\n")
    assert findings(invoke("check", CHECK / "messy.bib", "--aux", aux, "--json")) == MESSY


def test_exit_status_and_errors(tmp_path):
    assert invoke("check").exit_code == 2
    assert invoke("check", tmp_path / "missing.bib").exit_code == 2
    assert invoke("check", ROOT / "refs.bib", "--aux", tmp_path / "missing.aux").exit_code == 2
    assert invoke("check", ROOT / "refs.bib", "--bogus").exit_code == 2
    broken = tmp_path / "broken.bib"
    broken.write_text("@misc{a, title = {never closes,\n\n@misc{b, title={B}}\n")
    result = invoke("check", broken)  # read as bibtex reads it: a warning, and the rest is checked
    assert result.exit_code == 0 and result.stderr.startswith(f"Warning: {broken}:1: a: cannot parse this entry")
    not_aux = tmp_path / "paper.tex"
    not_aux.write_text("\\documentclass{article}\n")
    result = invoke("check", ROOT / "refs.bib", "--aux", not_aux)
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


# ---------------------------------------------------------------------------- fix


def test_fix_replaces_what_check_reports_and_no_other_byte(copy):
    path = copy("messy.bib")
    before = path.read_text()
    result = invoke("fix", path)
    assert result.exit_code == 1  # the unknown paper and the duplicates are left, and said so
    after = path.read_text()
    assert outside(before, REPLACED) == outside(after, REPLACED)
    assert [s.key for s in scan(after)] == [s.key for s in scan(before)]
    replaced_lines = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert [line.split(": ")[1] for line in replaced_lines] == REPLACED
    assert "Not fixed: " in result.stderr and "fake-feature-stores: unknown-paper" in result.stderr
    assert "replaced 10; left as they are: 1 unknown-paper, 3 duplicate" in result.stderr
    # checked again, only what fix leaves is left
    assert findings(invoke("check", path, "--json")) == [f for f in MESSY if f[1] in ("unknown-paper", "duplicate")]
    # and a second run changes nothing
    again = invoke("fix", path)
    assert path.read_text() == after and again.stdout == ""


def test_fixed_entries_are_the_records_with_the_users_key_and_fields(copy):
    path = copy("messy.bib")
    invoke("fix", path)
    text = path.read_text()
    entries = {record.key: record for record in parse_bibtex(text)}
    for key, official in [("tony", "hsu2019tony"), ("katib-arxiv", "zhou2019katib"), ("knet", "biookaghazadeh2019knowledgenet")]:
        mine, theirs = entries[key], OFFICIAL[official]

        def fields(r):
            v = r.venue
            return (r.title, [(a.given, a.family) for a in r.authors], v.booktitle, v.year, v.month, v.address,
                    v.publisher, v.isbn, r.pages, r.url)

        assert fields(mine) == fields(theirs)
        assert mine.entry_type == "inproceedings"
    # the user's own fields, byte for byte, after the record's; the preprint's venue is gone
    assert "  note      = {Our baseline},\n  keywords  = {scheduling, hadoop}\n}" in text
    assert "  file      = {:papers/katib_2018.pdf:PDF}\n}" in text
    assert dict(entries["katib-arxiv"].extra) == {"file": ":papers/katib_2018.pdf:PDF"}
    dblp = dict(entries["DBLP:journals/corr/abs-1905-00001"].extra)
    assert dblp == {"bibsource": "dblp computer science bibliography, https://dblp.org"}
    # the last page the records know only as an upper bound is not overwritten by the bound
    # when the user's lies within it (Opportunities: 1--4 at most; its entry says 1--5, past it)
    assert entries["opportunities"].pages == "1-4"
    assert entries["arun-cyber"].pages == "13-14"


def test_fix_keeps_the_users_last_page_within_the_bound(tmp_path):
    path = tmp_path / "k.bib"
    path.write_text(
        "@inproceedings{k, author={Zhou, Jinan and others}, booktitle={OpML '19}, year=2018,\n"
        "  title={Katib: A Distributed General AutoML Platform on Kubernetes}, pages={55--57}}\n"
    )
    assert invoke("fix", path).exit_code == 0
    (record,) = parse_bibtex(path.read_text())
    assert (record.year, record.pages) == (2019, "55-57")


def test_fix_prints_each_change(copy):
    path = copy("messy.bib")
    result = invoke("fix", path)
    block = result.stdout.split(f"{path}:6: tony: replaced by the record hsu2019tony\n")[1].split(f"{path}:")[0]
    assert block.splitlines() == [
        "  title: 'TonY: An Orchestator for Distributed Machine Learning Jobs' -> 'TonY: An Orchestrator for Distributed Machine Learning Jobs'",
        "  pages: '39-45' -> '39-41'",
        "  also written as the record has it: author, booktitle, year",
        "  added: month, address, publisher, isbn, url",
        "  kept: note, keywords",
    ]
    assert "  removed: journal, volume, eprinttype, eprint\n" in result.stdout


def test_dry_run_prints_the_diff_and_writes_nothing(copy, tmp_path):
    path = copy("messy.bib")
    before = path.read_bytes()
    result = invoke("fix", path, "--dry-run")
    assert result.exit_code == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["messy.bib"]
    fixed = tmp_path / "fixed" / "messy.bib"
    fixed.parent.mkdir()
    shutil.copyfile(path, fixed)
    invoke("fix", fixed)
    expected = "".join(difflib.unified_diff(
        before.decode().splitlines(keepends=True), fixed.read_text().splitlines(keepends=True),
        fromfile=str(path), tofile=str(path),
    ))
    assert result.stdout == expected and result.stdout.startswith(f"--- {path}\n+++ {path}\n@@ ")
    assert "would replace 10" in result.stderr


def test_aux_limits_fix_to_the_cited_entries(copy, tmp_path):
    path = copy("messy.bib")
    before = path.read_text()
    aux = tmp_path / "paper.aux"
    aux.write_text("\\relax\n\\citation{knet,lecun-deep}\n")
    result = invoke("fix", path, "--aux", aux)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"{path}:35: knet: replaced by the record biookaghazadeh2019knowledgenet"
    assert outside(before, ["knet"]) == outside(path.read_text(), ["knet"])  # tony and the rest: wrong, but not cited


def test_fix_keeps_crlf_line_ends(copy, tmp_path):
    path = tmp_path / "crlf.bib"
    path.write_bytes((CHECK / "messy.bib").read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes().decode()
    assert invoke("fix", path).exit_code == 1
    after = path.read_bytes().decode()
    assert after.count("\n") == after.count("\r\n")
    assert outside(before, REPLACED) == outside(after, REPLACED)


def test_fix_with_nothing_to_fix_leaves_the_file_alone(tmp_path):
    path = tmp_path / "refs.bib"
    shutil.copyfile(ROOT / "refs.bib", path)
    stamp = path.stat().st_mtime_ns
    result = invoke("fix", path)
    assert (result.exit_code, result.stdout) == (0, "")
    assert path.stat().st_mtime_ns == stamp and path.read_bytes() == (ROOT / "refs.bib").read_bytes()
    assert invoke("fix", path, "--dry-run").stdout == ""


def test_fix_refuses_a_write_protected_file(copy):
    path = copy("messy.bib")
    before = path.read_bytes()
    path.chmod(0o444)
    result = invoke("fix", path)
    assert result.exit_code == 1 and "write-protected" in result.stderr
    assert path.read_bytes() == before


def test_fix_writes_nothing_if_the_file_changed_meanwhile(copy, monkeypatch):
    from opmlbib import fix

    path = copy("messy.bib")
    real = fix.rewrite

    def rewrite_then_edit(text, report):
        out = real(text, report)
        path.write_text(path.read_text() + "% edited meanwhile\n")
        return out

    monkeypatch.setattr(fix, "rewrite", rewrite_then_edit)
    result = invoke("fix", path)
    assert result.exit_code == 1 and "changed while it was being fixed" in result.stderr
    assert path.read_text().endswith("% edited meanwhile\n") and "Orchestator" in path.read_text()


# ---------------------------------------------------------------------------- add


def test_add_skips_a_paper_already_there_under_another_key(copy):
    path = copy("messy.bib")
    before = path.read_bytes()
    result = invoke("add", "TonY", "katib", "--to", path)
    assert result.exit_code == 0
    assert path.read_bytes() == before
    assert (f"Skipped hsu2019tony: already in {path} as tony (line 6), tony-again (line 85); "
            "--allow-duplicate adds it anyway") in result.stderr
    assert f"Skipped zhou2019katib: already in {path} as katib-arxiv (line 16)" in result.stderr

    result = invoke("add", "TonY", "--to", path, "--allow-duplicate")
    assert result.exit_code == 0 and f"Added hsu2019tony to {path}" in result.stderr
    assert path.read_bytes().startswith(before)
    assert [s.key for s in scan(path.read_text())][-1] == "hsu2019tony"


def test_add_still_adds_what_is_not_there_and_reads_files_with_broken_entries(tmp_path):
    path = tmp_path / "mine.bib"
    path.write_text("@misc{lecun-deep, author={LeCun, Yann}, title={Deep Learning Inference Service at Microsoft}}\n")
    result = invoke("add", "soifer2019deep", "--to", path)
    assert result.exit_code == 0 and result.stderr == f"Added soifer2019deep to {path}\n"
    messy = tmp_path / "messy.bib"
    shutil.copyfile(DATA / "bib" / "messy.bib", messy)
    result = invoke("add", "hsu2019tony", "--to", messy)
    assert result.exit_code == 0 and f"Added hsu2019tony to {messy}" in result.stderr
    # read as bibtex reads it: the broken entry is a warning, and the rest is searched
    assert f"Warning: {messy}:" in result.stderr and "cannot parse this entry" in result.stderr


# ---------------------------------------------------------------- preprints, venues


KATIB = "title={Katib: A Distributed General AutoML Platform on Kubernetes}, author={Zhou, Jinan and Velichkevich, Andrey and others}"


@pytest.mark.parametrize("entry, field", [
    ("@article{k, %s, journal={CoRR}, volume={abs/1904.01234}}", "journal"),
    ("@misc{k, %s, howpublished={arXiv preprint}}", "howpublished"),
    ("@misc{k, %s, eprint={1904.01234}, archiveprefix={arXiv}, primaryclass={cs.LG}}", "eprint"),
    ("@misc{k, %s, eprint={1904.01234}}", "eprint"),
    ("@misc{k, %s, url={https://arxiv.org/abs/1904.01234v2}}", "url"),
    ("@misc{k, %s, doi={10.48550/arXiv.1904.01234}}", "doi"),
    ("@unpublished{k, %s, note={Under review}}", "entry type"),
])
def test_each_way_of_citing_a_preprint(tmp_path, entry, field):
    path = tmp_path / "p.bib"
    path.write_text(entry % KATIB + "\n")
    items = json.loads(invoke("check", path, "--json").stdout)
    assert [(i["kind"], i["field"], i["official_key"]) for i in items] == [("preprint", field, "zhou2019katib")]


@pytest.mark.parametrize("entry", [
    # the published paper, with its arXiv number given as well
    "@inproceedings{k, %s, booktitle={OpML '19}, year=2019, eprint={1904.01234}, archiveprefix={arXiv}}",
    "@inproceedings{k, %s, booktitle={OpML '19}, year=2019, url={https://arxiv.org/abs/1904.01234}}",
])
def test_a_published_entry_with_an_arxiv_link_is_no_preprint(tmp_path, entry):
    path = tmp_path / "p.bib"
    path.write_text(entry % KATIB + "\n")
    assert invoke("check", path, "--json").stdout == "[]\n"


@pytest.mark.parametrize("booktitle, year, claims", [
    ("OpML '19", "2019", True), ("OpML19", "", True), ("Proc. of OpML 2019", "", True),
    ("USENIX Conference on Operational Machine Learning", "2019", True), ("OpML", "2019", True),
    ("OpML '20", "2020", False), ("OpML", "2020", False), ("2020 USENIX Conference on Operational Machine Learning", "", False),
    ("International Conference on Machine Learning", "2019", False), ("USENIX ATC", "2019", False),
])
def test_which_booktitles_name_the_venue(tmp_path, booktitle, year, claims):
    path = tmp_path / "v.bib"
    year_field = f", year={{{year}}}" if year else ""
    path.write_text(f"@inproceedings{{x, author={{Doe, Jane}}, title={{No Such Paper}}, booktitle={{{booktitle}}}{year_field}}}\n")
    kinds = [i["kind"] for i in json.loads(invoke("check", path, "--json").stdout)]
    assert kinds == (["unknown-paper"] if claims else [])


def test_the_proceedings_themselves_are_no_unknown_paper(tmp_path):
    path = tmp_path / "p.bib"
    path.write_text(
        "@proceedings{opml19, title={2019 USENIX Conference on Operational Machine Learning (OpML 19)},\n"
        "  booktitle={2019 USENIX Conference on Operational Machine Learning (OpML 19)}, year=2019, publisher={USENIX Association}}\n"
    )
    assert invoke("check", path, "--json").stdout == "[]\n"


def test_the_readme_session_is_what_the_commands_print(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    session = readme.split("### Checking your own .bib against the records", 1)[1].split("```", 2)[1].strip("\n")
    shutil.copyfile(CHECK / "paper.bib", tmp_path / "paper.bib")
    monkeypatch.chdir(tmp_path)
    replayed = []
    for command in ("check paper.bib", "fix paper.bib", "add TonY --to paper.bib"):
        result = CliRunner().invoke(cli, command.split(), catch_exceptions=False)
        replayed.append(f"$ opmlbib {command}\n{result.stdout}{result.stderr}")
    assert "".join(replayed).strip("\n") == session


@pytest.mark.parametrize("text", ["", "% only a comment\n", "\n\n"])
def test_a_file_without_entries_is_nothing_to_check(tmp_path, text):
    path = tmp_path / "empty.bib"
    path.write_text(text)
    result = invoke("check", path)
    assert (result.exit_code, result.stdout) == (0, "")
    assert "0 entries checked" in result.stderr
    assert invoke("fix", path).exit_code == 0 and path.read_text() == text


def test_a_chain_of_copies_reports_each_later_one(tmp_path):
    # a and b share title and authors, b and c a DOI; a and c share neither
    path = tmp_path / "chain.bib"
    path.write_text(
        "@misc{a, author={Roe, Richard}, title={Feature Stores at Scale}}\n"
        "@misc{b, author={Roe, R.}, title={Feature stores at scale}, doi={10.5555/fs.1}}\n"
        "@misc{c, author={Poe, Edgar}, title={Feature Stores at Scale: Extended}, doi={10.5555/FS.1}}\n"
        "@misc{d, author={Roe, Richard}, title={Feature Stores at Scale}}\n"
    )
    items = json.loads(invoke("check", path, "--json").stdout)
    assert [(i["key"], i["same_as"]) for i in items] == [("b", "a"), ("c", "b"), ("d", "a")]


def test_fix_keeps_a_multi_line_field_as_written_in_a_crlf_file(tmp_path):
    path = tmp_path / "crlf.bib"
    abstract = "abstract = {TonY is an orchestrator.\r\n  It runs jobs on {YARN}\r\n  and \\emph{scales}.}"
    path.write_bytes(
        ("@inproceedings{t, author={Hsu, Anthony and others}, title={TonY}, booktitle={OpML '19}, year=2018,\r\n"
         f"  {abstract}}}\r\n").encode()
    )
    assert invoke("fix", path).exit_code == 0
    after = path.read_bytes().decode()
    assert "\r\r" not in after and after.count("\n") == after.count("\r\n")
    assert "  abstract  = {TonY is an orchestrator.\r\n  It runs jobs on {YARN}\r\n  and \\emph{scales}.}\r\n}" in after
