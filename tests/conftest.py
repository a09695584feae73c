"""Every test run gets its own empty cache folder, so no test reads or writes the user's
cache, and none depends on what an earlier run left there.  It is set before collection,
since some test modules read the built-in records when they are imported."""

import os
import shutil
import tempfile

_SAVED = {}


def pytest_configure(config):
    _SAVED["previous"] = os.environ.get("OPMLBIB_CACHE_DIR")
    _SAVED["folder"] = tempfile.mkdtemp(prefix="opmlbib-test-cache-")
    os.environ["OPMLBIB_CACHE_DIR"] = _SAVED["folder"]


def pytest_unconfigure(config):
    if _SAVED.get("previous") is None:
        os.environ.pop("OPMLBIB_CACHE_DIR", None)
    else:
        os.environ["OPMLBIB_CACHE_DIR"] = _SAVED["previous"]
    shutil.rmtree(_SAVED.get("folder", ""), ignore_errors=True)
