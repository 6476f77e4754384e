"""Structured logging: one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys

from monozukuri.core.logging import JsonFormatter


def _record(**extra):
    record = logging.LogRecord("monozukuri.test", logging.WARNING, __file__, 10,
                               "計画 %s を承認しました", ("テスト計画",), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_record_is_one_line_of_valid_json():
    line = JsonFormatter().format(_record())

    assert "\n" not in line
    payload = json.loads(line)
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "monozukuri.test"
    assert payload["message"] == "計画 テスト計画 を承認しました"
    assert payload["time"].endswith("+00:00")


def test_japanese_is_written_as_is():
    assert "承認しました" in JsonFormatter().format(_record())


def test_extras_are_kept_and_objects_become_strings():
    payload = json.loads(JsonFormatter().format(_record(plan_id=7, municipality="131075", obj=object())))

    assert payload["plan_id"] == 7
    assert payload["municipality"] == "131075"
    assert payload["obj"].startswith("<object object")


def test_an_exception_is_included():
    try:
        raise ValueError("壊れた入力")
    except ValueError:
        record = _record()
        record.exc_info = sys.exc_info()

    payload = json.loads(JsonFormatter().format(record))

    assert "ValueError: 壊れた入力" in payload["exc_info"]
