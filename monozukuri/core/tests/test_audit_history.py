"""The history table: action codes and field names in words, in the page's language."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from monozukuri.core import audit

pytestmark = pytest.mark.django_db


def _cells(html: str) -> list[list[str]]:
    """The table's body rows as lists of cell texts (tags stripped, spaces collapsed)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _table(sumida, sumida_staff, language: str = "ja") -> list[list[str]]:
    audit.record(actor=sumida_staff, action="core.municipality_rename", target=sumida,
                 changes={"name": ["墨田", "墨田区"], "kind": ["city", "ward"], "reason": [None, "条例改正"]})
    audit.record(actor=None, action="core.unheard_of", target=sumida,
                 changes={"kana": ["すみだ", "すみだく"]})
    events = list(audit.history_for(sumida))
    with translation.override(language):
        return _cells(render_to_string("core/partials/history.html", {"events": events}))


def test_the_table_shows_action_labels_and_field_names_not_codes(sumida, sumida_staff):
    newest, oldest = _table(sumida, sumida_staff)

    assert oldest[1:4] == ["staff@sumida.example.jp", "自治体名を変更", "墨田区"]
    assert "名称: 墨田 → 墨田区" in oldest[4]
    assert "種別: 市 → 特別区" in oldest[4]  # a choice as its label
    assert "reason: — → 条例改正" in oldest[4]  # not a field of the model: the stored key
    assert "core.municipality_rename" not in " ".join(oldest)
    # an action without a label is shown as stored, never hidden
    assert newest[2] == "core.unheard_of"
    assert newest[4] == "よみがな: すみだ → すみだく"


def test_the_table_is_in_english_on_an_english_page(sumida, sumida_staff):
    _newest, oldest = _table(sumida, sumida_staff, "en")

    assert oldest[2] == "Municipality renamed"
    assert "Name: 墨田 → 墨田区" in oldest[4]
    assert "Type: City → Special ward" in oldest[4]


def test_the_action_code_stays_in_the_markup_for_staff_and_tests(sumida, sumida_staff):
    audit.record(actor=sumida_staff, action="core.municipality_rename", target=sumida)
    html = render_to_string("core/partials/history.html", {"events": list(audit.history_for(sumida))})

    assert 'data-action="core.municipality_rename"' in html


def test_field_label_reads_attnames_and_unknown_models():
    from monozukuri.core.models import AuditEvent, Municipality

    assert audit.field_label(Municipality, "name_en") == "英語名"
    assert audit.field_label(AuditEvent, "municipality_id") == str(
        AuditEvent._meta.get_field("municipality").verbose_name)
    assert audit.field_label(None, "name") == "name"
    assert audit.field_label(Municipality, "no_such_field") == "no_such_field"


def test_every_action_recorded_in_the_code_has_a_label():
    """A new action code without a label would show as a code; the list in audit.py is kept complete."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "monozukuri"
    codes = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert codes, "no action codes found"
    assert sorted(codes - set(audit.ACTION_LABELS)) == []


def test_history_rows_add_no_queries(sumida, sumida_staff, django_assert_num_queries):
    for n in range(5):
        audit.record(actor=sumida_staff, action="core.municipality_rename", target=sumida,
                     changes={"name": [str(n), str(n + 1)]})
    events = list(audit.history_for(sumida))

    with django_assert_num_queries(0):
        rows = audit.history_rows(events)

    assert [r.action_label for r in rows] == ["自治体名を変更"] * 5
