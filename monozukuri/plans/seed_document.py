"""Parser of the seed overview of approved plans (承認した地域産業活性化計画の概要).

Used only by the test that compares ``data/approved_plans.json`` with the seed text; pure Python,
no Django. The seed is inconsistent between plans, and the parser accepts both shapes it uses:

- markdown: ``### 「…計画」（墨田区） 【計画期間:…】`` and pillars as ``- 1 title`` bullets;
- plain lines: ``「…計画」（板橋区） 【計画期間：…】`` and pillars as ``1 title``;

with half- or full-width parentheses and colons. The line after a pillar heading is the pillar's
summary: measures separated by ``、``, each ``title(description)`` or ``title（description）``,
the list optionally closed by ``等`` ("and others"). A ``※「term」`` line followed by a text line is a
footnote of the plan it appears in; other stray lines inside a plan's section are photo captions
(a caption may wrap onto the next line without a blank line between). A line wholly in parentheses
outside the pillars is the budget note that applies to every plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPENING_PARENS = "(（"
CLOSING_PARENS = ")）"
LIST_SEPARATOR = "、"
AND_OTHERS = "等"

# Offset from the era year to the Gregorian year of the era's year N (平成N = 1988 + N).
# Pre-2019 documents name years such as 平成33年度 that never existed; they stay valid.
ERA_OFFSETS = {"平成": 1988, "令和": 2018}

DOCUMENT_HEADING_RE = re.compile(r"^#{1,6}\s+(?P<title>.+)$")
PLAN_HEADING_RE = re.compile(
    r"^(?:#{1,6}\s+)?"
    r"「(?P<title>[^」]+)」\s*"
    r"[(（](?P<municipality>[^)）]+)[)）]\s*"
    r"【\s*計画期間\s*[:：]\s*(?P<period>[^】]+?)\s*】$"
)
PILLAR_HEADING_RE = re.compile(r"^(?:[-*]\s+)?(?P<number>\d+)\s+(?P<title>\S.*)$")
NOTE_HEADING_RE = re.compile(r"^(?P<mark>※)「(?P<term>[^」]+)」$")
BUDGET_NOTE_RE = re.compile(r"^[(（][^()（）]+[)）]$")
FISCAL_YEAR_RE = re.compile(r"(?P<era>平成|令和)\s*(?P<year>\d+|元)\s*年度")


@dataclass
class SeedMeasure:
    """One measure (事業) as named in a pillar's summary line."""

    title: str
    description: str


@dataclass
class SeedPillar:
    """One numbered pillar (柱) of a plan and the text line under its heading."""

    number: int
    title: str
    summary: str = ""
    measures: list[SeedMeasure] = field(default_factory=list)
    and_others: bool = False


@dataclass
class SeedNote:
    """A footnote such as ※「STEM教育」 and its explanation."""

    mark: str
    term: str
    text: str = ""


@dataclass
class SeedPlan:
    """One approved plan's section of the seed document."""

    title: str
    municipality_name: str
    period_label: str  # as written, spaces included
    overview: str = ""
    illustrations: list[str] = field(default_factory=list)
    pillars: list[SeedPillar] = field(default_factory=list)
    notes: list[SeedNote] = field(default_factory=list)


@dataclass
class SeedDocument:
    """The whole seed document: its heading, the plans and the budget note shared by all plans."""

    heading: str = ""
    plans: list[SeedPlan] = field(default_factory=list)
    budget_note: str = ""


def normalise_whitespace(text: str) -> str:
    """Collapse runs of whitespace to one space and trim the ends."""
    return " ".join(text.split())


def fiscal_years(period_label: str) -> tuple[int, int]:
    """Return the first and last fiscal year of a label such as 平成31年度～平成33年度."""
    years = [
        ERA_OFFSETS[match["era"]] + (1 if match["year"] == "元" else int(match["year"]))
        for match in FISCAL_YEAR_RE.finditer(period_label)
    ]
    if len(years) != 2:
        raise ValueError(f"not a period of two fiscal years: {period_label!r}")
    return years[0], years[1]


