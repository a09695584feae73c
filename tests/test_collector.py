import gc

import pytest

from opmlbib.collector import paused


@pytest.mark.parametrize("was_on", [True, False])
def test_the_collector_is_off_while_paused_and_as_it_was_after(was_on):
    (gc.enable if was_on else gc.disable)()
    try:
        with paused():
            assert not gc.isenabled()
        assert gc.isenabled() is was_on
        with pytest.raises(KeyError):
            with paused():
                raise KeyError("reading failed")
        assert gc.isenabled() is was_on
    finally:
        gc.enable()
