"""The CSL processor test suite: opmlbib passes at least as many fixtures as recorded, and
every fixture citeproc-py passes on its own, both of the 641 fixtures a command line
without citation items expresses and of all 845.

The fixtures are in ``../shared/csl-test-suite/`` beside the repository (CI has them; a
checkout without them skips these tests, except under CI, where they fail).  The run and
the comparison are ``benchmarks/csl_suite.py``'s; ``python benchmarks/csl_suite.py
--record`` writes ``tests/data/csl_suite.json`` anew.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECORDED = json.loads((ROOT / "tests" / "data" / "csl_suite.json").read_text(encoding="utf-8"))


def _runner():
    spec = importlib.util.spec_from_file_location("csl_suite", ROOT / "benchmarks" / "csl_suite.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


suite = _runner()
FOLDER = suite.suite_folder()
if not FOLDER.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"the CSL test suite is not at {FOLDER}")
    pytest.skip(f"no CSL test suite at {FOLDER}", allow_module_level=True)


@pytest.fixture(scope="module")
def every():
    return suite.load_fixtures(FOLDER)


@pytest.fixture(scope="module", params=["expressible", "all"])
def run(request, every):
    """(the way, its fixtures, the names of those opmlbib passes): the fixtures a command
    line without citation items expresses, and all fixtures."""
    fixtures = suite.first_command_line(every) if request.param == "expressible" else every
    passed = {name for name, outcome in suite.run_suite(fixtures).items() if outcome.passed}
    return request.param, fixtures, passed


def test_the_suite_is_the_one_recorded(run):
    way, fixtures, _ = run
    assert len(fixtures) == RECORDED[f"{way}_fixtures"]
    assert set(RECORDED[f"{way}_citeproc_py_passes"]) <= {f.name for f in fixtures}


def test_opmlbib_passes_at_least_the_recorded_number_of_fixtures(run):
    way, _, passed = run
    assert len(passed) >= RECORDED[f"{way}_opmlbib_passes"], (
        f"{len(passed)} fixtures pass, fewer than the {RECORDED[f'{way}_opmlbib_passes']} recorded")


def test_no_fixture_citeproc_py_passes_alone_is_lost(run):
    way, _, passed = run
    lost = set(RECORDED[f"{way}_citeproc_py_passes"]) - passed
    assert lost <= set(RECORDED["citeproc_py_passes_not_yet_kept"]), sorted(lost - set(RECORDED["citeproc_py_passes_not_yet_kept"]))
