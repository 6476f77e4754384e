"""normalize_street: one written form for the part of an address after the town (duplicates and the
import compare addresses by it)."""

from __future__ import annotations

import pytest

from monozukuri.directory.normalize import normalize_street


@pytest.mark.parametrize(("written", "normalised"), [
    ("1丁目2番地3号", "1-2-3"),
    ("１丁目２番３号", "1-2-3"),  # full-width digits
    ("1 丁目 2 番 3 号", "1-2-3"),  # spaces
    ("1丁目2番", "1-2"),
    ("1丁目2", "1-2"),
    ("1丁目-2", "1-2"),
    ("1丁目2-3", "1-2-3"),
    ("3丁目", "3"),
    ("5番地", "5"),
    ("5番地3", "5-3"),
    ("2番地1", "2-1"),
    ("１－２－３", "1-2-3"),  # full-width hyphens
    ("1ー2ー3", "1-2-3"),  # long vowel marks typed as hyphens
    ("4丁目26番7号 ビル3階", "4-26-7ビル3階"),
    ("番町1丁目5番地", "番町1-5"),  # 番 in a name stays
    ("千代田区丁目1番", "千代田区丁目1"),  # 丁目 without a number stays
    ("西日暮里4-26-7", "西日暮里4-26-7"),  # already in the form
    ("", ""),
])
def test_a_street_is_written_one_way(written, normalised):
    assert normalize_street(written) == normalised
