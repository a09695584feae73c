"""Prints the input of render.js as JSON: the CSL-JSON items of the built-in proceedings,
the sanitized XML of each golden style, the locales citeproc-py uses, and the clusters.

Run by render.js; the style list here is the one the golden tests read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from opmlbib.csljson import to_csl_json
from opmlbib.library import default_records
from opmlbib.styles import load_style

GOLDEN_STYLES = (
    "usenix",
    "ieee",
    "apa",
    "chicago-author-date",
    "association-for-computing-machinery",
    "modern-language-association",
    "nature",
    "harvard-cite-them-right",
    "elsevier-harvard",
    "american-chemical-society",
    "springer-basic-author-date",
    "american-medical-association",
    "vancouver",
)

#: Several items in one in-text citation, given out of the styles' order on purpose.
CLUSTERS = (
    ("zhou2019katib", "hsu2019tony"),
    ("soifer2019deep", "zhang2019accelerating", "baylor2019continuous"),
)


def locale_xml(lang: str) -> str:
    import citeproc

    path = Path(citeproc.__file__).parent / "data" / "locales" / f"locales-{lang}.xml"
    return path.read_text(encoding="utf-8")


def main() -> None:
    styles = [load_style(name) for name in GOLDEN_STYLES]
    locales = {lang: locale_xml(lang) for lang in {"en-US", *(s.locale for s in styles)}}
    json.dump(
        {
            "items": to_csl_json(default_records()),
            "styles": [
                {"name": name, "xml": s.xml.decode("utf-8"), "locale": s.locale, "has_bibliography": s.has_bibliography}
                for name, s in zip(GOLDEN_STYLES, styles)
            ],
            "locales": locales,
            "clusters": [list(c) for c in CLUSTERS],
        },
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    main()
