"""Python's cyclic garbage collector, paused while a file is read in bulk."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The cyclic garbage collector off for a while (and back on after, if it was on).

    Reading a bibliography, or building its index, makes hundreds of thousands of small
    objects that live as long as the command, and next to no cycles: the collector's passes
    over them as they are made find nothing."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
