"""Domain errors: everything opmlbib reports to a user derives from :class:`OpmlbibError`."""

from __future__ import annotations

from pathlib import Path


class OpmlbibError(Exception):
    """An error the user can act on, located in a file and line where known."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class TocError(OpmlbibError):
    """A table of contents that cannot be read as records."""


class BibError(OpmlbibError):
    """A BibTeX file or value that cannot be read or written."""


class DataError(OpmlbibError):
    """Shipped or user-supplied proceedings facts that are inconsistent."""


class OutputError(OpmlbibError):
    """A file that cannot be written safely."""