def split_top_level(text: str, separator: str = LIST_SEPARATOR) -> list[str]:
    """Split ``text`` on ``separator`` where it is outside every pair of parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in OPENING_PARENS:
            depth += 1
        elif char in CLOSING_PARENS:
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced parentheses in {text!r}")
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0:
        raise ValueError(f"unbalanced parentheses in {text!r}")
    parts.append("".join(current))
    return parts


def parse_measure(text: str) -> SeedMeasure:
    """Split ``title(description)`` into its title and the text inside the outer parentheses."""
    text = text.strip()
    start = next((i for i, char in enumerate(text) if char in OPENING_PARENS), None)
    if start is None:
        return SeedMeasure(title=text, description="")
    depth = 0
    for end in range(start, len(text)):
        if text[end] in OPENING_PARENS:
            depth += 1
        elif text[end] in CLOSING_PARENS:
            depth -= 1
            if depth == 0:
                break
    if depth != 0:
        raise ValueError(f"unbalanced parentheses in {text!r}")
    if end != len(text) - 1:
        raise ValueError(f"text after the description of a measure: {text!r}")
    return SeedMeasure(
        title=text[:start].strip(), description=text[start + 1 : end].strip()
    )


def parse_summary(summary: str) -> tuple[list[SeedMeasure], bool]:
    """Return the measures named in a pillar's summary line and whether it ends with 等."""
    and_others = summary.endswith(AND_OTHERS)
    body = summary[: -len(AND_OTHERS)] if and_others else summary
    return [parse_measure(part) for part in split_top_level(body)], and_others


def parse(text: str) -> SeedDocument:
    """Parse the seed document's text."""
    document = SeedDocument()
    plan: SeedPlan | None = None
    # What the next text line is: "overview", "summary", "note" or None.
    expecting: str | None = None
    caption_open = False  # the previous line was a caption, with no blank line since
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            caption_open = False
            continue
        heading = PLAN_HEADING_RE.match(line)
        if heading:
            plan = SeedPlan(
                title=heading["title"].strip(),
                municipality_name=heading["municipality"].strip(),
                period_label=heading["period"].strip(),
            )
            document.plans.append(plan)
            expecting, caption_open = "overview", False
            continue
        if expecting is not None:
            if plan is None:  # pragma: no cover - expecting is only set inside a plan
                raise ValueError(f"line {number}: text outside a plan")
            if expecting == "overview":
                plan.overview = line
            elif expecting == "summary":
                pillar = plan.pillars[-1]
                pillar.summary = line
                pillar.measures, pillar.and_others = parse_summary(line)
            else:
                plan.notes[-1].text = line
            expecting = None
            continue
        if BUDGET_NOTE_RE.match(line):
            if document.budget_note:
                raise ValueError(f"line {number}: a second budget note")
            document.budget_note = line
            caption_open = False
            continue
        if plan is None:
            document_heading = DOCUMENT_HEADING_RE.match(line)
            if document_heading and not document.heading:
                document.heading = document_heading["title"].strip()
                continue
            raise ValueError(f"line {number}: text before the first plan: {line!r}")
        pillar_heading = PILLAR_HEADING_RE.match(line)
        if pillar_heading:
            plan.pillars.append(
                SeedPillar(
                    number=int(pillar_heading["number"]),
                    title=pillar_heading["title"].strip(),
                )
            )
            expecting, caption_open = "summary", False
            continue
        note_heading = NOTE_HEADING_RE.match(line)
        if note_heading:
            plan.notes.append(
                SeedNote(mark=note_heading["mark"], term=note_heading["term"])
            )
            expecting, caption_open = "note", False
            continue
        if caption_open:
            plan.illustrations[-1] = f"{plan.illustrations[-1]} {line}"
        else:
            plan.illustrations.append(line)
        caption_open = True
    if expecting is not None:
        raise ValueError(f"the document ends while a {expecting} line is expected")
    return document
