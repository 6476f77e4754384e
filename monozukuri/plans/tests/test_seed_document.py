"""The approved plans in ``plans/data/approved_plans.json`` match the seed document they transcribe.

The seed (``shared/seed/approved-plans-overview.txt``, beside the repository, or under
``$MONOZUKURI_SHARED_DIR/seed/``) is parsed by ``monozukuri.plans.seed_document``. Without it these
comparisons are skipped, except on CI (``CI=true``), where a missing seed is a failure.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from monozukuri.plans import seed_document
from monozukuri.plans.seed_document import SeedDocument, SeedPillar, SeedPlan

DATA_PATH = Path(__file__).resolve().parents[1] / "data" / "approved_plans.json"
SEED_RELATIVE_PATH = Path("seed") / "approved-plans-overview.txt"

# 全国地方公共団体コード → (slug for test ids, name as the seed writes it), in the seed's order.
MUNICIPALITIES = {
    "131075": ("sumida", "墨田区"),
    "131181": ("arakawa", "荒川区"),
    "131199": ("itabashi", "板橋区"),
    "132055": ("ome", "青梅市"),
}
MEASURE_KINDS = {
    "database",
    "matching",
    "succession",
    "subsidy",
    "event",
    "diagnostic",
    "publicity",
    "space",
    "other",
}
PLAN_KEYS = {
    "municipality_code",
    "municipality_name",
    "title",
    "period_label",
    "start_fiscal_year",
    "end_fiscal_year",
    "overview",
    "budget_note",
    "illustrations",
    "pillars",
    "notes",
}
PILLAR_KEYS = {"number", "title", "summary", "and_others", "measures"}
MEASURE_KEYS = {"title", "description", "examples", "kind"}
NOTE_KEYS = {"mark", "term", "text"}


def _load_plans_for_collection() -> list[dict[str, Any]]:
    # Parametrisation needs the data at import time; a broken file is reported by
    # test_data_file_loads_as_a_list_of_plans rather than as a collection error.
    try:
        data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return (
        [plan for plan in data if isinstance(plan, dict)]
        if isinstance(data, list)
        else []
    )


PLANS = _load_plans_for_collection()
PLAN_PARAMS = [
    pytest.param(code, id=slug) for code, (slug, _name) in MUNICIPALITIES.items()
]


def _pillar_id(plan: dict[str, Any], pillar: dict[str, Any]) -> str:
    code = str(plan.get("municipality_code"))
    slug = MUNICIPALITIES[code][0] if code in MUNICIPALITIES else code
    return f"{slug}-pillar{pillar.get('number')}"


PILLAR_PARAMS = [
    pytest.param(
        plan.get("municipality_code"),
        pillar.get("number"),
        id=_pillar_id(plan, pillar),
    )
    for plan in PLANS
    for pillar in plan.get("pillars", [])
]


def seed_path() -> Path:
    """Where the seed document is: ``$MONOZUKURI_SHARED_DIR`` or the shared folder beside the repo."""
    shared = os.environ.get("MONOZUKURI_SHARED_DIR")
    shared_dir = (
        Path(shared)
        if shared
        else Path(__file__).resolve().parents[3].parent / "shared"
    )
    return shared_dir / SEED_RELATIVE_PATH


@pytest.fixture(scope="module")
def seed_text() -> str:
    path = seed_path()
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"seed document missing on CI: {path}")
        pytest.skip(
            f"seed document not found at {path}; set MONOZUKURI_SHARED_DIR to the shared folder"
        )
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text: str) -> SeedDocument:
    return seed_document.parse(seed_text)


@pytest.fixture(scope="module")
def seed_lines(seed_text: str) -> set[str]:
    return {line.strip() for line in seed_text.splitlines()}


def data_plan(code: str) -> dict[str, Any]:
    matches = [plan for plan in PLANS if plan.get("municipality_code") == code]
    assert len(matches) == 1, (
        f"expected one plan for {code} in {DATA_PATH.name}, found {len(matches)}"
    )
    return matches[0]


def data_pillar(code: str, number: int) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [
        pillar for pillar in data_plan(code)["pillars"] if pillar["number"] == number
    ]
    assert len(matches) == 1, (
        f"expected one pillar {number} for {code}, found {len(matches)}"
    )
    return matches[0]


def seed_plan(seed: SeedDocument, code: str) -> SeedPlan:
    name = MUNICIPALITIES[code][1]
    matches = [plan for plan in seed.plans if plan.municipality_name == name]
    assert len(matches) == 1, (
        f"expected one plan for {name} in the seed, found {len(matches)}"
    )
    return matches[0]


def seed_pillar(seed: SeedDocument, code: str, number: int) -> SeedPillar:
    matches = [
        pillar for pillar in seed_plan(seed, code).pillars if pillar.number == number
    ]
    assert len(matches) == 1, (
        f"expected one pillar {number} for {code} in the seed, found {len(matches)}"
    )
    return matches[0]


# The data file on its own.


def test_data_file_loads_as_a_list_of_plans() -> None:
    text = DATA_PATH.read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, list)
    assert [plan["municipality_code"] for plan in data] == list(MUNICIPALITIES)
    for plan in data:
        assert set(plan) == PLAN_KEYS, plan.get("title")
        for note in plan["notes"]:
            assert set(note) == NOTE_KEYS, (plan["title"], note)
        for pillar in plan["pillars"]:
            assert set(pillar) == PILLAR_KEYS, (plan["title"], pillar.get("number"))
            assert isinstance(pillar["and_others"], bool)
            for measure in pillar["measures"]:
                assert set(measure) == MEASURE_KEYS, (
                    plan["title"],
                    measure.get("title"),
                )


def test_data_file_is_utf8_with_two_space_indent() -> None:
    text = DATA_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_measure_kinds_are_allowed() -> None:
    unknown = [
        (plan["title"], measure["title"], measure["kind"])
        for plan in PLANS
        for pillar in plan["pillars"]
        for measure in pillar["measures"]
        if measure["kind"] not in MEASURE_KINDS
    ]
    assert PLANS
    assert unknown == []


@pytest.mark.parametrize(("code", "number"), PILLAR_PARAMS)
def test_measure_examples_make_up_the_description(code: str, number: int) -> None:
    for measure in data_pillar(code, number)["measures"]:
        assert measure["examples"], measure["title"]
        assert "、".join(measure["examples"]) == measure["description"], measure[
            "title"
        ]


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_municipality_code_matches_name_and_check_digit(code: str) -> None:
    plan = data_plan(code)
    digits = [int(digit) for digit in code]
    remainder = (
        sum(digit * weight for digit, weight in zip(digits[:5], (6, 5, 4, 3, 2), strict=True)) % 11
    )
    assert digits[5] == (11 - remainder) % 10
    assert plan["municipality_name"] == MUNICIPALITIES[code][1]


# The data file against the seed document.


def test_seed_and_data_name_the_same_plans_in_order(seed: SeedDocument) -> None:
    assert [plan.title for plan in seed.plans] == [plan["title"] for plan in PLANS]
    assert [plan.municipality_name for plan in seed.plans] == [
        name for _slug, name in MUNICIPALITIES.values()
    ]


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_plan_title_and_municipality(seed: SeedDocument, code: str) -> None:
    plan, seeded = data_plan(code), seed_plan(seed, code)
    assert plan["title"] == seeded.title
    assert plan["municipality_name"] == seeded.municipality_name


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_plan_period_label(seed: SeedDocument, code: str) -> None:
    # The seed writes "平成 31 年度～平成 33 年度" with spaces around the numbers (PDF layout);
    # the data file stores the label without those spaces, otherwise as written.
    assert data_plan(code)["period_label"] == re.sub(
        r"\s+", "", seed_plan(seed, code).period_label
    )


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_plan_fiscal_years_follow_the_label(seed: SeedDocument, code: str) -> None:
    plan = data_plan(code)
    expected = seed_document.fiscal_years(seed_plan(seed, code).period_label)
    assert (plan["start_fiscal_year"], plan["end_fiscal_year"]) == expected
    assert seed_document.fiscal_years(plan["period_label"]) == expected


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_plan_overview(seed: SeedDocument, code: str) -> None:
    normalise = seed_document.normalise_whitespace
    assert normalise(data_plan(code)["overview"]) == normalise(
        seed_plan(seed, code).overview
    )


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_plan_budget_note(seed: SeedDocument, seed_lines: set[str], code: str) -> None:
    assert seed.budget_note in seed_lines
    assert data_plan(code)["budget_note"] == seed.budget_note


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_plan_illustrations(seed: SeedDocument, code: str) -> None:
    assert data_plan(code)["illustrations"] == seed_plan(seed, code).illustrations


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_plan_pillar_numbers_and_titles(seed: SeedDocument, code: str) -> None:
    pillars = [
        (pillar["number"], pillar["title"]) for pillar in data_plan(code)["pillars"]
    ]
    assert pillars == [
        (pillar.number, pillar.title) for pillar in seed_plan(seed, code).pillars
    ]


@pytest.mark.parametrize("code", PLAN_PARAMS)
def test_plan_notes(seed: SeedDocument, code: str) -> None:
    notes = [(note.mark, note.term, note.text) for note in seed_plan(seed, code).notes]
    assert [
        (note["mark"], note["term"], note["text"]) for note in data_plan(code)["notes"]
    ] == notes


@pytest.mark.parametrize(("code", "number"), PILLAR_PARAMS)
def test_pillar_title_and_summary(
    seed: SeedDocument, seed_lines: set[str], code: str, number: int
) -> None:
    pillar, seeded = data_pillar(code, number), seed_pillar(seed, code, number)
    assert pillar["title"] == seeded.title
    assert pillar["summary"] == seeded.summary
    assert (
        pillar["summary"] in seed_lines
    )  # a whole line of the seed, independent of the parser


@pytest.mark.parametrize(("code", "number"), PILLAR_PARAMS)
def test_pillar_and_others(seed: SeedDocument, code: str, number: int) -> None:
    seeded = seed_pillar(seed, code, number)
    assert data_pillar(code, number)["and_others"] is seeded.and_others
    assert seeded.and_others is seeded.summary.endswith("等")


@pytest.mark.parametrize(("code", "number"), PILLAR_PARAMS)
def test_pillar_measures(seed: SeedDocument, code: str, number: int) -> None:
    measures, seeded = (
        data_pillar(code, number)["measures"],
        seed_pillar(seed, code, number),
    )
    for measure in measures:
        assert measure["title"] in seeded.summary
        assert measure["description"] in seeded.summary
    assert len(measures) == len(seeded.measures)
    assert [(measure["title"], measure["description"]) for measure in measures] == [
        (measure.title, measure.description) for measure in seeded.measures
    ]


# The parser, on both shapes the seed uses.

# <BR> stands for the markdown hard line break (two trailing spaces) the seed has on some lines.
BOTH_SHAPES = """\
## 【承認した計画の概要】

