"""The English catalog (locale/en/LC_MESSAGES/django.po): complete, compiled, and used.

Japanese is the source language (docs/decisions/0005-i18n.md); every msgid is Japanese and the English
catalog carries the translation. These tests need no GNU gettext: the .po is read with a small reader
here and the committed .mo with Python's own `gettext` module. Refresh both with `make messages`.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # {0: text} for a singular entry

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def __str__(self) -> str:
        return f"django.po:{self.line} msgid {self.msgid!r}"


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text.strip()[1:-1])


def _awaits_msgid(entry: Entry | None) -> bool:
    """True right after a msgctxt line: the msgid that follows belongs to the same entry."""
    return entry is not None and entry.msgctxt is not None and entry.msgid == "" and not entry.msgstr


def read_po(path: Path) -> list[Entry]:
    """Every live entry of a .po file, header first; obsolete (#~) entries are reported as an error."""
    entries: list[Entry] = []
    entry: Entry | None = None
    flags: set[str] = set()
    target: str | None = None  # "msgctxt", "msgid", "msgid_plural" or "msgstr"
    slot = 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            target = None
            continue
        if line.startswith("#~"):
            raise AssertionError(f"django.po:{number}: obsolete entry; run `make messages` (--no-obsolete)")
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword == "msgctxt" or (keyword == "msgid" and not _awaits_msgid(entry)):
                entry = Entry(line=number, flags=flags)
                entries.append(entry)
                flags = set()
            assert entry is not None, f"django.po:{number}: {keyword} outside an entry"
            if keyword == "msgctxt":
                entry.msgctxt, target = value, "msgctxt"
            elif keyword == "msgid":
                entry.msgid, target = value, "msgid"
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, "msgid_plural"
            else:
                slot = int(index) if index is not None else 0
                entry.msgstr[slot], target = value, "msgstr"
            continue
        if line.startswith('"') and entry is not None and target is not None:
            if target == "msgstr":
                entry.msgstr[slot] += _unquote(line)
            else:
                setattr(entry, target, getattr(entry, target) + _unquote(line))
            continue
        raise AssertionError(f"django.po:{number}: cannot read {raw!r}")
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    entries = read_po(PO_PATH)
    assert entries, "the catalog has no entries"
    assert entries[0].msgid == "", "the header entry comes first"
    return entries


@pytest.fixture(scope="module")
def messages(catalog: list[Entry]) -> list[Entry]:
    return catalog[1:]


def test_the_header_declares_english_utf8_and_plural_forms(catalog):
    header = catalog[0].msgstr[0]
    assert "Language: en\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert "fuzzy" not in catalog[0].flags


def test_the_catalog_is_not_empty(messages):
    assert len(messages) > 500


def test_every_message_is_translated(messages):
    untranslated = [str(e) for e in messages
                    if not e.msgstr or any(not text for text in e.msgstr.values())]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


def test_no_entry_is_fuzzy(catalog):
    assert "#, fuzzy" not in PO_PATH.read_text(encoding="utf-8")
    assert not [str(e) for e in catalog if "fuzzy" in e.flags]


def test_plural_entries_have_both_english_forms(messages):
    wrong = [str(e) for e in messages if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    assert not wrong
    assert not [str(e) for e in messages if e.msgid_plural is None and sorted(e.msgstr) != [0]]


def test_no_msgid_appears_twice(messages):
    counts = Counter(e.key for e in messages)
    assert not [key for key, n in counts.items() if n > 1]


def test_english_text_left_in_japanese_is_only_quoted_examples(messages):
    """A msgstr is English: Japanese may remain only inside examples (令和6年, 鈑金 → 板金, 株式会社...)."""
    kana = re.compile(r"[\u3040-\u309f\u30a0-\u30ff]{6,}")  # six kana in a row: an untranslated sentence
    left = [str(e) for e in messages for text in e.msgstr.values() if kana.search(text)]
    assert not left


# Placeholders: %(name)s and %(km).1f, positional %s/%d, {name} (python-brace-format), and HTML tags.
_PERCENT = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_BRACE = re.compile(r"\{[^{}\s]*\}")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _placeholders(text: str, entry: Entry) -> Counter[str]:
    found: list[str] = []
    if "python-format" in entry.flags or _PERCENT.search(text):
        found += [m for m in _PERCENT.findall(text) if m != "%%"]
    if "python-brace-format" in entry.flags:
        found += _BRACE.findall(text)
    found += _TAG.findall(text)
    return Counter(found)


def test_placeholders_and_html_are_kept(messages):
    wrong = []
    for e in messages:
        sources = {0: e.msgid, 1: e.msgid_plural if e.msgid_plural is not None else e.msgid}
        for slot, text in e.msgstr.items():
            want = _placeholders(sources[slot], e)
            got = _placeholders(text, e)
            if want != got:
                wrong.append(f"{e}: msgstr[{slot}] has {dict(got)}, msgid has {dict(want)}")
    assert not wrong, "\n".join(wrong)


def test_percent_formatting_works_with_the_translation(messages):
    """Each python-format msgstr formats with the msgid's own names (no stray '%')."""
    for e in messages:
        if "python-format" not in e.flags:
            continue
        names = set(re.findall(r"%\((\w+)\)", e.msgid + (e.msgid_plural or "")))
        if not names:
            continue
        params = {name: 1 for name in names}
        for text in e.msgstr.values():
            text % params  # raises on a broken placeholder


def test_line_breaks_match_at_the_ends(messages):
    wrong = [str(e) for e in messages for text in e.msgstr.values()
             if e.msgid.endswith("\n") != text.endswith("\n")
             or e.msgid.startswith("\n") != text.startswith("\n")]
    assert not wrong


def test_the_compiled_catalog_is_up_to_date(messages):
    """The committed .mo holds exactly the .po's translations (run `make messages` after editing the .po)."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    mo = {key: value for key, value in compiled._catalog.items() if key != ""}
    po: dict[object, str] = {}
    for e in messages:
        if e.msgid_plural is None:
            po[e.key] = e.msgstr[0]
        else:
            for slot, text in e.msgstr.items():
                po[(e.key, slot)] = text
    missing = sorted(str(k) for k in po.keys() - mo.keys())
    extra = sorted(str(k) for k in mo.keys() - po.keys())
    assert not missing, f"in the .po but not the .mo: {missing[:10]}"
    assert not extra, f"in the .mo but not the .po: {extra[:10]}"
    different = sorted(str(k) for k in po if po[k] != mo[k])
    assert not different, f"the .mo differs from the .po: {different[:10]}"


# The catalog in use.


def test_gettext_answers_in_english():
    with translation.override("en"):
        assert translation.gettext("地域産業活性化計画") == "Regional Industry Revitalization Plan"
        assert translation.gettext("東京都職員") == "TMG officer"
        assert translation.gettext("区市町村職員") == "Municipal staff"
        assert translation.gettext("承認済み") == "Approved"
        assert translation.gettext("差戻し") == "Returned for changes"
        assert translation.ngettext("未確認 %(n)s組", "未確認 %(n)s組", 1) % {"n": 1} == "1 unreviewed pair"
        assert translation.ngettext("未確認 %(n)s組", "未確認 %(n)s組", 3) % {"n": 3} == "3 unreviewed pairs"
    with translation.override("ja"):
        assert translation.gettext("地域産業活性化計画") == "地域産業活性化計画"


def test_model_choices_and_roles_read_in_english():
    from monozukuri.core.roles import Role
    from monozukuri.plans.models import PlanStatus

    with translation.override("en"):
        assert str(Role.TMG_OFFICER.label) == "TMG officer"
        assert str(Role.MUNICIPAL_STAFF.label) == "Municipal staff"
        assert str(PlanStatus.APPROVED.label) == "Approved"
        assert str(PlanStatus.DRAFT.label) == "Draft"


@pytest.mark.django_db
def test_the_english_plan_pages(client, sumida):
    from monozukuri.plans.models import PlanStatus
    from monozukuri.plans.tests.factories import MeasureFactory, PlanFactory

    plan = PlanFactory(municipality=sumida, status=PlanStatus.APPROVED, title="墨田区地域産業活性化計画",
                       title_en="Sumida Regional Industry Revitalization Plan")
    MeasureFactory(pillar__plan=plan, pillar__number=1)

    listing = client.get("/en/plans/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert '<html lang="en"' in text
    assert "Regional Industry Revitalization Plan" in text
    assert "Sumida Regional Industry Revitalization Plan" in text

    detail = client.get(f"/en/plans/{plan.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "<title>Sumida Regional Industry Revitalization Plan" in text
    for english in ("Plan period", "Approved", "Summary", "Log in"):
        assert english in text, english
    assert "<h2>Summary</h2>" in text
    for japanese in ("<dt>計画期間</dt>", "<h2>概要</h2>", ">ログイン<", ">承認済み<"):
        assert japanese not in text, japanese

    japanese_page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "<dt>計画期間</dt>" in japanese_page


@pytest.mark.django_db
def test_the_english_login_page(client):
    response = client.get("/en/accounts/login/")
    assert response.status_code == 200
    text = response.content.decode()
    for english in ("Log in", "Email address", "Password", "Regional Industry Revitalization Platform"):
        assert english in text, english
    for japanese in ("ログイン", "メールアドレス", "パスワード"):
        assert japanese not in text, japanese


@pytest.mark.django_db
def test_a_failed_english_login_explains_in_english(client, make_user):
    from monozukuri.core.roles import Role

    make_user(Role.PUBLIC, email="someone@example.jp")
    response = client.post("/en/accounts/login/", {"username": "someone@example.jp", "password": "wrong"})
    assert "The email address or password is incorrect." in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_errors_in_english_when_asked(client):
    english = client.get("/api/v1/plans/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    assert english.json()["detail"] == "Not found."

    japanese = client.get("/api/v1/plans/999999/")
    assert japanese.status_code == 404
    assert japanese.json()["detail"] == "見つかりません。"


@pytest.mark.django_db
def test_an_api_validation_error_reads_in_english(client):
    response = client.get("/api/v1/plans/", {"status": "bogus"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("There are errors in your input: ")
    assert "There is no status “bogus”" in detail
