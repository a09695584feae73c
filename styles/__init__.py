"""CSL styles shipped with opmlbib (installed as the package ``opmlbib.csl``)."""
