"""Hypothesis strategies several test modules share."""

from hypothesis import strategies as st


def texts(pieces: list[str]):
    """Strings of up to 30 of ``pieces``."""
    return st.lists(st.sampled_from(pieces), max_size=30).map("".join)
