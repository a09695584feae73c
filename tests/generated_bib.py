"""Bibliographies written by the benchmark generator (``benchmarks/make_bib.py``), for tests
that need realistic files: @string macros, accents, braces, comments, planted entries."""

import importlib.util
from pathlib import Path

_GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "make_bib.py"


def generate(count: int, seed: int) -> str:
    """The text of a ``count``-entry .bib file; the same ``seed`` gives the same text."""
    spec = importlib.util.spec_from_file_location("make_bib", _GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(count, seed)
