"""The cache folder and the records cache: every value a record can hold comes back as it was."""

import sys


from opmlbib import cache
from opmlbib.csljson import from_csl_json
from opmlbib.model import Date, JsonObject


ITEMS = [
    {
        "id": "item1",
        "type": "article-journal",
        "title": "A Title",
        "author": [{"family": "Doe", "given": "Jane"}, {"literal": "The ACME Team"}],
        "translator": [{"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"}],
        "issued": {"date-parts": [[2019, 5, 20], [2019, 5, 22]]},
        "accessed": {"season": 2, "date-parts": [[2020]], "circa": True},
        "original-date": {"literal": "Spring, 1850"},
        "multi": {"_keys": {"title": {"de": "Ein Titel"}}, "main": {"title": "en"}},
        "custom": [1, "two", [3]],
    }
]


def test_csl_values_come_back_from_the_records_cache_as_they_were(tmp_path):
    records = from_csl_json(ITEMS)
    values = dict(records[0].csl)
    assert any(isinstance(value, Date) for value in values.values())
    assert isinstance(values["multi"], JsonObject)
    target = tmp_path / "records.marshal"
    target.write_bytes(cache._dump_records("key", records))
    again = cache._read_records(target, "key")
    assert again == records
    for (_, value), (_, value_again) in zip(records[0].csl, again[0].csl):
        assert type(value_again) is type(value)


def test_the_cache_folder_is_the_override_else_the_platforms(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(cache.CACHE_ENV)
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache.cache_dir() == tmp_path / "xdg" / "opmlbib"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, as the spec says
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert cache.cache_dir() == tmp_path / "home" / ".cache" / "opmlbib"
    else:
        assert cache.cache_dir().is_absolute()