### 「甲区地域産業活性化計画」（甲区） 【計画期間:平成 31 年度～平成 33 年度】

甲区の概要。

写真の説明<BR>
その続き

- 1 柱の一(括弧つき)<BR>
事業A(例1、例2(※))、事業B(例3)等
- 2 柱の二<BR>
事業C(例4)

※「用語」

用語の説明、続き

「乙市地域産業活性化計画」（乙市） 【計画期間：令和元年度～令和3年度】

乙市の概要。

写真

1 柱の一

事業D（例5、例6）等

（各区市の予算についての注記。）
""".replace("<BR>", "  ")


def test_parser_reads_markdown_and_plain_shapes() -> None:
    document = seed_document.parse(BOTH_SHAPES)
    first, second = document.plans
    assert document.heading == "【承認した計画の概要】"
    assert document.budget_note == "（各区市の予算についての注記。）"
    assert (first.title, first.municipality_name, first.period_label) == (
        "甲区地域産業活性化計画",
        "甲区",
        "平成 31 年度～平成 33 年度",
    )
    assert first.overview == "甲区の概要。"
    assert first.illustrations == ["写真の説明 その続き"]
    assert [(p.number, p.title, p.and_others) for p in first.pillars] == [
        (1, "柱の一(括弧つき)", True),
        (2, "柱の二", False),
    ]
    assert [(m.title, m.description) for m in first.pillars[0].measures] == [
        ("事業A", "例1、例2(※)"),
        ("事業B", "例3"),
    ]
    assert [(n.mark, n.term, n.text) for n in first.notes] == [
        ("※", "用語", "用語の説明、続き")
    ]
    assert (second.title, second.municipality_name, second.period_label) == (
        "乙市地域産業活性化計画",
        "乙市",
        "令和元年度～令和3年度",
    )
    assert second.illustrations == ["写真"]
    assert second.pillars[0].summary == "事業D（例5、例6）等"
    assert [(m.title, m.description) for m in second.pillars[0].measures] == [
        ("事業D", "例5、例6")
    ]
    assert second.notes == []


@pytest.mark.parametrize(
    ("label", "years"),
    [
        pytest.param("平成31年度～平成33年度", (2019, 2021), id="heisei"),
        pytest.param("平成 31 年度～平成 33 年度", (2019, 2021), id="heisei-spaced"),
        pytest.param("平成30年度～令和2年度", (2018, 2020), id="across-eras"),
        pytest.param("令和元年度～令和3年度", (2019, 2021), id="reiwa-gannen"),
    ],
)
def test_fiscal_years_from_label(label: str, years: tuple[int, int]) -> None:
    assert seed_document.fiscal_years(label) == years


@pytest.mark.parametrize(
    "summary",
    [
        pytest.param("事業A(例1、例2", id="unclosed"),
        pytest.param("事業A例1)", id="unopened"),
        pytest.param("事業A(例1)のあと", id="text-after-description"),
    ],
)
def test_parser_rejects_malformed_measures(summary: str) -> None:
    with pytest.raises(ValueError, match=r"unbalanced|text after"):
        seed_document.parse_summary(summary)
