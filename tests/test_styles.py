"""Finding, listing and safely reading CSL styles."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from opmlbib import cite, styles
from opmlbib.errors import StyleError
from opmlbib.library import default_records

CSL = "http://purl.org/net/xbiblio/csl"


def style_text(layout: str = '<text variable="title"/>', doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
        f'<style xmlns="{CSL}" class="in-text" version="1.0">'
        "<info><title>Untrusted</title><id>x</id><updated>2024-01-01T00:00:00+00:00</updated></info>"
        f"<citation><layout>{layout}</layout></citation>"
        f"<bibliography><layout>{layout}</layout></bibliography></style>"
    )


def write(tmp_path: Path, text: str | bytes, name: str = "user.csl") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# ------------------------------------------------------------------ untrusted styles


@pytest.mark.parametrize(
    "layout",
    ['<text value="A&x;B"/>', '<text value="A"/><text value="B" prefix="&p;"/>', '<group>&x;</group>', '<text value="plain"/>'],
)
def test_style_declaring_an_external_entity_is_refused_unread(tmp_path, layout):
    secret = write(tmp_path, "TOP-SECRET-CONTENT", "secret.txt")
    doctype = f'<!DOCTYPE style [<!ENTITY x SYSTEM "file://{secret}"><!ENTITY p SYSTEM "file:///etc/passwd">]>\n'
    path = write(tmp_path, style_text(layout, doctype))
    with pytest.raises(StyleError) as info:
        styles.load_style(str(path))
    assert "TOP-SECRET" not in str(info.value) and "root:" not in str(info.value)
    assert info.value.path == str(path)
    assert "DOCTYPE" in info.value.message or "entity" in info.value.message


def test_external_dtd_is_refused_without_fetching(tmp_path):
    doctype = '<!DOCTYPE style SYSTEM "http://127.0.0.1:9/never.dtd">\n'
    with pytest.raises(StyleError, match="DOCTYPE"):
        styles.load_style(str(write(tmp_path, style_text(doctype=doctype))))


def test_entity_amplification_is_refused(tmp_path):
    entities = '<!ENTITY a0 "xxxxxxxxxx">' + "".join(f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    text = style_text('<text value="&a9;"/>', f"<!DOCTYPE style [{entities}]>\n")
    with pytest.raises(StyleError):
        styles.load_style(str(write(tmp_path, text)))


def test_parsed_style_handed_to_citeproc_has_no_doctype_and_renders(tmp_path):
    style = styles.load_style(str(write(tmp_path, style_text())))
    assert b"DOCTYPE" not in style.xml and b"ENTITY" not in style.xml
    entries = cite.bibliography(default_records()[:1], style)
    assert entries[0].text == "Opportunities and Challenges Of Machine Learning Accelerators In Production"


def test_entity_reference_without_doctype_is_not_well_formed(tmp_path):
    with pytest.raises(StyleError, match="not well-formed"):
        styles.load_style(str(write(tmp_path, style_text("<group>&x;</group>"))))


def test_oversized_style_is_refused(tmp_path):
    padding = "<!--" + "x" * (styles.MAX_STYLE_BYTES + 10) + "-->"
    path = write(tmp_path, style_text().replace("<info>", padding + "<info>"))
    with pytest.raises(StyleError, match="opmlbib reads a style of up to 2,097,152 bytes"):
        styles.load_style(str(path))


def test_an_endless_style_file_is_refused_at_once():
    with pytest.raises(StyleError, match="over 2,097,152 bytes"):
        styles.load_style("/dev/zero")


def test_a_huge_unknown_name_is_refused_at_once_and_echoed_short():
    with pytest.raises(StyleError) as caught:
        styles.load_style("x" * 100_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<style", "not well-formed"),
        ('<?xml version="1.0"?><html/>', "not a CSL style"),
        (f'<style xmlns="{CSL}"><info><title>T</title></info></style>', "neither a <citation>"),
    ],
)
def test_broken_styles_are_errors(tmp_path, text, message):
    with pytest.raises(StyleError, match=message):
        styles.load_style(str(write(tmp_path, text)))


def test_missing_style_file_is_an_error(tmp_path):
    with pytest.raises(StyleError, match="cannot read the style"):
        styles.load_style(str(tmp_path / "absent.csl"))


# ---------------------------------------------------------------------------- names


def test_default_is_our_usenix_style():
    style = styles.load_style()
    assert style.name == "usenix"
    assert style.title.startswith("USENIX")
    assert style.has_bibliography


def test_our_styles_ship_in_the_package():
    names = [entry.name for entry in resources.files("opmlbib.csl").iterdir()]
    assert "usenix.csl" in names


@pytest.mark.parametrize("name", ["ieee", "apa", "chicago-author-date", "nature"])
def test_independent_styles_by_name(name):
    style = styles.load_style(name)
    assert style.name == name and style.xml.startswith(b"<?xml")


def test_dependent_style_renders_with_its_parent():
    dependent = styles.load_style("ieee-access")
    assert dependent.xml == styles.load_style("ieee").xml
    assert "ieee" in dependent.source


def test_renamed_style_name_still_works():
    # "ama" is an old name the CSL repository lists in renamed-styles.json.
    assert styles.load_style("ama").xml == styles.load_style("american-medical-association").xml


def test_a_dependent_style_file_renders_with_its_parent(tmp_path):
    text = (
        f'<?xml version="1.0" encoding="utf-8"?><style xmlns="{CSL}" version="1.0" default-locale="en-GB">'
        "<info><title>My Journal</title><id>mine</id>"
        '<link href="http://www.zotero.org/styles/apa" rel="independent-parent"/></info></style>'
    )
    style = styles.load_style(str(write(tmp_path, text, "mine.csl")))
    assert style.title == "My Journal"
    assert style.xml == styles.load_style("apa").xml
    assert style.locale == "en-GB"


@pytest.mark.parametrize(("typo", "meant"), [("iee", "ieee"), ("apa7", "apa"), ("chicago-author", "chicago-author-date")])
def test_unknown_name_suggests_close_names(typo, meant):
    with pytest.raises(StyleError, match=f"unknown style '{typo}'; did you mean .*\\b{meant}\\b"):
        styles.load_style(typo)


def test_empty_style_name_is_an_error():
    with pytest.raises(StyleError, match="empty"):
        styles.load_style("  ")


# -------------------------------------------------------------------------- listing


def test_listing_has_ours_first_and_thousands_more():
    everything = styles.search_styles()
    assert everything[0].name == "usenix" and everything[0].origin == styles.OURS
    assert len(everything) > 2800
    assert len({s.name for s in everything}) == len(everything)


def test_search_puts_the_exact_name_first_and_matches_titles():
    found = styles.search_styles("ieee")
    assert found[0].name == "ieee"
    assert all("ieee" in s.name or "ieee" in s.title.lower() for s in found)
    by_title = styles.search_styles("Modern Language")
    assert "modern-language-association" in [s.name for s in by_title]


def test_search_of_several_words_needs_all_of_them():
    found = styles.search_styles("nature brackets")
    assert [s.name for s in found] == ["nature-brackets"] or all("brackets" in (s.name + s.title.lower()) for s in found)
    assert found


def test_dependent_styles_name_their_parent():
    access = next(s for s in styles.search_styles("ieee-access") if s.name == "ieee-access")
    assert access.parent == "ieee"


def test_search_without_hits_is_empty():
    assert styles.search_styles("qqqzzzxxy") == []


# ------------------------------------------------------- finding a name without listing


@pytest.fixture
def no_listing(monkeypatch):
    """Fail if anything lists the style folders (only listing and suggesting may)."""

    def refuse():
        raise AssertionError("the style folders were listed")

    monkeypatch.setattr(styles, "_own_files", refuse)
    monkeypatch.setattr(styles, "_library_files", refuse)
    monkeypatch.setattr(styles, "style_names", refuse)


@pytest.mark.parametrize(("name", "title"), [("usenix", "USENIX"), ("ieee", "IEEE"), ("apa", "APA")])
def test_a_known_name_is_opened_without_listing(no_listing, name, title):
    style = styles.load_style(name)
    assert style.name == name and style.title.startswith(title) and style.has_bibliography


def test_a_dependent_name_is_opened_with_its_parent_without_listing(no_listing):
    style = styles.load_style("ieee-access")
    assert "dependent" in style.source and style.source.endswith("(rendered by ieee)")


def test_a_renamed_name_is_opened_without_listing(no_listing):
    assert styles.load_style("ama").source.endswith("american-medical-association.csl")


def test_our_style_comes_before_the_collection(no_listing):
    assert styles.load_style("usenix").source == "<opmlbib style usenix>"


def test_direct_lookup_agrees_with_the_listing():
    own = styles._own_files()
    independent, dependent = styles._library_files()
    for name in ["usenix", "ieee", "nature", "ieee-access", "nature-digest", "elsevier-harvard"]:
        label, entry = styles._locate(name)
        expected = own.get(name) or independent.get(name) or dependent.get(name)
        assert Path(entry).read_bytes() == Path(expected).read_bytes()


@pytest.mark.parametrize("name", ["IEEE", "ieee.", "-ieee", "ie ee", "renamed-styles"])
def test_names_outside_the_naming_rule_are_not_opened(name):
    assert styles._locate(name) is None
    with pytest.raises(StyleError, match=f"unknown style {name!r}"):
        styles.load_style(name)


def test_an_unknown_name_still_suggests_from_the_listing():
    with pytest.raises(StyleError, match="did you mean ieee"):
        styles.load_style("IEEE")


def test_a_file_named_like_a_style_is_the_style(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, style_text(), "ieee")
    write(tmp_path, style_text(), "not-a-style-name")
    assert styles.load_style("ieee").title.startswith("IEEE")
    assert styles.load_style("not-a-style-name").title == "Untrusted"
