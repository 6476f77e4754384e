"""Ranking quality of matching on the labelled set: nDCG@10, recall@20 and forbidden hits per request.

    .venv/bin/python bench/matching_quality.py                       # SQLite (a throw-away test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monozukuri TEST_DATABASE_NAME=test_monozukuri_matching \
        .venv/bin/python bench/matching_quality.py                   # PostgreSQL

The set lives in monozukuri/matching/tests/quality_data.py; the thresholds that CI keeps are in
monozukuri/matching/tests/test_quality.py. A test database is created, filled and dropped, so the run
never touches real data. Appends a JSON line to var/bench/matching-results.jsonl.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monozukuri.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

RESULTS = ROOT / "var" / "bench" / "matching-results.jsonl"


def main() -> None:
    from monozukuri.matching.tests.quality import build_world, evaluate

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with scopes_disabled():
            results = evaluate(build_world())
    finally:
        from monozukuri.core.concurrency import close_side_connections

        close_side_connections()  # side reads' connections to the test database (core/concurrency.py)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(f"{'request':<22} {'nDCG@10':>8} {'recall@20':>10}  forbidden  top 5")
    for r in results:
        print(f"{r.key:<22} {r.ndcg10:8.3f} {r.recall20:10.3f}  {len(r.forbidden):>9}  {', '.join(r.top)}")
    mean_ndcg = statistics.mean(r.ndcg10 for r in results)
    mean_recall = statistics.mean(r.recall20 for r in results)
    forbidden = sum(len(r.forbidden) for r in results)
    print(
        f"{'mean':<22} {mean_ndcg:8.3f} {mean_recall:10.3f}  {forbidden:>9}   (min nDCG@10 "
        f"{min(r.ndcg10 for r in results):.3f}; engine {connection.vendor})"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(
            json.dumps(
                {
                    "kind": "quality",
                    "vendor": connection.vendor,
                    "at": time.strftime("%Y-%m-%d %H:%M:%S"),
                    "mean_ndcg10": mean_ndcg,
                    "min_ndcg10": min(r.ndcg10 for r in results),
                    "mean_recall20": mean_recall,
                    "forbidden": forbidden,
                    "requests": len(results),
                },
                ensure_ascii=False,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
