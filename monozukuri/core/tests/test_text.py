"""Lists in running text and dates follow the active language (docs/decisions/0005-i18n.md)."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from monozukuri.core.text import join_list


@pytest.mark.parametrize(("language", "expected"), [("ja", "切削、研磨、溶接"), ("en", "切削, 研磨, 溶接")])
def test_join_list_uses_the_languages_separator(language, expected):
    with translation.override(language):
        assert join_list(["切削", "研磨", "溶接"]) == expected


def test_join_list_of_one_or_none():
    assert join_list(["切削"]) == "切削"
    assert join_list([]) == ""


def test_the_template_filter_escapes_the_items():
    template = Template("{% load text %}{{ items|join_list }}")
    with translation.override("en"):
        assert template.render(Context({"items": ["<b>", "A&B"]})) == "&lt;b&gt;, A&amp;B"
    assert template.render(Context({"items": ["<b>", "A&B"]})) == "&lt;b&gt;、A&amp;B"


@pytest.mark.parametrize(("language", "expected"), [("ja", "2024年4月1日"), ("en", "April 1, 2024")])
def test_dates_in_templates_follow_the_language(language, expected):
    template = Template('{{ day|date:"DATE_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"day": datetime.date(2024, 4, 1)})) == expected
