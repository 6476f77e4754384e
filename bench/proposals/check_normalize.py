"""Check that bench/proposals/normalize.py gives exactly the results of monozukuri/directory/normalize.py.

    DJANGO_SETTINGS_MODULE=monozukuri.settings .venv/bin/python bench/proposals/check_normalize.py [N]

Compares every public function on generated firms (bench/make_gbizinfo.py) and on N random strings
built from the characters the functions treat specially; prints the timing of both per call.
"""

from __future__ import annotations

import importlib.util
import random
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
django.setup()

from bench.make_gbizinfo import gbizinfo_rows  # noqa: E402
from monozukuri.directory import normalize as current  # noqa: E402

spec = importlib.util.spec_from_file_location("proposed_normalize", Path(__file__).with_name("normalize.py"))
assert spec
assert spec.loader
proposed = importlib.util.module_from_spec(spec)
sys.modules["proposed_normalize"] = proposed
spec.loader.exec_module(proposed)

PIECES = ["株式会社", "有限会社", "協同組合", "事業協同組合", "事業", "(株)", "（株）", "㈱", "㈲",
          "㈾", "(NPO)", "(ＮＰＯ)", "(一社)", "（特非）", "⑴", " ", "\u3000", "\t", "\u00a0", "¨",
          "山田", "ヤマダ", "ｾｲｷ", "製作所", "1", "１", "2", "丁目", "番地", "番", "号", "-", "ー", "－",
          "‐", "ビル", "センター", "3F", "A", "ａ", "İ",
          "東京都", "墨田区", "墨田", "(", ")", "（", "）", "\u0301", "&", "・"]


def random_text(rnd: random.Random) -> str:
    return "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 8)))


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rnd = random.Random(7)
    samples = [random_text(rnd) for _ in range(n)]
    for row in gbizinfo_rows(20_000, seed=3, messy=0.5):
        samples.extend([row[1], row[5], row[5].split("区", 1)[-1]])
    postal = current.address_from_postcode("1310031")
    failures = 0
    for text in samples:
        checks = [
            ("canonical_company_name", current.canonical_company_name(text),
             proposed.canonical_company_name(text)),
            ("name_key", current.name_key(text), proposed.name_key(text)),
            ("phone_key", current.phone_key(text), proposed.phone_key(text)),
            ("website_key", current.website_key(text), proposed.website_key(text)),
            ("website_key url", current.website_key(f"HTTPS://www.{text}/"),
             proposed.website_key(f"HTTPS://www.{text}/")),
            ("normalize_street", current.normalize_street(text), proposed.normalize_street(text)),
            ("address_key", current.address_key("東京都", "墨田区", "", text),
             proposed.address_key("東京都", "墨田区", "", text)),
            ("split_address", current.split_address(text, postal), proposed.split_address(text, postal)),
            ("split_address none", current.split_address(text, None), proposed.split_address(text, None)),
        ]
        for name, old, new in checks:
            if old != new:
                failures += 1
                if failures <= 20:
                    print(f"DIFF {name}({text!r}): {old!r} != {new!r}")
    print(f"{len(samples):,} inputs, {failures} differences")
    names = [row[1] for row in gbizinfo_rows(20_000, seed=5, messy=0.2)]
    streets = [row[5] for row in gbizinfo_rows(20_000, seed=5, messy=0.2)]
    for label, module in (("current", current), ("proposed", proposed)):
        start = time.perf_counter()
        for name in names:
            module.name_key(module.canonical_company_name(name))
        for street in streets:
            module.address_key("東京都", "墨田区", "", module.normalize_street(street))
        per_row = (time.perf_counter() - start) / len(names) * 1e6
        print(f"{label}: canonical+name_key+street+address_key {per_row:.1f} µs per firm")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
