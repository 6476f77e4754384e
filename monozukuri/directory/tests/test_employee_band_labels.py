"""Employee bands (従業員数) are labelled in the active language; the tokens do not change."""

from __future__ import annotations

import pytest
from django.utils import translation

from monozukuri.directory.indexing.documents import EMPLOYEE_BANDS, employees_band, employees_band_label


@pytest.mark.parametrize(("language", "first", "last"), [
    ("ja", "0〜4人", "300人以上"),
    ("en", "0–4 employees", "300 or more employees"),
])
def test_band_labels_follow_the_language(language, first, last):
    with translation.override(language):
        assert employees_band_label(1) == first
        assert employees_band_label(len(EMPLOYEE_BANDS)) == last


def test_every_band_has_a_label_and_its_own_token():
    labels = [employees_band_label(b) for b, _low, _high in EMPLOYEE_BANDS]
    assert len(set(labels)) == len(EMPLOYEE_BANDS)
    assert labels[1] == "5〜9人"
    assert employees_band(7) == 2
    assert employees_band_label(99) == "99"
