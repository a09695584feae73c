"""Records ⇄ CSL-JSON, the data model of CSL processors (citeproc-py, citeproc-js, pandoc).

:func:`to_csl_json` makes the items ``opmlbib cite`` formats and ``export --format
csljson`` writes; :func:`from_csl_json` reads such items back, or a library Zotero
exported, as records, and what the records' fields do not carry it keeps as it came
(:attr:`Record.csl`): CSL-JSON in gives the same items out.  Fields of a user's .bib
that the model keeps as extras (journal, volume, number, series, and biblatex's
translator, bookauthor, origdate, urldate, eventdate, langid, shorttitle, ...) and its
entry types map to CSL variables and types as pandoc's BibTeX reader and Better BibTeX
map them, here and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .bibtex import key_problem
from .errors import BibError, OpmlbibError, warn
from .model import Author, Date, JsonObject, Record

NOCASE_OPEN = '<span class="nocase">'
NOCASE_CLOSE = "</span>"


def csl_title(record: Record) -> str:
    """The title with its case-protected words in CSL ``nocase`` spans.

    Protected are exactly the words a file protects (a .bib's braces, CSL-JSON's own
    ``nocase`` spans), or, for a record opmlbib made, the words BibTeX output braces
    (:func:`bibtex.protected_spans`); and for all but CSL-JSON's, as BibTeX's sentence
    case keeps it, a capitalized word right after a colon.
    """
    from .bibtex import protected_spans

    title = record.title
    if record.title_protected is not None:  # the file says exactly what is protected
        spans = list(record.title_protected)
    else:
        spans = list(protected_spans(title, record.case_protected))
    bibtex_like = record.source is not None or record.title_protected is None
    for match in re.finditer(r":\s+([A-Z][\w'-]*)", title) if bibtex_like else ():
        start, end = match.span(1)
        if not any(s <= start < e for s, e in spans):
            spans.append((start, end))
    out, position = [], 0
    for start, end in sorted(spans):
        out.append(title[position:start])
        out.append(NOCASE_OPEN + title[start:end] + NOCASE_CLOSE)
        position = end
    out.append(title[position:])
    return "".join(out)


def _csl_name(author: Author) -> dict:
    """A name as CSL-JSON writes it: a literal name whole, any other in its parts."""
    if author.literal:
        name = {"literal": author.family}
    else:
        name = {"family": author.family} if author.family or not author.given else {}
        for part, value in (("given", author.given), ("dropping-particle", author.dropping),
                            ("non-dropping-particle", author.von), ("suffix", author.suffix)):
            if value:
                name[part] = value
    name.update((option, json_value(value)) for option, value in author.options)
    return name


def _csl_type(record: Record) -> str:
    """The CSL type of a record's BibTeX or biblatex entry type, as pandoc's BibTeX reader
    maps them (an article in a magazine or newspaper by its entrysubtype); a type it does
    not know is a document."""
    kind = _CSL_TYPES.get(record.entry_type, "document")
    if kind == "article-journal" and record.source is not None:
        subtype = _plain_value(record, "entrysubtype")
        if subtype in ("magazine", "newspaper"):
            return f"article-{subtype}"
    return kind


# BibTeX and biblatex entry types → CSL types (pandoc's BibTeX reader; @misc is a document).
_CSL_TYPES = {
    "inproceedings": "paper-conference", "conference": "paper-conference", "article": "article-journal",
    "periodical": "article-journal", "suppperiodical": "article-journal", "book": "book", "mvbook": "book",
    "collection": "book", "mvcollection": "book", "proceedings": "book", "mvproceedings": "book",
    "reference": "book", "mvreference": "book", "manual": "book", "commentary": "book", "booklet": "pamphlet",
    "incollection": "chapter", "inbook": "chapter", "bookinbook": "chapter", "suppbook": "chapter",
    "suppcollection": "chapter", "inreference": "entry-encyclopedia", "phdthesis": "thesis",
    "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report", "report": "report",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "patent": "patent", "dataset": "dataset",
    "data": "dataset", "software": "software", "unpublished": "manuscript", "artwork": "graphic",
    "image": "graphic", "audio": "song", "music": "song", "movie": "motion_picture", "video": "motion_picture",
    "jurisdiction": "legal_case", "legislation": "legislation", "legal": "treaty", "letter": "personal_communication",
    "performance": "speech", "review": "review", "standard": "standard", "misc": "document",
}


def to_csl_json(records: Sequence[Record]) -> list[dict]:
    """The records as CSL-JSON items, exactly as they are fed to citeproc-py."""
    items = []
    for record in records:
        if not record.key:
            raise OpmlbibError(f'the record "{record.title}" has no citation key')
        venue = record.venue
        item: dict = {"id": record.key, "type": _csl_type(record), "title": csl_title(record)}
        if record.authors:
            item["author"] = [_csl_name(a) for a in record.authors]
        if record.editors:
            item["editor"] = [_csl_name(e) for e in record.editors]
        extra = dict(record.extra)
        container = venue.booktitle or extra.get("journal")
        if container:
            item["container-title"] = container
            if item["type"] == "paper-conference":
                item["event-title"] = container
        if venue.address:
            if item["type"] == "paper-conference":
                item["event-place"] = venue.address
            item["publisher-place"] = venue.address
        howpublished = extra.get("howpublished", "")
        howpublished_url = re.fullmatch(r"https?://\S+", howpublished) is not None
        published_as = howpublished if howpublished and not howpublished_url and record.entry_type in _HOWPUBLISHED_TYPES else None
        publisher = (venue.publisher or extra.get("school") or extra.get("institution") or published_as
                     or extra.get("organization"))
        if publisher:
            item["publisher"] = publisher
        issued = _issued(record, extra)
        if issued:
            item["issued"] = issued
        if record.pages or extra.get("pages"):
            item["page"] = record.pages or extra["pages"]
        for field, variable in _CSL_VARIABLES.items():
            if extra.get(field):
                item[_number_variable(item["type"]) if field == "number" else variable] = extra[field]
        if record.entry_type == "mastersthesis" and not extra.get("type"):
            item["genre"] = MASTERS_THESIS
        if not record.url and howpublished_url:
            item["URL"] = howpublished
        if venue.isbn:
            item["ISBN"] = venue.isbn
        if record.url:
            item["URL"] = record.url
        if record.doi:
            item["DOI"] = record.doi
        if record.extra:
            _add_biblatex_fields(item, record, extra)
        for variable, value in record.csl:  # what the item had, as it had it
            if value is None:
                item.pop(variable, None)
            else:
                item[variable] = json_value(value)
        items.append(item)
    return items


def _issued(record: Record, extra: dict[str, str]) -> dict | None:
    """The CSL date of a record: its year, month and day; a range where the file gives one
    (biblatex's ``date = {1982/1983}``, ``year = {1982--1983}``); otherwise a year the file
    writes in words, as a literal date."""
    from .model import iso_dates

    def parts(year: int, month: int | None, day: int | None) -> list[int]:
        return [year] + ([month] + ([day] if day is not None else []) if month is not None else [])

    dates = iso_dates(extra["date"]) if extra.get("date") else None
    # a range of years (citeproc-py renders no range of months or days: those give their start)
    if dates and len(dates) == 2 and dates[0][1:] == dates[1][1:] == (None, None):
        return {"date-parts": [[dates[0][0]], [dates[1][0]]]}
    venue = record.venue
    if venue.year is not None:
        return {"date-parts": [parts(venue.year, venue.month, venue.day)]}
    year = extra.get("year")
    if year:
        span = re.fullmatch(r"\s*(\d{4})\s*[-\u2013\u2014/]+\s*(\d{4})\s*", year)
        if span:
            return {"date-parts": [[int(span.group(1))], [int(span.group(2))]]}
        return {"literal": year}
    return None


# BibTeX fields (as a user's .bib has them) → the CSL variables that carry them.
_CSL_VARIABLES = {
    "volume": "volume",
    "number": "issue",
    "edition": "edition",
    "series": "collection-title",
    "chapter": "chapter-number",
    "type": "genre",
    "note": "note",
    "abstract": "abstract",
    "issn": "ISSN",
}
# biblatex fields (and BibTeX fields beyond the standard ones) → CSL variables, as pandoc's
# BibTeX reader and Better BibTeX map them.  Names and dates are read as such.
_NAME_FIELDS = {"translator": "translator", "bookauthor": "container-author", "director": "director"}
_DATE_FIELDS = {"origdate": "original-date", "eventdate": "event-date", "urldate": "accessed"}
_TEXT_FIELDS = {
    "shorttitle": "title-short", "shortjournal": "container-title-short", "eventtitle": "event-title",
    "venue": "event-place", "origtitle": "original-title", "origpublisher": "original-publisher",
    "origlocation": "original-publisher-place", "pubstate": "status", "version": "version",
    "pagetotal": "number-of-pages", "volumes": "number-of-volumes", "annotation": "annote", "annote": "annote",
    "keywords": "keyword", "pmid": "PMID", "pmcid": "PMCID", "library": "call-number",
}
# babel's language names (langid) → the language tags CSL takes
_LANGUAGES = {
    "english": "en-US", "american": "en-US", "usenglish": "en-US", "british": "en-GB", "ukenglish": "en-GB",
    "australian": "en-AU", "canadian": "en-CA", "newzealand": "en-NZ", "german": "de-DE", "ngerman": "de-DE",
    "austrian": "de-AT", "naustrian": "de-AT", "swissgerman": "de-CH", "nswissgerman": "de-CH", "french": "fr-FR",
    "italian": "it-IT", "spanish": "es-ES", "portuguese": "pt-PT", "brazilian": "pt-BR", "dutch": "nl-NL",
    "swedish": "sv-SE", "danish": "da-DK", "norwegian": "nb-NO", "norsk": "nb-NO", "nynorsk": "nn-NO",
    "finnish": "fi-FI", "polish": "pl-PL", "czech": "cs-CZ", "slovak": "sk-SK", "russian": "ru-RU",
    "ukrainian": "uk-UA", "greek": "el-GR", "turkish": "tr-TR", "hungarian": "hu-HU", "romanian": "ro-RO",
    "catalan": "ca-AD", "japanese": "ja-JP", "chinese": "zh-CN", "korean": "ko-KR", "hebrew": "he-IL",
    "arabic": "ar", "latin": "la",
}
_EPRINT_URLS = {"arxiv": "https://arxiv.org/abs/", "jstor": "https://www.jstor.org/stable/",
                "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/", "googlebooks": "https://books.google.com?id="}


def _add_biblatex_fields(item: dict, record: Record, extra: dict[str, str]) -> None:
    """The CSL variables a record's further BibTeX and biblatex fields stand for: name
    roles (translator, bookauthor, director), dates (origdate, eventdate, urldate), a
    subtitle and title addon joined to the title, langid as a language tag, an eprint's
    URL, and the fields of :data:`_TEXT_FIELDS`."""
    from .model import iso_dates

    for field, variable in _NAME_FIELDS.items():
        if extra.get(field):
            item[variable] = _bib_names(record, field, extra[field])
    for field, variable in _DATE_FIELDS.items():
        if extra.get(field):
            dates = iso_dates(extra[field])
            item[variable] = ({"date-parts": [[part for part in date if part is not None] for date in dates]}
                              if dates else {"literal": extra[field]})
    for field, variable in _TEXT_FIELDS.items():
        if extra.get(field):
            item[variable] = extra[field]
    if extra.get("subtitle") or extra.get("titleaddon"):
        title = item.get("title", "")
        if extra.get("subtitle"):
            title = f"{title}: {extra['subtitle']}" if title else extra["subtitle"]
        if extra.get("titleaddon"):
            title = f"{title}. {extra['titleaddon']}" if title else extra["titleaddon"]
        item["title"] = title
    language = extra.get("langid") or extra.get("hyphenation") or extra.get("language")
    if language:
        item["language"] = _LANGUAGES.get(language.strip().lower(), language.strip())
    kind = (extra.get("eprinttype") or extra.get("archiveprefix") or "").strip().lower()
    if extra.get("eprint") and kind in _EPRINT_URLS and "URL" not in item:
        item["URL"] = _EPRINT_URLS[kind] + extra["eprint"].strip()


def _bib_names(record: Record, field: str, decoded: str) -> list[dict]:
    """The names of a name field of a user's .bib as CSL-JSON names, split as bibtex
    splits them: from the value as written where it is one braced or quoted value (so
    that ``{ACME and Sons}`` is one name), else from its decoded text."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    from .bibtex import decode

    raw = record.source.raw(field) if record.source is not None else None
    text = _one_group(raw) if raw is not None else None
    names = []
    for person in split_multiple_persons_names(text if text is not None else decoded):
        parts = parse_single_name_into_parts(person, strict=False)

        def joined(words):
            return decode(" ".join(words)) if text is not None else " ".join(words)

        family, given = joined(parts.last), joined(parts.first)
        if not family:
            family, given = given, ""
        name = {"family": family}
        for part, value in (("given", given), ("non-dropping-particle", joined(parts.von)), ("suffix", joined(parts.jr))):
            if value:
                name[part] = value
        names.append(name)
    return names


def _one_group(raw: str) -> str | None:
    """The contents of a raw value that is one braced (or quoted) group, else None."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"' and '"' not in raw[1:-1]:
        return raw[1:-1]
    if not (raw.startswith("{") and raw.endswith("}")):
        return None
    depth = 0
    for index, char in enumerate(raw):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and index < len(raw) - 1:
            return None
    return raw[1:-1]


def _plain_value(record: Record, field: str) -> str:
    return dict(record.extra).get(field, "").strip().lower()


# BibTeX's number is a journal's issue, a report's number, or a book's (a paper's) number
# in its series.
_NUMBER_VARIABLES = {"article-journal": "issue", "report": "number"}


def _number_variable(csl_type: str) -> str:
    return _NUMBER_VARIABLES.get(csl_type, "collection-number")


#: The genre of a @mastersthesis without a type field (CSL has one thesis type; a
#: @phdthesis has no genre unless its type field gives one).
MASTERS_THESIS = "Master's thesis"
# Entry types whose howpublished says how the work was published (a URL goes to URL).
_HOWPUBLISHED_TYPES = {"misc", "booklet"}
# Who publishes a thesis or a report, as BibTeX names the field.
_PUBLISHER_FIELDS = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}
_BIBTEX_TYPES = {
    "paper-conference": "inproceedings",
    "article-journal": "article",
    "book": "book",
    "chapter": "incollection",
    "thesis": "phdthesis",
    "report": "techreport",
}
_NOCASE = re.compile(re.escape(NOCASE_OPEN) + "(.*?)" + re.escape(NOCASE_CLOSE), re.S)


def _protected_phrases(title: str, spans: tuple[tuple[int, int], ...]) -> tuple[str, ...]:
    """The protected phrases of a CSL title, less a capitalized word right after a colon
    (which BibTeX's sentence case keeps anyway, so BibTeX output need not brace it)."""
    phrases = []
    for start, end in spans:
        after_colon = re.search(r":\s+$", title[:start])
        if not (after_colon and re.fullmatch(r"[A-Z][\w'-]*", title[start:end])):
            phrases.append(title[start:end])
    return tuple(dict.fromkeys(phrases))


def _nocase_spans(title: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A CSL title's text and the character ranges its ``nocase`` spans protect."""
    out, spans, position = [], [], 0
    for match in _NOCASE.finditer(title):
        out.append(title[position: match.start()])
        start = sum(map(len, out))
        out.append(match.group(1))
        spans.append((start, start + len(match.group(1))))
        position = match.end()
    out.append(title[position:])
    return "".join(out), tuple(spans)


def from_csl_json(items, path: str | None = None) -> tuple[Record, ...]:
    """CSL-JSON items (as :func:`to_csl_json` writes them, or as Zotero exports them) as
    records; ``nocase`` spans of a title become its case-protected words.

    Nothing an item says is lost: what the record's fields do not give back as the item
    had it (a name role BibTeX lacks, a date range, a season, the CSL type, ...) is kept in
    :attr:`Record.csl` as it came, so that :func:`to_csl_json` writes the same items again
    (ids as text).  What CSL-JSON cannot say (affiliations, sessions, where each page
    number came from) is not invented: pages read here are marked as coming from the
    bibliography file.
    """
    if not isinstance(items, list):
        raise BibError("CSL-JSON must be a list of items", path=path)
    records: dict[str, Record] = {}  # by lower-case key, as citation keys are compared
    for number, item in enumerate(items, start=1):
        record = _CslItem(item, number, path).record()
        if record.key.lower() in records:
            warn(f"item {number}: the id {record.key} is used again; this item replaces the earlier one",
                 path=path)
        records[record.key.lower()] = record
    return tuple(records.values())


class _CslItem:
    """One CSL-JSON item being read, and where it is for error messages."""

    def __init__(self, item, number: int, path: str | None) -> None:
        self.item, self.number, self.path = item, number, path
        self.where = f"item {number}"
        if not isinstance(item, dict):
            raise BibError(f"{self.where} is not an object", path=path)
        key = self.text("id")
        if not key:
            raise BibError(f"{self.where} has no id", path=path)
        problem = key_problem(key)
        if problem:
            raise BibError(f'{self.where}: the id "{key[:60]}" cannot be a citation key: {problem}', path=path)
        self.key = key
        self.where = f"item {number} ({key})"

    def text(self, name: str) -> str | None:
        value = self.item.get(name)
        if value is None or isinstance(value, (str, int)) and not isinstance(value, bool):
            return None if value is None else str(value)
        return self._fail(f"{name} must be text, not {type(value).__name__}")

    def _fail(self, message: str):
        raise BibError(f"{self.where}: {message}", path=self.path)

    def names(self, role: str) -> tuple[Author, ...]:
        value = self.item.get(role)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(name, dict) for name in value):
            self._fail(f"{role} must be a list of names (objects)")
        # A name with a given name alone (a mononym) is its family name to the writers of
        # formats that require one; the item keeps it as it came.
        return tuple(Author(a.family, a.given) if not a.family and not a.literal else a for a in map(_author, value))

    def date(self) -> tuple[int | None, int | None, int | None]:
        """The year, month and day the issued date starts with, as far as they are numbers."""
        issued = _model_value(self.item.get("issued"))
        if not isinstance(issued, Date) or not issued.parts:
            return None, None, None
        numbers = []
        for part in issued.parts[0][:3]:
            if not _is_number(part):
                break
            numbers.append(int(part))
        year, month, day = (numbers + [None, None, None])[:3]
        if month is not None and not 1 <= month <= 12:
            month, day = None, None
        return year, month, day

    def record(self) -> Record:
        from dataclasses import replace

        from .bibtex import read_pages
        from .model import Venue

        entry_type = _BIBTEX_TYPES.get(self.text("type") or "", "misc")
        genre = self.text("genre")
        if entry_type == "phdthesis" and genre == MASTERS_THESIS:
            entry_type, genre = "mastersthesis", None
        year, month, day = self.date()
        first_page, last_page, extra = read_pages(self.text("page"), f"CSL-JSON item {self.number}")
        container = self.text("container-title") or ""
        if container and entry_type == "article":
            extra.append(("journal", container))
            container = ""
        publisher = self.text("publisher")
        if publisher and entry_type in _PUBLISHER_FIELDS:
            extra.append((_PUBLISHER_FIELDS[entry_type], publisher))
            publisher = None
        for field, variable in _CSL_VARIABLES.items():
            if field == "number":
                preferred = _number_variable(self.text("type") or "")
                value = next(filter(None, map(self.text, (preferred, "issue", "number", "collection-number"))), None)
            else:
                value = genre if field == "type" else self.text(variable)
            if value:
                extra.append((field, value))
        for variable in NAME_VARIABLES.intersection(self.item):
            self.names(variable)  # each role a list of names
        title, protected = _nocase_spans(self.text("title") or "")
        record = Record(
            title=title,
            authors=self.names("author"),
            editors=self.names("editor"),
            venue=Venue(
                booktitle=container,
                year=year,
                month=month,
                day=day,
                address=self.text("publisher-place") or self.text("event-place"),
                publisher=publisher,
                isbn=self.text("ISBN"),
            ),
            first_page=first_page,
            last_page=last_page,
            key=self.key,
            url=self.text("URL"),
            doi=self.text("DOI"),
            entry_type=entry_type,
            extra=tuple(extra),
            case_protected=_protected_phrases(title, protected),
            title_protected=protected,
        )
        (written,) = to_csl_json([record])
        return replace(record, csl=_differences(self.item, written))


# ------------------------------------------------------------- values as they came


def _differences(item: dict, written: dict) -> tuple[tuple[str, object], ...]:
    """What ``item`` has that ``written`` (the record's own item) does not have alike:
    each variable whose value differs, as the item has it, and None for each variable the
    item lacks.  The id is the record's key."""
    kept = [(variable, _model_value(value)) for variable, value in item.items()
            if variable != "id" and not _same(value, written.get(variable, _MISSING))]
    kept.extend((variable, None) for variable in written if variable not in item and variable != "id")
    return tuple(kept)


_MISSING = object()


def _same(a, b) -> bool:
    """JSON equality: ``1``, ``1.0``, ``True`` and ``"1"`` all differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


#: The CSL variables whose values are names (CSL 1.0.2).
NAME_VARIABLES = frozenset("""
    author chair collection-editor compiler composer container-author contributor curator director
    editor editor-translator editorial-director executive-producer guest host illustrator interviewer
    narrator organizer original-author performer producer recipient reviewed-author script-writer
    series-creator translator
""".split())
_NAME_PARTS = {"family": "family", "given": "given", "non-dropping-particle": "von",
               "dropping-particle": "dropping", "suffix": "suffix"}
_DATE_KEYS = ("date-parts", "season", "circa", "literal", "raw")


def _author(name: dict) -> Author:
    """One CSL-JSON name (an object) as an author; what the model has no part for in
    ``options``."""
    parts: dict[str, Any] = {attribute: value for key, attribute in _NAME_PARTS.items()
             if isinstance(value := name.get(key), str)}
    options = tuple((key, _frozen(value)) for key, value in name.items()
                    if key not in _NAME_PARTS and key != "literal" or not isinstance(value, str))
    if isinstance(name.get("literal"), str):
        return Author(given="", family=name["literal"], literal=True, options=options)
    return Author(given=parts.pop("given", ""), family=parts.pop("family", ""), options=options, **parts)


def _model_value(value):
    """A CSL-JSON value in the model's terms: names as :class:`Author` tuples and dates as
    :class:`Date` where they say exactly what the JSON does, other JSON frozen."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        names = tuple(map(_author, value))
        if _same([_csl_name(a) for a in names], value):
            return names
    if isinstance(value, dict) and value and set(value) <= set(_DATE_KEYS):
        parts = value.get("date-parts")
        if parts is None or isinstance(parts, list) and parts and all(isinstance(p, list) for p in parts):
            date = Date(parts=tuple(tuple(p) for p in parts or ()), season=value.get("season"),
                        circa=value.get("circa"), literal=value.get("literal"), raw=value.get("raw"))
            if _same(json_value(date), value):
                return date
    return _frozen(value)


def _frozen(value):
    """JSON as immutable values: objects as :class:`JsonObject`, arrays as tuples."""
    if isinstance(value, dict):
        return JsonObject(tuple((key, _frozen(member)) for key, member in value.items()))
    if isinstance(value, list):
        return tuple(map(_frozen, value))
    return value


def json_value(value):
    """A model value as CSL-JSON (the inverse of :func:`_model_value`)."""
    if isinstance(value, Author):
        return _csl_name(value)
    if isinstance(value, Date):
        out: dict = {}
        if value.parts:
            out["date-parts"] = [list(part) for part in value.parts]
        for key, member in zip(_DATE_KEYS[1:], (value.season, value.circa, value.literal, value.raw)):
            if member is not None:
                out[key] = member
        return out
    if isinstance(value, JsonObject):
        return {key: json_value(member) for key, member in value.members}
    if isinstance(value, tuple):
        return [json_value(member) for member in value]
    return value


def _is_number(part) -> bool:
    return isinstance(part, int) and not isinstance(part, bool) or isinstance(part, str) and part.strip().lstrip("-").isdigit()
