"""opmlbib: exact BibTeX records and CSL citations for the OpML '19 proceedings."""

__version__ = "0.1.0"
