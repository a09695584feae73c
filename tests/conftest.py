"""Every test run gets its own empty cache folder, so no test reads or writes the user's
cache, and none depends on what an earlier run left there."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_cache_folder(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPMLBIB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield
